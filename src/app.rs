//! The HTML shell, the router and the console layout (sidebar on desktop, a
//! disclosure menu on phones that works without JavaScript).

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

use crate::domain::Staff;
use crate::error::AppError;
use crate::features::account::pages::{AccountPage, AccountRouteData, account_data};
use crate::features::apps::pages::{AppPage, AppRouteData, AppsPage, AppsRouteData, app_data, apps_data};
use crate::features::audit::pages::{LogRouteData, ModerationLogPage, log_data};
use crate::features::auth::pages::{ForgotPasswordPage, LoginPage, PasswordResetPage, SetupPage};
use crate::features::auth::server::load_page_session;
use crate::features::config::pages::{ConfigHistoryPage, ConfigPage};
use crate::features::dashboard::pages::DashboardPage;
use crate::features::invites::pages::{InvitesPage, InvitesRouteData, invites_data};
use crate::features::oauth_apps::pages::{OAuthAppsPage, OAuthAppsRouteData, oauth_apps_data};
use crate::features::organizations::pages::{
    OrganizationPage, OrganizationRouteData, OrganizationsPage, OrganizationsRouteData, organization_data,
    organizations_data,
};
use crate::features::outbox::pages::{
    OutboxMailPage, OutboxMailRouteData, OutboxPage, OutboxRouteData, outbox_data, outbox_mail_data,
};
use crate::features::registration::pages::{ConfirmPage, InvitePage, RegisterPage, RegistrationsPage};
use crate::features::reports::detail::{ReportPage, ReportRouteData, report_data};
use crate::features::reports::pages::ReportsPage;
use crate::features::settings::pages::{InstanceSettingsPage, RegistrationSettingsPage};
use crate::features::statuses::pages::{StatusesPage, StatusesRouteData, statuses_data};
use crate::features::users::detail::{NewUserPage, UserDetailPage, UserDetailRouteData, user_detail_data};
use crate::features::users::pages::{UsersPage, UsersRouteData, users_data};
use crate::features::webhooks::pages::{
    DeliveryPage, DeliveryRouteData, WebhooksPage, WebhooksRouteData, delivery_data, webhooks_data,
};
use crate::ui::data::page_data;
use crate::ui::page_session::{PageSession, SessionResource, ViewLink, use_page_session};
use crate::ui::{ErrorView, Flashes};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    page_policy_header();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
                <App />
            </body>
        </html>
    }
}

/// Sends the page's Content-Security-Policy with the nonce Leptos puts on
/// its hydration script (provided per request in `server::startup`).
#[cfg(feature = "ssr")]
fn page_policy_header() {
    use http::HeaderValue;
    use http::header::CONTENT_SECURITY_POLICY;
    if let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        && let Ok(v) = HeaderValue::from_str(&crate::server::security_headers::page_policy(&nonce))
    {
        res.insert_header(CONTENT_SECURITY_POLICY, v);
    }
}

