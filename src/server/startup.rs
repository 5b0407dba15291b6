//! Builds the router and runs the server until SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer};

use super::config::Config;
use super::state::AppState;
use super::storage::{Db, instance, users};
use super::telemetry;
use crate::app::{App, shell};
use crate::auth::{csrf, session};
use crate::error::AppError;

/// Largest request body accepted anywhere (413 beyond).
pub const BODY_LIMIT: usize = 1024 * 1024;
pub const SESSION_COOKIE: &str = "steward_session";

pub async fn build(db: Db, config: Config, leptos_options: LeptosOptions) -> Result<Router, AppError> {
    let state = AppState { db: db.clone(), config: Arc::new(config), leptos_options, daily: Default::default() };
    telemetry::prometheus();

    let store = session::Store::for_db(&db).await?;
    tokio::spawn(store.clone().continuously_delete_expired(Duration::from_secs(600)));
    tokio::spawn(prune_login_failures(db.clone(), state.config.login_limits.window_secs));
    let sessions = SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::seconds(
            state.config.session_idle.as_secs() as i64,
        )));

    let routes = generate_route_list(App);
    let console = Router::new()
        .merge(crate::features::forms::router())
        .leptos_routes_with_context(&state, routes, || (), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            shell,
        ))
        .layer(from_fn_with_state(state.clone(), csrf::same_origin_only))
        .layer(axum::middleware::from_fn(crate::ui::html_errors::render_for_browsers))
        .layer(from_fn_with_state(state.clone(), session::load_staff))
        .layer(sessions);

    let request_id = HeaderName::from_static("x-request-id");
    let app = Router::new()
        .nest("/api/v1/admin", crate::api::admin_router(state.clone()))
        .nest("/api/pleroma/admin", crate::api::admin_router(state.clone()))
        .nest("/api/v1/pleroma/admin", crate::api::admin_router(state.clone()))
        .nest(crate::api::INTAKE_PREFIX, crate::api::intake_router(state.clone()))
        .route("/api/v1/openapi.json", get(crate::api::openapi_json))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(telemetry::metrics_handler))
        .merge(console)
        .layer(axum::middleware::from_fn(telemetry::track))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state);
    Ok(app)
}

/// Forgets failed sign-ins once no throttle window can count them.
async fn prune_login_failures(db: Db, window_secs: i64) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let pruned = async {
            let mut conn = db.conn().await?;
            crate::server::storage::throttle::prune(conn.as_ref(), crate::server::storage::now() - window_secs).await
        };
        if let Err(e) = pruned.await {
            e.log();
        }
    }
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            e.log();
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

/// On first run (no admin yet), stores a fresh one-time setup token and
/// returns the URL to print; later runs return `None`.
pub async fn prepare_setup(db: &Db, config: &Config) -> Result<Option<String>, AppError> {
    let mut conn = db.conn().await?;
    if users::admin_exists(conn.as_ref()).await? {
        return Ok(None);
    }
    let token = crate::auth::tokens::generate();
    instance::set(conn.as_ref(), instance::SETUP_TOKEN_HASH, &crate::auth::tokens::hash(&token)).await?;
    Ok(Some(format!("{}/setup?token={token}", config.base_url())))
}

/// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests.
pub async fn serve(router: Router, addr: SocketAddr) -> Result<(), AppError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| AppError::Internal(format!("cannot listen on {addr}: {e}")))?;
    tracing::info!(%addr, "steward listening");
    serve_on(listener, router, shutdown_signal()).await
}

/// Serves on a bound listener until `shutdown` completes (tests pass their own).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| AppError::Internal(format!("server: {e}")))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}
