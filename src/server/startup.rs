//! Builds the router and runs the server until SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer};

use super::config::Config;
use super::live::Live;
use super::state::AppState;
use super::storage::{Db, instance, users};
use super::{admission, assets, cors, rejections, security_headers, telemetry};
use crate::app::{App, shell};
use crate::auth::{csrf, session};
use crate::error::AppError;

/// Largest request body accepted anywhere (413 beyond).
pub const BODY_LIMIT: usize = 1024 * 1024;
pub const SESSION_COOKIE: &str = "steward_session";

/// The app: a thin router that hands each request to the current assembly
/// ([`assemble`]), which `/restart` replaces ([`Reloader`]).
pub async fn build(db: Db, config: Config, leptos_options: LeptosOptions) -> Result<Router, AppError> {
    let live = Live::load(db.clone(), config.env.clone()).await?;
    let slot: Slot = Arc::new(RwLock::new(Router::new()));
    let state = AppState {
        db: db.clone(),
        config: Arc::new(config),
        leptos_options,
        daily: Default::default(),
        usage: Default::default(),
        peers: Default::default(),
        live: live.clone(),
        reloader: Reloader(Arc::downgrade(&slot)),
        tasks: Default::default(),
    };
    telemetry::prometheus();

    let store = session::Store::for_db(&db).await?;
    state.tasks.spawn(async move {
        let _ = store.continuously_delete_expired(Duration::from_secs(600)).await;
    });
    state.tasks.spawn(prune_login_failures(db.clone(), live.clone()));
    state.tasks.spawn(refresh_statistics(db.clone()));
    state.tasks.spawn(crate::mail::worker::follow(db.clone(), live.clone()));
    crate::webhooks::worker::spawn(&state.tasks, db.clone(), state.config.webhook_pace.clone())?;
    state.tasks.spawn(live.watch());

    *slot.write().unwrap_or_else(|p| p.into_inner()) = assemble(&state).await?;
    Ok(Router::new().fallback_service(tower::service_fn(move |req: axum::extract::Request| {
        let current = slot.read().unwrap_or_else(|p| p.into_inner()).clone();
        current.oneshot(req)
    })))
}

/// Where the current assembly is kept.
type Slot = Arc<RwLock<Router>>;

/// Replaces the running assembly with one built from the current settings.
/// Holds the slot weakly: the slot's router holds the state, which holds this.
#[derive(Clone, Debug)]
pub struct Reloader(std::sync::Weak<RwLock<Router>>);

impl Reloader {
    /// Re-reads the settings and reassembles the app; requests already
    /// running finish on the old assembly. Returns the settings now applied.
    pub async fn reload(&self, state: &AppState) -> Result<Arc<crate::server::live::Resolved>, AppError> {
        state.live.refresh().await?;
        let applied = state.live.mark_applied();
        let fresh = assemble(state).await?;
        let slot = self.0.upgrade().ok_or_else(|| AppError::Internal("the app is shutting down".into()))?;
        *slot.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        tracing::info!("reassembled the app from the current settings");
        Ok(applied)
    }
}

