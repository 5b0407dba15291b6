//! Short lists of log lines shown beside other content (the dashboard's
//! latest entries, an account's earlier actions on a report).

use leptos::prelude::*;

use super::server::LogLine;
use crate::ui::format_time;

/// The `<li>` items of `lines`, each its time and message; the caller owns the list.
pub fn log_line_items(lines: Vec<LogLine>) -> impl IntoView {
    lines
        .into_iter()
        .map(|l| {
            view! {
                <li class="break-words">
                    <span class="text-xs text-slate-600 dark:text-slate-400">{format_time(l.time)}</span>
                    " "
                    {l.message}
                </li>
            }
        })
        .collect_view()
}
