//! `/`: what needs attention (open reports, pending approvals), how big the
//! instance is, the last 30 days as charts, and the latest log entries.

use leptos::prelude::*;
use leptos_meta::Title;

use super::chart::BarChart;
use super::server::{DashboardData, dashboard};
use crate::features::audit::lines::log_line_items;
use crate::features::users::server::{COUNT_CAP, human};
use crate::ui::data::page_data;
use crate::ui::{BUTTON, ErrorView, PageHeader, SECTION};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = page_data(|| (), |_| dashboard());
    view! {
        <Title text="Dashboard" />
        <PageHeader title="Dashboard".into() />
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Dashboard d /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn card(href: &'static str, label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <a
            href=href
            class="block min-h-11 rounded-2xl border border-slate-200 bg-white p-4 hover:border-indigo-500 dark:border-slate-800 dark:bg-slate-900"
            data-testid=testid
        >
            <p class="text-sm text-slate-600 dark:text-slate-400">{label}</p>
            <p class="mt-1 text-2xl font-semibold tabular-nums">{value}</p>
        </a>
    }
}

#[component]
fn Dashboard(d: DashboardData) -> impl IntoView {
    let users = if d.users_exact { d.users.to_string() } else { format!("about {}", human(d.users)) };
    view! {
        <div class="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
            {card("/reports", "Open reports", d.open_reports.to_string(), "open-reports")}
            {card(
                if d.approver { "/registrations" } else { "/users?status=pending" },
                "Pending approvals",
                d.pending_approvals.map_or(format!("{COUNT_CAP}+"), |n| n.to_string()),
                "pending-approvals",
            )} {card("/users", "Users", users, "users-count")}
            {card("/statuses", "Statuses", human(d.statuses), "statuses-count")}
        </div>
        {d
            .newest_open
            .map(|id| {
                view! {
                    <a href=format!("/reports/{id}") class=format!("{BUTTON} mb-6 w-full sm:w-auto")>
                        "Start triage: newest open report →"
                    </a>
                }
            })}
        <section class=format!("{SECTION} grid grid-cols-1 gap-6 lg:grid-cols-2") aria-label="The last 30 days">
            <BarChart
                id="chart-registrations"
                title="Registrations per day"
                first_day=d.first_day
                values=d.registrations
            />
            <BarChart id="chart-reports" title="Reports per day" first_day=d.first_day values=d.reports />
        </section>
        {(!d.log.is_empty())
            .then(|| {
                view! {
                    <section class=SECTION aria-labelledby="log-h">
                        <h2 id="log-h" class="mb-2 text-lg font-semibold">
                            "Latest log entries"
                        </h2>
                        <ul class="space-y-2 text-sm" data-testid="latest-log">
                            {log_line_items(d.log)}
                        </ul>
                        <a
                            href="/moderation-log"
                            class="mt-3 inline-flex min-h-11 items-center text-sm text-indigo-700 underline dark:text-indigo-300"
                        >
                            "Whole log →"
                        </a>
                    </section>
                }
            })}
    }
}