/// The document title. leptos_meta writes the server's `<title>` without
/// escaping it, so text a user chose (a nickname, an app's name) is escaped
/// here on the server; the browser sets `document.title`, which is plain text.
fn page_title(t: String) -> String {
    let title = if t.is_empty() { "Steward".to_owned() } else { format!("{t} · Steward") };
    #[cfg(feature = "ssr")]
    let title = title.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    title
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let session: SessionResource = page_data(|| (), |_| load_page_session());
    provide_context(session);
    // Effects run only in the browser, after the body has hydrated: the
    // attribute tells end-to-end tests and bench/first-paint.mjs that the
    // page's handlers are live.
    #[cfg(feature = "hydrate")]
    Effect::new(|| {
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("data-hydrated", "");
        }
    });
    view! {
        <Title formatter=page_title />
        <a
            href="#main"
            class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900"
        >
            "Skip to content"
        </a>
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async />
                <Route path=path!("/password-reset") view=PasswordResetPage ssr=SsrMode::Async />
                <Route path=path!("/password-reset/:token") view=PasswordResetPage ssr=SsrMode::Async />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async />
                <Route path=path!("/invite/:token") view=InvitePage ssr=SsrMode::Async />
                <Route path=path!("/confirm/:token") view=ConfirmPage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/reports") view=ReportsPage ssr=SsrMode::Async />
                    <Route path=path!("/reports/:id") view={Lazy::<ReportRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/statuses") view={Lazy::<StatusesRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/users") view={Lazy::<UsersRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/users/new") view={Lazy::<NewUserRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/users/:id") view={Lazy::<UserDetailRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/invites") view={Lazy::<InvitesRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/apps") view={Lazy::<AppsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/apps/:id") view={Lazy::<AppRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/oauth-apps") view={Lazy::<OAuthAppsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/moderation-log") view={Lazy::<ModerationLogRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/registrations") view={Lazy::<RegistrationsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/organizations") view={Lazy::<OrganizationsRoute>::new()} ssr=SsrMode::Async />
                    <Route
                        path=path!("/organizations/:id")
                        view={Lazy::<OrganizationRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/outbox") view={Lazy::<OutboxRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/outbox/:id") view={Lazy::<OutboxMailRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/webhooks") view={Lazy::<WebhooksRoute>::new()} ssr=SsrMode::Async />
                    <Route
                        path=path!("/webhooks/deliveries/:id")
                        view={Lazy::<DeliveryRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/settings/registration")
                        view={Lazy::<RegistrationSettingsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/settings/instance")
                        view={Lazy::<InstanceSettingsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/config") view={Lazy::<ConfigRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/config/history") view={Lazy::<ConfigHistoryRoute>::new()} ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <Title text="Not found" />
        <main id="main" class="px-4">
            <ErrorView error=AppError::NotFound />
        </main>
    }
}

/// A navigation entry; an entry exists only once its feature does.
struct NavItem {
    href: &'static str,
    label: &'static str,
    admin_only: bool,
}

const NAV: &[NavItem] = &[
    NavItem { href: "/", label: "Dashboard", admin_only: false },
    NavItem { href: "/reports", label: "Reports", admin_only: false },
    NavItem { href: "/statuses", label: "Statuses", admin_only: false },
    NavItem { href: "/users", label: "Users", admin_only: false },
    NavItem { href: "/registrations", label: "Registrations", admin_only: true },
    NavItem { href: "/invites", label: "Invites", admin_only: true },
    NavItem { href: "/organizations", label: "Organizations", admin_only: true },
    NavItem { href: "/apps", label: "Apps", admin_only: true },
    NavItem { href: "/oauth-apps", label: "OAuth apps", admin_only: true },
    NavItem { href: "/moderation-log", label: "Moderation log", admin_only: true },
    NavItem { href: "/outbox", label: "Outbox", admin_only: true },
    NavItem { href: "/webhooks", label: "Webhooks", admin_only: true },
    NavItem { href: "/settings/registration", label: "Settings", admin_only: true },
    NavItem { href: "/config", label: "Configuration", admin_only: true },
    NavItem { href: "/account", label: "Account", admin_only: false },
];

fn nav_links(staff: &Staff, open_reports: i64) -> impl IntoView + use<> {
    let path = leptos_router::hooks::use_location().pathname;
    NAV.iter()
        .filter(|item| !item.admin_only || staff.is_admin())
        .map(|item| {
            let href = item.href;
            // A section stays current on its sub-pages (`/users/42`).
            let current = move || {
                path.with(|p| p == href || p.strip_prefix(href).is_some_and(|r| r.starts_with('/'))).then_some("page")
            };
            view! {
                <li>
                    <a href=href aria-current=current class="nav-link">
                        <span class="flex-1">{item.label}</span>
                        {(item.href == "/reports" && open_reports > 0)
                            .then(|| {
                                view! {
                                    <span
                                        class="rounded-full bg-amber-300 px-2 text-xs font-semibold text-amber-950 tabular-nums"
                                        data-testid="open-reports-badge"
                                    >
                                        {open_reports}
                                        <span class="sr-only">" open"</span>
                                    </span>
                                }
                            })}
                    </a>
                </li>
            }
        })
        .collect_view()
}

fn sign_out_form() -> impl IntoView {
    view! {
        <form method="post" action="/logout">
            <button
                type="submit"
                class="min-h-11 w-full rounded-lg px-3 text-left text-sm font-medium hover:bg-slate-200 dark:hover:bg-slate-800"
            >
                "Sign out"
            </button>
        </form>
    }
}

/// Saved user-list views with their live counts.
fn saved_views(views: &[ViewLink]) -> impl IntoView + use<> {
    (!views.is_empty()).then(|| {
        view! {
            <p
                class="px-3 pt-4 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400"
                id="views-h"
            >
                "Saved views"
            </p>
            <ul class="space-y-1" aria-labelledby="views-h" data-testid="saved-views">
                {views
                    .iter()
                    .map(|v| {
                        view! {
                            <li>
                                <a
                                    href=v.href.clone()
                                    class="flex min-h-11 items-center justify-between gap-2 rounded-lg px-3 text-sm hover:bg-slate-200 dark:hover:bg-slate-800"
                                >
                                    <span class="truncate">{v.name.clone()}</span>
                                    <span class="rounded-full bg-slate-200 px-2 text-xs tabular-nums dark:bg-slate-800">
                                        {v.count.clone()}
                                    </span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

/// The signed-in staff member's navigation: a sidebar on wide screens, a
/// `<details>` menu on phones (no JavaScript needed).
fn navigation(staff: &Staff, views: &[ViewLink], open_reports: i64) -> impl IntoView + use<> {
    let who = format!("@{} · {}", staff.nickname, staff.role.label());
    // After client-side navigation the phone menu closes, as a new page would.
    let path = leptos_router::hooks::use_location().pathname;
    let menu_open = move || {
        path.track();
        false
    };
    view! {
        <aside class="hidden md:flex md:min-h-screen md:w-60 md:flex-none md:flex-col md:border-r md:border-slate-200 md:px-3 md:py-4 dark:md:border-slate-800">
            <a href="/" class="mb-6 px-3 text-lg font-bold tracking-tight">
                "Steward"
            </a>
            <nav aria-label="Main" class="flex-1">
                <ul class="space-y-1">{nav_links(staff, open_reports)}</ul>
                {saved_views(views)}
            </nav>
            <div class="border-t border-slate-200 pt-3 dark:border-slate-800">
                <p class="px-3 pb-2 text-xs text-slate-600 dark:text-slate-400">{who.clone()}</p>
                {sign_out_form()}
            </div>
        </aside>
        <header class="sticky top-0 z-10 border-b border-slate-200 bg-slate-50/95 backdrop-blur md:hidden dark:border-slate-800 dark:bg-slate-950/95">
            <details prop:open=menu_open>
                <summary class="flex min-h-12 cursor-pointer list-none items-center justify-between px-4">
                    <span class="text-lg font-bold tracking-tight">"Steward"</span>
                    <span class="rounded-lg border border-slate-300 px-3 py-1.5 text-sm dark:border-slate-600">
                        "Menu"
                    </span>
                </summary>
                <nav aria-label="Main menu" class="px-3 pb-3">
                    <ul class="space-y-1">{nav_links(staff, open_reports)}</ul>
                    {saved_views(views)}
                    <p class="px-3 pt-3 text-xs text-slate-600 dark:text-slate-400">{who}</p>
                    {sign_out_form()}
                </nav>
            </details>
        </header>
    }
}

/// The console frame. The `<Outlet/>` stays outside the session's `Suspense`
/// so the page (and its data loading) is created once per render.
#[component]
fn ConsoleLayout() -> impl IntoView {
    let session = use_page_session();
    let nav = move || {
        Suspend::new(async move {
            match session.await {
                Ok(PageSession { staff: Some(staff), views, open_reports, .. }) => {
                    navigation(&staff, &views, open_reports).into_any()
                }
                _ => ().into_any(),
            }
        })
    };
    let flashes =
        move || Suspend::new(async move { session.await.map(|s| view! { <Flashes flashes=s.flashes /> }).ok() });
    view! {
        <div class="md:flex">
            <Suspense fallback=|| ()>{nav}</Suspense>
            <main id="main" class="min-w-0 flex-1 px-4 py-6 md:px-8">
                <div class="mx-auto max-w-5xl">
                    <Suspense fallback=|| ()>{flashes}</Suspense>
                    <Outlet />
                </div>
            </main>
        </div>
    }
}

// Lazy pages: each page's view code is split out of the main WASM bundle
// (`cargo leptos build --split`) and loaded when the route is first shown, or
// before hydration when the page is opened directly (`hydrate_lazy`). `data()`
// stays in the main bundle and runs as soon as the route matches: it starts
// the page's data request (`*_data()`, next to each page), so data and view
// code load together instead of one after the other. The server and the
// hydrating browser call it at the same point, so the data is still rendered
// into the HTML once and read back from it. The dashboard and the inbox, a
// moderator's first stops, stay in the main bundle, and so do the sign-in and
// sign-up pages. The settings and configuration pages load their data after
// their code on a client-side visit (they have no `data()` yet): they are
// rarely visited, and keeping them out of the main bundle makes every first
// load smaller (bench/README.md, "First paint on Slow 4G").
macro_rules! lazy_page {
    ($route:ident, $page:ident, $data:ty = $load:path) => {
        pub struct $route($data);

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route($load())
            }

            fn view(this: Self) -> AnyView {
                view! { <$page data=this.0 /> }.into_any()
            }
        }
    };
    // A page that needs only the page session, which the shell loads.
    ($route:ident, $page:ident) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(ReportRoute, ReportPage, ReportRouteData = report_data);
lazy_page!(StatusesRoute, StatusesPage, StatusesRouteData = statuses_data);
lazy_page!(UsersRoute, UsersPage, UsersRouteData = users_data);
lazy_page!(NewUserRoute, NewUserPage);
lazy_page!(RegistrationsRoute, RegistrationsPage);
lazy_page!(RegistrationSettingsRoute, RegistrationSettingsPage);
lazy_page!(InstanceSettingsRoute, InstanceSettingsPage);
lazy_page!(ConfigRoute, ConfigPage);
lazy_page!(ConfigHistoryRoute, ConfigHistoryPage);
lazy_page!(UserDetailRoute, UserDetailPage, UserDetailRouteData = user_detail_data);
lazy_page!(AccountRoute, AccountPage, AccountRouteData = account_data);
lazy_page!(InvitesRoute, InvitesPage, InvitesRouteData = invites_data);
lazy_page!(AppsRoute, AppsPage, AppsRouteData = apps_data);
lazy_page!(AppRoute, AppPage, AppRouteData = app_data);
lazy_page!(OAuthAppsRoute, OAuthAppsPage, OAuthAppsRouteData = oauth_apps_data);
lazy_page!(ModerationLogRoute, ModerationLogPage, LogRouteData = log_data);
lazy_page!(OrganizationsRoute, OrganizationsPage, OrganizationsRouteData = organizations_data);
lazy_page!(OrganizationRoute, OrganizationPage, OrganizationRouteData = organization_data);
lazy_page!(OutboxRoute, OutboxPage, OutboxRouteData = outbox_data);
lazy_page!(OutboxMailRoute, OutboxMailPage, OutboxMailRouteData = outbox_mail_data);
lazy_page!(WebhooksRoute, WebhooksPage, WebhooksRouteData = webhooks_data);
lazy_page!(DeliveryRoute, DeliveryPage, DeliveryRouteData = delivery_data);

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn the_server_title_cannot_be_broken_out_of() {
        assert_eq!(super::page_title(String::new()), "Steward");
        let title = super::page_title("</title><script>alert(1)</script> & co".into());
        assert_eq!(title, "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; co · Steward");
    }
}
