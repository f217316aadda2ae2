//! The guard in front of every route: Host, Origin and token checks (a page on another site
//! must not reach a local server) and the security headers on every response.

use crate::code::Code;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::api::St;
use super::error::{ApiError, ApiResult};
use super::AppState;

const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

pub async fn guard(State(st): St, req: Request, next: Next) -> Response {
    if let Err(e) = admit(&st, req.headers(), req.uri().path()) {
        return with_headers(e.into_response());
    }
    with_headers(next.run(req).await)
}

fn admit(st: &AppState, h: &HeaderMap, path: &str) -> ApiResult<()> {
    let forbidden =
        |m: &str| ApiError::new(StatusCode::FORBIDDEN, Code::Token, m.to_string(), None);
    let host = h
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // A loopback server answers only to its own names: a web page that rebinds its DNS name
    // to 127.0.0.1 cannot read it.
    if st.opts.bind.is_loopback() && !st.hosts.iter().any(|x| x.eq_ignore_ascii_case(host)) {
        return Err(forbidden("unexpected Host header"));
    }
    if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        if origin != format!("http://{host}") {
            return Err(forbidden("cross-origin requests are not accepted"));
        }
    }
    if let Some(token) = st.opts.token.as_deref().filter(|t| !t.is_empty()) {
        if path.starts_with("/api/") {
            let sent = h
                .get("x-pairproof-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), token.as_bytes()) {
                return Err(forbidden("missing or wrong X-Pairproof-Token"));
            }
        }
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn with_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}
