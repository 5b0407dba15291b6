//! Status HTML from other servers is hostile until proven otherwise: only an
//! allow-list of text markup survives (ammonia), links get `rel` and open
//! nothing but http(s) and mailto; images and embeds never load from content.

use std::collections::HashSet;
use std::sync::LazyLock;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.add_tags([
        "p",
        "br",
        "a",
        "span",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
    ])
    .add_tag_attributes("a", ["href"])
    .url_schemes(HashSet::from(["http", "https", "mailto"]))
    .link_rel(Some("nofollow noopener noreferrer ugc"))
    .clean_content_tags(HashSet::from(["script", "style", "iframe", "object", "template"]))
    .strip_comments(true);
    b
});

/// Safe HTML for a status's content.
pub fn status_html(raw: &str) -> String {
    CLEANER.clean(raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::status_html;

    #[test]
    fn scripts_handlers_and_embeds_are_stripped() {
        let out = status_html(
            "<p>hi <script>alert(1)</script><img src=x onerror=alert(1)><b onmouseover=\"x()\">b</b>\
             <a href=\"javascript:alert(1)\" onclick=\"steal()\">j</a><iframe src=\"https://e.x\"></iframe>\
             <a href=\"https://ok.example/\">ok</a></p>",
        );
        for bad in ["script", "alert", "onerror", "onmouseover", "onclick", "javascript:", "iframe", "<img"] {
            assert!(!out.contains(bad), "{bad} survived in {out}");
        }
        assert!(out.contains("<b>b</b>"));
        assert!(
            out.contains(r#"<a href="https://ok.example/" rel="nofollow noopener noreferrer ugc">ok</a>"#),
            "{out}"
        );
    }
}
