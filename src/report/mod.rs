//! Output documents: the only place that shapes JSON or text for people. Every JSON document
//! carries `schema` (`pairproof.<kind>/<version>`) and `tool_version`; schemas are documented in
//! `docs/schemas.md` with full examples.

pub mod exit;
pub mod schema;
pub mod text;

use crate::code::Code;
use std::path::PathBuf;

use serde::Serialize;

use crate::compliance::{Finding, Status};
use crate::decode::{ColourSpace, Decoded, ExifSummary, QualityEstimate, Warning};
use crate::error::Error;

pub const LINT_SCHEMA: &str = schema::LINT;
pub const CHECK_SCHEMA: &str = schema::CHECK;
pub const STRIP_SCHEMA: &str = schema::STRIP;

/// Facts about one decoded input, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    pub path: PathBuf,
    pub format: &'static str,
    pub extension: Option<String>,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    pub sha256: String,
    pub colour_space: ColourSpace,
    pub jpeg_quality: Option<QualityEstimate>,
    pub alpha: bool,
    pub bit_depth: u8,
    pub animated: bool,
    pub exif: Option<ExifSummary>,
    pub warnings: Vec<Warning>,
}

impl From<&Decoded> for FileInfo {
    fn from(d: &Decoded) -> Self {
        FileInfo {
            path: d.source.path.clone(),
            format: d.format.name(),
            extension: d.extension.clone(),
            width: d.width(),
            height: d.height(),
            bytes: d.source.bytes,
            sha256: d.source.sha256.clone(),
            colour_space: d.metadata.colour_space.clone(),
            jpeg_quality: d.metadata.jpeg_quality,
            alpha: d.metadata.alpha,
            bit_depth: d.metadata.bit_depth,
            animated: d.metadata.animated,
            exif: d.metadata.exif.clone(),
            warnings: d.warnings.clone(),
        }
    }
}

/// A file that could not be evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorInfo {
    pub path: PathBuf,
    pub code: Code,
    pub message: String,
}

impl From<&Error> for ErrorInfo {
    fn from(e: &Error) -> Self {
        ErrorInfo {
            path: e.path().to_path_buf(),
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// One linted image.
#[derive(Debug, Clone, Serialize)]
pub struct LintResult {
    pub file: FileInfo,
    pub verdict: Status,
    pub findings: Vec<Finding>,
}

/// `pairproof lint` output.
#[derive(Debug, Clone, Serialize)]
pub struct LintReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub profile: crate::compliance::lint::Profile,
    pub results: Vec<LintResult>,
    pub errors: Vec<ErrorInfo>,
    pub summary: Summary,
}

/// Counts over a batch.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub total: usize,
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub error: usize,
}

impl Summary {
    pub fn add(&mut self, s: Status) {
        self.total += 1;
        match s {
            Status::Pass | Status::Skipped => self.pass += 1,
            Status::Warn => self.warn += 1,
            Status::Fail => self.fail += 1,
        }
    }
    pub fn add_error(&mut self) {
        self.total += 1;
        self.error += 1;
    }
    /// 2 if anything could not be evaluated, else 1 if anything failed, else 0.
    pub fn exit_code(&self) -> u8 {
        exit::code(self.fail > 0, self.error > 0)
    }
}

/// `pairproof strip` output.
#[derive(Debug, Clone, Serialize)]
pub struct StripDocument {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub results: Vec<crate::metadata::StripReport>,
    pub errors: Vec<ErrorInfo>,
}
