//! Catalogue errors and how SQLite failures map to them.

use crate::code::Code;
use std::path::{Path, PathBuf};

/// Catalogue errors, with stable codes (docs/errors.md).
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("{path}: catalogue is in use by another scan (locked); run again when that scan has finished, or use --wait")]
    Locked { path: PathBuf },
    #[error("{path}: catalogue file is corrupt ({detail}); `pairproof catalogue rebuild` exports user decisions first")]
    Corrupt { path: PathBuf, detail: String },
    #[error("{path}: catalogue schema version {found} is newer than this tool's {supported}")]
    Version {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{path}: catalogue I/O failed: {detail}")]
    Io { path: PathBuf, detail: String },
}

impl CatalogueError {
    pub fn code(&self) -> Code {
        match self {
            CatalogueError::Locked { .. } => Code::CatalogueLocked,
            CatalogueError::Corrupt { .. } => Code::CatalogueCorrupt,
            CatalogueError::Version { .. } => Code::CatalogueVersion,
            CatalogueError::Io { .. } => Code::CatalogueIo,
        }
    }
}

pub(super) fn classify(path: &Path, e: rusqlite::Error) -> CatalogueError {
    use rusqlite::ErrorCode;
    let p = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            CatalogueError::Locked { path: p }
        }
        Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
            CatalogueError::Corrupt {
                path: p,
                detail: e.to_string(),
            }
        }
        _ => CatalogueError::Io {
            path: p,
            detail: e.to_string(),
        },
    }
}
