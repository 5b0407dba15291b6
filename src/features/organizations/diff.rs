//! Line diffs between two pretty-printed settings documents.

use similar::{ChangeTag, TextDiff};

use super::server::DiffLine;

/// Every line of `new` against `old`: kept, removed or added.
pub fn lines(old: &str, new: &str) -> Vec<DiffLine> {
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| DiffLine {
            sign: match c.tag() {
                ChangeTag::Equal => ' ',
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
            },
            text: c.to_string_lossy().trim_end_matches('\n').to_owned(),
        })
        .collect()
}

/// A unified diff (three lines of context), for the API.
pub fn unified(old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new).unified_diff().context_radius(3).header("before", "after").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_are_marked() {
        let l = lines("{\n  \"a\": 1\n}", "{\n  \"a\": 2\n}");
        let signs: String = l.iter().map(|d| d.sign).collect();
        assert_eq!(signs, " -+ ");
        assert!(unified("a\n", "b\n").contains("-a\n+b"));
    }
}
