//! A bar chart as server-rendered SVG: one bar per day, a title and summary
//! for screen readers, and the same numbers as a table for anyone who
//! prefers (or needs) them.

use leptos::prelude::*;

use crate::features::dashboard::server::DAYS;

const W: f64 = 600.0;
const H: f64 = 160.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 20.0;

/// `YYYY-MM-DD` of a day number since the epoch.
pub fn day_label(day: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(day * 86_400)
        .ok()
        .and_then(|t| t.format(time::macros::format_description!("[year]-[month]-[day]")).ok())
        .unwrap_or_default()
}

#[component]
pub fn BarChart(id: &'static str, title: &'static str, first_day: i64, values: Vec<i64>) -> impl IntoView {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let total: i64 = values.iter().sum();
    let peak = values.iter().enumerate().max_by_key(|(_, v)| **v).map_or(0, |(i, _)| i) as i64;
    let summary = format!(
        "{total} in the last {DAYS} days; most on {} ({}).",
        day_label(first_day + peak),
        values.get(peak as usize).copied().unwrap_or(0)
    );
    let step = W / values.len().max(1) as f64;
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = (H - TOP - BOTTOM) * (*v as f64) / (max as f64);
            let label = format!("{}: {v}", day_label(first_day + i as i64));
            view! {
                <rect
                    x=format!("{:.1}", i as f64 * step + 1.0)
                    y=format!("{:.1}", H - BOTTOM - h)
                    width=format!("{:.1}", step - 2.0)
                    height=format!("{h:.1}")
                    rx="2"
                    class="fill-indigo-500"
                >
                    <title>{label}</title>
                </rect>
            }
        })
        .collect_view();
    let rows = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            view! {
                <tr>
                    <td class="pr-4">{day_label(first_day + i as i64)}</td>
                    <td class="text-right tabular-nums">{*v}</td>
                </tr>
            }
        })
        .collect_view();
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    let labelledby = format!("{title_id} {desc_id}");
    view! {
        <figure class="min-w-0" data-testid=id>
            <figcaption class="mb-1 text-sm font-semibold">{title}</figcaption>
            <svg
                viewBox=format!("0 0 {W} {H}")
                class="h-40 w-full"
                role="img"
                aria-labelledby=labelledby
                preserveAspectRatio="none"
            >
                <title id=title_id>{title}</title>
                <desc id=desc_id>{summary.clone()}</desc>
                <line x1="0" x2=W y1=H - BOTTOM y2=H - BOTTOM class="stroke-slate-300 dark:stroke-slate-700" />
                <text x="0" y="12" class="fill-slate-600 text-[11px] dark:fill-slate-400">
                    {format!("max {max}")}
                </text>
                <text x="0" y=H - 4.0 class="fill-slate-600 text-[11px] dark:fill-slate-400">
                    {day_label(first_day)}
                </text>
                <text x=W y=H - 4.0 text-anchor="end" class="fill-slate-600 text-[11px] dark:fill-slate-400">
                    "today"
                </text>
                {bars}
            </svg>
            <p class="text-xs text-slate-600 dark:text-slate-400">{summary}</p>
            <details class="mt-1 text-sm">
                <summary class="inline-flex min-h-11 cursor-pointer items-center">"Show as a table"</summary>
                <table class="mt-1 text-sm">
                    <caption class="sr-only">{title}</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="pr-4 text-left">
                                "Day"
                            </th>
                            <th scope="col" class="text-right">
                                "Count"
                            </th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
}
