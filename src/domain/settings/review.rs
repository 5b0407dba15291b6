//! The manual-review window (Fluxer): when new accounts wait for approval.
//! Hours are UTC, 0–23. With the schedule off the switch alone decides;
//! start < end is active in [start, end); start > end wraps past midnight;
//! start = end is all day.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewWindow {
    pub enabled: bool,
    pub scheduled: bool,
    pub start_hour: u8,
    pub end_hour: u8,
}

impl ReviewWindow {
    /// Whether review is in force at `hour` (UTC, 0–23).
    pub fn active_at(&self, hour: u8) -> bool {
        if !self.enabled {
            return false;
        }
        if !self.scheduled {
            return true;
        }
        let (s, e) = (self.start_hour, self.end_hour);
        match s.cmp(&e) {
            std::cmp::Ordering::Less => (s..e).contains(&hour),
            std::cmp::Ordering::Greater => hour >= s || hour < e,
            std::cmp::Ordering::Equal => true,
        }
    }
}

/// The next whole hour after `hour` at which [`ReviewWindow::active_at`]
/// flips, or `None` when it never does (off, unscheduled or all day).
pub fn next_change_hour(w: &ReviewWindow, hour: u8) -> Option<u8> {
    let now = w.active_at(hour);
    (1..=24u8).map(|d| (hour + d) % 24).find(|&h| w.active_at(h) != now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(start: u8, end: u8) -> ReviewWindow {
        ReviewWindow { enabled: true, scheduled: true, start_hour: start, end_hour: end }
    }

    #[test]
    fn off_is_never_active_and_unscheduled_is_always() {
        let off = ReviewWindow { enabled: false, ..w(9, 17) };
        let always = ReviewWindow { scheduled: false, ..w(9, 17) };
        assert!((0..24).all(|h| !off.active_at(h)));
        assert!((0..24).all(|h| always.active_at(h)));
        assert_eq!(next_change_hour(&off, 3), None);
        assert_eq!(next_change_hour(&always, 3), None);
    }

    #[test]
    fn a_daytime_window_includes_its_start_and_excludes_its_end() {
        let d = w(9, 17);
        assert!(!d.active_at(8));
        assert!(d.active_at(9));
        assert!(d.active_at(16));
        assert!(!d.active_at(17));
        assert_eq!(next_change_hour(&d, 12), Some(17));
        assert_eq!(next_change_hour(&d, 20), Some(9));
    }

    #[test]
    fn a_window_past_midnight_wraps() {
        let n = w(22, 6);
        assert!(n.active_at(22));
        assert!(n.active_at(23));
        assert!(n.active_at(0));
        assert!(n.active_at(5));
        assert!(!n.active_at(6));
        assert!(!n.active_at(21));
        assert_eq!(next_change_hour(&n, 23), Some(6));
        let late = w(23, 0);
        assert!(late.active_at(23));
        assert!(!late.active_at(0));
        assert_eq!(next_change_hour(&late, 23), Some(0));
    }

    #[test]
    fn equal_hours_mean_all_day() {
        let all = w(11, 11);
        assert!((0..24).all(|h| all.active_at(h)));
        assert_eq!(next_change_hour(&all, 11), None);
    }
}
