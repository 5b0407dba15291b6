//! List rows written straight into one HTML string. Rows that carry no
//! handlers or reactive state gain nothing from being views, and as views
//! they were the largest part of a list page's render: every element,
//! attribute and text node its own allocation (bench/README.md, "Rows as
//! markup"). The string becomes the list's `inner_html`, which hydration
//! leaves as the server sent it; in the browser it is built again from the
//! same data only when the list changes.
//!
//! Markup comes only from `&'static str` literals; every value from data goes
//! through `text` (element content) or `attr` (a double-quoted attribute
//! value), which escape it.

use std::fmt::Write;

pub struct Markup(String);

impl Markup {
    pub fn with_capacity(bytes: usize) -> Self {
        Markup(String::with_capacity(bytes))
    }

    /// Markup written in the program, never taken from data.
    pub fn raw(&mut self, s: &'static str) -> &mut Self {
        self.0.push_str(s);
        self
    }

    pub fn text(&mut self, s: &str) -> &mut Self {
        html_escape::encode_text_to_string(s, &mut self.0);
        self
    }

    pub fn attr(&mut self, s: &str) -> &mut Self {
        html_escape::encode_double_quoted_attribute_to_string(s, &mut self.0);
        self
    }

    pub fn int(&mut self, n: i64) -> &mut Self {
        let _ = write!(self.0, "{n}");
        self
    }

    /// `badge` (ui/mod.rs) as markup: the same element and classes.
    pub fn badge(&mut self, text: &str, tone: &'static str) -> &mut Self {
        self.raw("<span class=\"badge ").raw(tone).raw("\">").text(text).raw("</span>")
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_from_data_cannot_close_their_element_or_attribute() {
        let mut m = Markup::with_capacity(0);
        m.raw("<p title=\"")
            .attr("\"><script>x</script>")
            .raw("\">")
            .text("</p><script>alert(1)</script>&")
            .raw("</p>");
        let html = m.into_string();
        assert_eq!(
            html,
            "<p title=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\">&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;</p>"
        );
    }

    #[test]
    fn a_badge_is_the_same_element_as_the_view() {
        let mut m = Markup::with_capacity(0);
        m.badge("a<b", crate::ui::GREY);
        assert_eq!(m.into_string(), "<span class=\"badge badge-grey\">a&lt;b</span>");
    }
}
