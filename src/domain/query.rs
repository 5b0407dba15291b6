//! Pieces of lenient URL-query parsing shared by the list pages and the API.

/// A parameter's value, trimmed, if it says anything.
pub fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// `YYYY-MM-DD` to unix seconds at the start (or the last second) of that UTC day.
pub fn parse_day(s: &str, end_of_day: bool) -> Option<i64> {
    let d = time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    let t = if end_of_day { d.with_hms(23, 59, 59).ok()? } else { d.midnight() };
    Some(t.assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_cover_the_whole_utc_day() {
        let start = parse_day("2026-01-31", false).unwrap();
        let end = parse_day("2026-01-31", true).unwrap();
        assert_eq!(end - start, 86_399);
        assert!(parse_day("31/01/2026", false).is_none());
    }

    #[test]
    fn blank_values_say_nothing() {
        assert_eq!(nonempty(&Some("  ".into())), None);
        assert_eq!(nonempty(&Some(" a ".into())), Some("a".into()));
        assert_eq!(nonempty(&None), None);
    }
}
