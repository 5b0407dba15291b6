//! Admission for reads: at most a few GET and HEAD requests are worked on at
//! once; the others wait here, costing nothing, until one finishes.
//!
//! Why: reads are CPU-bound on a small machine, so fifty at once serve no more
//! per second than four. They do slow writes down: every step of a write
//! (its token lookup, its turn, each statement, the commit) passes through the
//! same run queue, behind every runnable reader, while the write holds SQLite's
//! one write lock. Capping readers keeps that queue short, so writes stay fast
//! under a crowd of readers (bench/mixed.sh). Writes are not capped here: they
//! have their own gate in storage.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::Semaphore;

use crate::error::AppError;

/// How long a read waits for its turn before answering 503.
const READ_TURN_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads worked on at once.
#[derive(Clone, Debug)]
pub struct Reads(Arc<Semaphore>);

impl Reads {
    pub fn new(limit: usize) -> Self {
        Reads(Arc::new(Semaphore::new(limit.max(1))))
    }
}

/// Middleware: a read runs once it has a turn; probes never wait.
pub async fn reads_in_turn(State(reads): State<Reads>, req: Request, next: Next) -> Response {
    let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
    let is_probe = matches!(req.uri().path(), "/healthz" | "/readyz" | "/metrics");
    if !is_read || is_probe {
        return next.run(req).await;
    }
    let turn = match tokio::time::timeout(READ_TURN_TIMEOUT, reads.0.clone().acquire_owned()).await {
        Ok(Ok(turn)) => turn,
        _ => return AppError::Unavailable("Steward is busy. Try again in a moment.".into()).into_response(),
    };
    let response = next.run(req).await;
    if response.body().size_hint().exact().is_some() {
        return response; // the whole body is in hand: the work is done
    }
    // A console page streams while it renders: its turn lasts until the end.
    response.map(|body| {
        Body::from_stream(body.into_data_stream().map(move |chunk| {
            let _held = &turn;
            chunk
        }))
    })
}
