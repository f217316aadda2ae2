//! The page: `index.html`, `style.css` and the ES modules, embedded in the binary.

use crate::code::Code;
use crate::i18n::Lang;
use axum::extract::Path as UrlPath;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

pub async fn index() -> Response {
    asset_response("index.html")
}

pub async fn asset(UrlPath(name): UrlPath<String>) -> Response {
    asset_response(&name)
}

/// The page's ES modules (app.js imports the others), served under /assets/.
const SCRIPTS: &[(&str, &str)] = &[
    ("app.js", include_str!("assets/app.js")),
    ("lang.js", include_str!("assets/lang.js")),
    ("i18n.js", include_str!("assets/i18n.js")),
    ("api.js", include_str!("assets/api.js")),
    ("state.js", include_str!("assets/state.js")),
    ("ui.js", include_str!("assets/ui.js")),
    ("findings.js", include_str!("assets/findings.js")),
    ("check.js", include_str!("assets/check.js")),
    ("batch.js", include_str!("assets/batch.js")),
    ("scan.js", include_str!("assets/scan.js")),
    ("evidence.js", include_str!("assets/evidence.js")),
];

const SCRIPT: &str = "text/javascript; charset=utf-8";

fn asset_response(name: &str) -> Response {
    let (body, mime): (&'static str, &'static str) = match name {
        "index.html" => (
            include_str!("assets/index.html"),
            "text/html; charset=utf-8",
        ),
        "style.css" => (include_str!("assets/style.css"), "text/css; charset=utf-8"),
        // The words: pairproof's one message catalogue, which the command line reads too.
        "i18n-en.js" => (crate::i18n::page_module(Lang::En), SCRIPT),
        "i18n-zh.js" => (crate::i18n::page_module(Lang::ZhCn), SCRIPT),
        _ => match SCRIPTS.iter().find(|(n, _)| *n == name) {
            Some((_, body)) => (body, SCRIPT),
            None => return not_found_response(),
        },
    };
    ([(header::CONTENT_TYPE, mime)], body).into_response()
}

pub(super) fn not_found_response() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        Code::NotFound,
        "no such page".into(),
        None,
    )
    .into_response()
}

pub async fn not_found() -> Response {
    not_found_response()
}
