//! Errors at the library boundary: "could not evaluate this file", never "a rule failed"
//! (a failed rule is a [`crate::compliance::Finding`], i.e. data).
//!
//! Every variant has a stable code (`E_…`) that is never renamed and never reused; the list with
//! explanations is in `docs/errors.md`. Every variant names the file it is about.

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
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "E_IO_NOT_FOUND",
            Error::Permission { .. } => "E_IO_PERMISSION",
            Error::NotRegularFile { .. } => "E_IO_NOT_REGULAR_FILE",
            Error::Io { .. } => "E_IO_READ",
            Error::FileEmpty { .. } => "E_FILE_EMPTY",
            Error::LimitFileBytes { .. } => "E_LIMIT_FILE_BYTES",
            Error::FormatUnrecognized { .. } => "E_FORMAT_UNRECOGNIZED",
            Error::FormatUnsupported { .. } => "E_FORMAT_UNSUPPORTED",
            Error::DecodeTruncated { .. } => "E_DECODE_TRUNCATED",
            Error::DecodeCorrupt { .. } => "E_DECODE_CORRUPT",
            Error::LimitDimensions { .. } => "E_LIMIT_DIMENSIONS",
            Error::LimitPixels { .. } => "E_LIMIT_PIXELS",
            Error::LimitFrames { .. } => "E_LIMIT_FRAMES",
            Error::LimitMemory { .. } => "E_LIMIT_MEMORY",
            Error::DecoderPanic { .. } => "E_DECODER_PANIC",
            Error::ImageTooSmall { .. } => "E_IMAGE_TOO_SMALL",
            Error::WorkerFailed { .. } => "E_WORKER_FAILED",
            Error::Output { .. } => "E_OUTPUT",
            Error::Usage { .. } => "E_USAGE",
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

/// Every stable error code, for documentation tests (docs/errors.md must list each one).
pub const ALL_ERROR_CODES: &[&str] = &[
    "E_IO_NOT_FOUND",
    "E_IO_PERMISSION",
    "E_IO_NOT_REGULAR_FILE",
    "E_IO_READ",
    "E_FILE_EMPTY",
    "E_LIMIT_FILE_BYTES",
    "E_FORMAT_UNRECOGNIZED",
    "E_FORMAT_UNSUPPORTED",
    "E_DECODE_TRUNCATED",
    "E_DECODE_CORRUPT",
    "E_LIMIT_DIMENSIONS",
    "E_LIMIT_PIXELS",
    "E_LIMIT_FRAMES",
    "E_LIMIT_MEMORY",
    "E_DECODER_PANIC",
    "E_IMAGE_TOO_SMALL",
    "E_WORKER_FAILED",
    "E_OUTPUT",
    "E_USAGE",
    // Batch pair lists (`check --pairs/--dir`), see src/batch/.
    "E_PAIR_INCOMPLETE",
    "E_PAIR_LIST",
    "E_PAIR_NONE",
];

pub type Result<T, E = Error> = std::result::Result<T, E>;
