//! Content intake: the community software posts the statuses and reports
//! Steward moderates, with an intake-scoped token.

pub mod api;
