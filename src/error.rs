//! Errors at the library boundary: "could not evaluate this file", never "a rule failed"
//! (a failed rule is a [`crate::compliance::Finding`], i.e. data).
//!
//! Every variant has a stable code (`E_…`) that is never renamed and never reused; the list with
//! explanations is in `docs/errors.md`. Every variant names the file it is about.

use crate::code::Code;
use std::path::{Path, PathBuf};

/// What went wrong with one input (or output) file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: file not found")]
    NotFound { path: PathBuf },
    #[error("{path}: permission denied")]
    Permission { path: PathBuf },
    #[error("{path}: not a regular file ({kind}); only regular files are read")]
    NotRegularFile { path: PathBuf, kind: &'static str },
    #[error("{path}: read failed: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: file is empty (0 bytes)")]
    FileEmpty { path: PathBuf },
    #[error("{path}: file is {bytes} bytes, more than the {limit}-byte read limit")]
    LimitFileBytes {
        path: PathBuf,
        bytes: u64,
        limit: u64,
    },
    #[error("{path}: not an image this tool recognises ({looks_like})")]
    FormatUnrecognized { path: PathBuf, looks_like: String },
    #[error("{path}: {format} images are not supported ({detail})")]
    FormatUnsupported {
        path: PathBuf,
        format: String,
        detail: String,
    },
    #[error("{path}: image data is truncated ({detail})")]
    DecodeTruncated { path: PathBuf, detail: String },
    #[error("{path}: image data is corrupt ({detail})")]
    DecodeCorrupt { path: PathBuf, detail: String },
    #[error("{path}: {width}×{height} exceeds the {limit}-pixel side limit (read from the header, nothing decoded)")]
    LimitDimensions {
        path: PathBuf,
        width: u32,
        height: u32,
        limit: u32,
    },
    #[error("{path}: {width}×{height} = {pixels} pixels exceeds the {limit}-pixel limit (read from the header, nothing decoded)")]
    LimitPixels {
        path: PathBuf,
        width: u32,
        height: u32,
        pixels: u64,
        limit: u64,
    },
    #[error("{path}: {frames} frames exceeds the {limit}-frame limit")]
    LimitFrames {
        path: PathBuf,
        frames: u64,
        limit: u64,
    },
    #[error("{path}: the decoder refused to allocate the image ({detail})")]
    LimitMemory { path: PathBuf, detail: String },
    #[error(
        "{path}: the decoder panicked ({detail}); the file is probably crafted or badly corrupt"
    )]
    DecoderPanic { path: PathBuf, detail: String },
    #[error("{path}: {width}×{height} is smaller than the 11×11 SSIM window")]
    ImageTooSmall {
        path: PathBuf,
        width: u32,
        height: u32,
    },
    #[error("{path}: the isolated decoder process failed ({detail}); the file exceeded the --isolate limits or crashed the decoder")]
    WorkerFailed { path: PathBuf, detail: String },
    #[error("{path}: could not write output: {detail}")]
    Output { path: PathBuf, detail: String },
    #[error("{path}: {detail}")]
    Usage { path: PathBuf, detail: String },
}

impl Error {
    /// The stable machine-readable code. Never renamed, never reused.
    pub fn code(&self) -> Code {
        match self {
            Error::NotFound { .. } => Code::IoNotFound,
            Error::Permission { .. } => Code::IoPermission,
            Error::NotRegularFile { .. } => Code::IoNotRegularFile,
            Error::Io { .. } => Code::IoRead,
            Error::FileEmpty { .. } => Code::FileEmpty,
            Error::LimitFileBytes { .. } => Code::LimitFileBytes,
            Error::FormatUnrecognized { .. } => Code::FormatUnrecognized,
            Error::FormatUnsupported { .. } => Code::FormatUnsupported,
            Error::DecodeTruncated { .. } => Code::DecodeTruncated,
            Error::DecodeCorrupt { .. } => Code::DecodeCorrupt,
            Error::LimitDimensions { .. } => Code::LimitDimensions,
            Error::LimitPixels { .. } => Code::LimitPixels,
            Error::LimitFrames { .. } => Code::LimitFrames,
            Error::LimitMemory { .. } => Code::LimitMemory,
            Error::DecoderPanic { .. } => Code::DecoderPanic,
            Error::ImageTooSmall { .. } => Code::ImageTooSmall,
            Error::WorkerFailed { .. } => Code::WorkerFailed,
            Error::Output { .. } => Code::Output,
            Error::Usage { .. } => Code::Usage,
        }
    }

    /// The file this error is about.
    pub fn path(&self) -> &Path {
        match self {
            Error::NotFound { path }
            | Error::Permission { path }
            | Error::NotRegularFile { path, .. }
            | Error::Io { path, .. }
            | Error::FileEmpty { path }
            | Error::LimitFileBytes { path, .. }
            | Error::FormatUnrecognized { path, .. }
            | Error::FormatUnsupported { path, .. }
            | Error::DecodeTruncated { path, .. }
            | Error::DecodeCorrupt { path, .. }
            | Error::LimitDimensions { path, .. }
            | Error::LimitPixels { path, .. }
            | Error::LimitFrames { path, .. }
            | Error::LimitMemory { path, .. }
            | Error::DecoderPanic { path, .. }
            | Error::ImageTooSmall { path, .. }
            | Error::WorkerFailed { path, .. }
            | Error::Output { path, .. }
            | Error::Usage { path, .. } => path,
        }
    }

    /// Map an I/O error on `path` to the most specific variant.
    pub fn from_io(path: &Path, source: std::io::Error) -> Error {
        let path = path.to_path_buf();
        match source.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound { path },
            std::io::ErrorKind::PermissionDenied => Error::Permission { path },
            _ => Error::Io { path, source },
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
