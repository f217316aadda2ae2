//! `pairproof serve`: the library behind a local web page (assets embedded, no network use).
//! Every endpoint calls the same library functions as the CLI — [`crate::check`],
//! [`crate::metadata::strip_verified`], [`crate::batch::role_of`], [`crate::catalogue::scan`],
//! [`crate::evidence`] — and nothing is re-implemented in JavaScript. The HTTP contract is in
//! docs/serve.md.
//!
//! Safety: loopback by default (any other address needs a token); requests whose `Host` or
//! `Origin` is not this server are refused (DNS rebinding, cross-site posts); uploads stay in
//! memory, or in a private temporary folder deleted after the request (evidence); no path
//! outside the `--root` folders is ever read; CPU work runs on a bounded pool, and a scan on a
//! pool of its own, so pages stay responsive during a scan.

mod api;
mod error;
mod fix;
mod guard;
mod jobs;
mod page;
mod upload;

use crate::code::Code;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

/// Schema of every error document the server returns.
pub const ERROR_SCHEMA: &str = crate::report::schema::SERVE_ERROR;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: IpAddr,
    /// 0 = any free port.
    pub port: u16,
    /// Folders a scan (and the thumbnails) may read; nothing else on disk is read.
    pub roots: Vec<PathBuf>,
    /// Required for a non-loopback address: every API request must send it in
    /// `X-Pairproof-Token`.
    pub token: Option<String>,
    pub catalogue: PathBuf,
    /// Largest single uploaded file (above the 5 MB marketplace rule, so an oversize file is
    /// reported by the `file.size` rule rather than refused).
    pub max_file_bytes: usize,
    /// Largest request (a batch of files or a zip).
    pub max_request_bytes: usize,
    /// Concurrent CPU-bound requests.
    pub cpu_slots: usize,
}

impl ServeOptions {
    pub fn new(catalogue: PathBuf) -> ServeOptions {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        ServeOptions {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8722,
            roots: Vec::new(),
            token: None,
            catalogue,
            max_file_bytes: 25 * 1024 * 1024,
            max_request_bytes: 256 * 1024 * 1024,
            cpu_slots: cores,
        }
    }
}

/// The server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("refusing to listen on {addr} without --token: anyone on the network could read files under the roots")]
    TokenRequired { addr: IpAddr },
    #[error("{path}: --root must be an existing folder ({detail})")]
    BadRoot { path: PathBuf, detail: String },
    #[error("cannot listen on {addr}: {detail}")]
    Bind { addr: SocketAddr, detail: String },
}

impl ServeError {
    pub fn code(&self) -> Code {
        match self {
            ServeError::TokenRequired { .. } | ServeError::BadRoot { .. } => Code::Usage,
            ServeError::Bind { .. } => Code::ServeBind,
        }
    }
}

/// Shared by every request.
pub(crate) struct AppState {
    pub opts: ServeOptions,
    /// Canonical roots.
    pub roots: Vec<PathBuf>,
    pub cpu: tokio::sync::Semaphore,
    pub jobs: jobs::Jobs,
    /// Set once the listener is bound: the only `Host` values accepted.
    pub hosts: Vec<String>,
}

/// Check the options and canonicalise the roots.
fn prepare(opts: &ServeOptions) -> Result<Vec<PathBuf>, ServeError> {
    if !opts.bind.is_loopback() && opts.token.as_deref().unwrap_or("").is_empty() {
        return Err(ServeError::TokenRequired { addr: opts.bind });
    }
    opts.roots
        .iter()
        .map(|r| {
            let c = std::fs::canonicalize(r).map_err(|e| ServeError::BadRoot {
                path: r.clone(),
                detail: e.to_string(),
            })?;
            if !c.is_dir() {
                return Err(ServeError::BadRoot {
                    path: r.clone(),
                    detail: "not a folder".into(),
                });
            }
            Ok(c)
        })
        .collect()
}

fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/api/info", get(api::info))
        .route("/api/check", post(api::check))
        .route("/api/strip-gps", post(api::strip_gps))
        .route("/api/fix", post(fix::fix))
        .route("/api/batch", post(api::batch))
        .route("/api/scan", post(api::start_scan))
        .route("/api/scan/{job}/events", get(api::scan_events))
        .route("/api/image", get(api::image))
        .route("/api/decision", post(api::decision))
        .route("/api/evidence", post(api::evidence))
        .fallback(page::not_found);
    Router::new()
        .route("/", get(page::index))
        .route("/assets/{name}", get(page::asset))
        .merge(api)
        .layer(DefaultBodyLimit::max(state.opts.max_request_bytes))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .with_state(state)
}

/// Bind, call `ready` with the address, and serve until Ctrl-C / SIGTERM.
pub fn run(opts: ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let roots = prepare(&opts)?;
    let addr = SocketAddr::new(opts.bind, opts.port);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Bind {
            addr,
            detail: e.to_string(),
        })?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| ServeError::Bind {
                addr,
                detail: e.to_string(),
            })?;
        let local = listener.local_addr().map_err(|e| ServeError::Bind {
            addr,
            detail: e.to_string(),
        })?;
        let port = local.port();
        let mut hosts = vec![format!("{}:{port}", fmt_host(local.ip()))];
        if local.ip().is_loopback() {
            hosts.push(format!("localhost:{port}"));
            hosts.push(format!("127.0.0.1:{port}"));
            hosts.push(format!("[::1]:{port}"));
        }
        let state = Arc::new(AppState {
            cpu: tokio::sync::Semaphore::new(opts.cpu_slots.max(1)),
            jobs: jobs::Jobs::default(),
            opts,
            roots,
            hosts,
        });
        ready(local);
        axum::serve(listener, router(state))
            .with_graceful_shutdown(shutdown())
            .await
            .map_err(|e| ServeError::Bind {
                addr,
                detail: e.to_string(),
            })
    })
}

fn fmt_host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v) => v.to_string(),
        IpAddr::V6(v) => format!("[{v}]"),
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