/// The routes and layers, built from the settings applied at this moment
/// (`Live::applied`): the session idle timeout and the read admission are
/// fixed per assembly; everything else reads the live settings per request.
async fn assemble(state: &AppState) -> Result<Router, AppError> {
    let applied = state.live.applied();
    let store = session::Store::for_db(&state.db).await?;
    let sessions = SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::seconds(
            applied.session_idle.as_secs() as i64,
        )));
    let state = state.clone();

    let routes = generate_route_list(App);
    let console = Router::new()
        .merge(crate::features::forms::router())
        // A fresh nonce per page for its scripts and its Content-Security-Policy.
        .leptos_routes_with_context(&state, routes, leptos::nonce::provide_nonce, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            {
                let state = state.clone();
                move || {
                    provide_context(state.clone());
                    leptos::nonce::provide_nonce();
                }
            },
            shell,
        ))
        .layer(from_fn_with_state(state.clone(), csrf::same_origin_only))
        .layer(from_fn_with_state(state.clone(), session::load_staff))
        .layer(sessions);

    let request_id = HeaderName::from_static("x-request-id");
    // What clients call from other origins: token auth only, CORS outside it
    // so preflights are answered before authentication.
    let api = Router::new()
        .nest("/api/v1/admin", crate::api::admin_router(state.clone()))
        .nest("/api/pleroma/admin", crate::api::admin_router(state.clone()))
        .nest("/api/v1/pleroma/admin", crate::api::admin_router(state.clone()))
        .nest(crate::api::INTAKE_PREFIX, crate::api::intake_router(state.clone()))
        .merge(crate::features::instance::discovery::router(state.clone()))
        .merge(crate::features::oauth::routes::api_router())
        .merge(crate::features::registration::api::public_router())
        .merge(crate::features::organizations::flashback::public_router())
        .merge(crate::features::auth::forgot::public_router())
        .route("/api/v1/openapi.json", get(crate::api::openapi_json))
        .layer(cors::layer(state.live.clone()));
    let app = Router::new()
        .merge(api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(telemetry::metrics_handler))
        .merge(console)
        .layer(from_fn_with_state(admission::Reads::new(applied.read_concurrency), admission::reads_in_turn))
        .layer(CatchPanicLayer::custom(rejections::panic_response))
        .layer(axum::middleware::from_fn(rejections::contract))
        .layer(axum::middleware::from_fn(security_headers::add))
        .layer(axum::middleware::from_fn(assets::cache_control))
        .layer(axum::middleware::from_fn(telemetry::track))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
                })
                // A 503 under load is expected; real faults are logged at
                // ERROR with their detail by `AppError::log`.
                .on_failure(tower_http::trace::DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state);
    Ok(app)
}

/// Forgets failed sign-ins once no throttle window can count them
/// (public registrations count over an hour, sign-ins over their window).
async fn prune_login_failures(db: Db, live: Live) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let window_secs = live.current().login_limits.window_secs.max(3600);
        let pruned = async {
            let mut conn = db.conn().await?;
            crate::server::storage::throttle::prune(conn.as_ref(), crate::server::storage::now() - window_secs).await
        };
        if let Err(e) = pruned.await {
            e.log();
        }
    }
}

/// Keeps the planner's statistics current as tables grow: at start and hourly.
async fn refresh_statistics(db: Db) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = db.refresh_statistics().await {
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
pub async fn serve(router: Router, addr: SocketAddr, reuse_port: bool) -> Result<(), AppError> {
    let listener = listen(addr, reuse_port).map_err(|e| AppError::Internal(format!("cannot listen on {addr}: {e}")))?;
    tracing::info!(%addr, reuse_port, "steward listening");
    serve_on(listener, router, shutdown_signal()).await
}

/// What `TcpListener::bind` does (SO_REUSEADDR, a backlog of 1024), plus
/// SO_REUSEPORT when asked, so that other processes started the same way can
/// listen on `addr` too and the kernel spreads connections among them.
fn listen(addr: SocketAddr, reuse_port: bool) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    #[cfg(unix)]
    {
        socket.set_reuseaddr(true)?;
        socket.set_reuseport(reuse_port)?;
    }
    #[cfg(not(unix))]
    if reuse_port {
        return Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "--reuse-port needs a Unix system"));
    }
    socket.bind(addr)?;
    socket.listen(1024)
}

/// A client has this long to send its request line and headers (slowloris).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Requests one HTTP/2 connection may have in flight.
const MAX_STREAMS_PER_CONNECTION: u32 = 32;
/// How long shutdown waits for in-flight requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Serves on a bound listener until `shutdown` completes (tests pass their
/// own), then lets in-flight requests finish. hyper-util's connection
/// builder instead of `axum::serve`, for its header read timeout.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;

    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    builder.http2().timer(TokioTimer::new()).max_concurrent_streams(MAX_STREAMS_PER_CONNECTION);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, don't spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = router.clone().map_request(move |req: http::Request<hyper::body::Incoming>| {
            let mut req = req.map(axum::body::Body::new);
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            req
        });
        let conn = builder.serve_connection_with_upgrades(
            TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let conn = graceful.watch(conn.into_owned());
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still in flight after the shutdown grace period");
    }
    Ok(())
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
