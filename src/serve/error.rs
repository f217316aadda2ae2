//! The error every handler returns: a status, a stable code, a message and the file it is
//! about, rendered as the `pairproof.serve-error` document.

use crate::code::Code;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error response: status, stable code, message, and the file it is about.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: Code,
    message: String,
    file: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: Code, message: String, file: Option<String>) -> ApiError {
        ApiError {
            status,
            code,
            message,
            file,
        }
    }
    pub fn bad_request(message: String) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, Code::BadRequest, message, None)
    }
    pub fn too_large(name: &str, cap: usize) -> ApiError {
        let what = if name.is_empty() {
            "the upload".to_string()
        } else {
            name.to_string()
        };
        let limit = if cap > 0 {
            format!(
                " (at most {:.0} MB per file here; the marketplace allows 5 MB)",
                cap as f64 / 1_048_576.0
            )
        } else {
            String::new()
        };
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            Code::UploadTooLarge,
            format!("{what} is too large{limit}"),
            (!name.is_empty()).then(|| name.to_string()),
        )
    }
    pub(super) fn missing(field: &str) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Code::UploadMissing,
            format!("no file in the `{field}` field"),
            None,
        )
    }
    pub(super) fn outside(p: &str) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            Code::PathOutsideRoots,
            format!("{p}: not under a folder this server may read (start it with --root FOLDER)"),
            Some(p.to_string()),
        )
    }
    pub(super) fn busy(message: &str) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            Code::Busy,
            message.to_string(),
            None,
        )
    }
    pub(super) fn internal(message: String) -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::Internal,
            message,
            None,
        )
    }
    /// A library error about one file.
    pub(super) fn of(e: &crate::Error, name: &str) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            e.code(),
            e.to_string(),
            Some(name.to_string()),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "schema": super::ERROR_SCHEMA,
            "code": self.code,
            "message": self.message,
            "file": self.file,
        });
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
