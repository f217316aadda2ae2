//! The marketplace's rules, as data: each rule measures something and the [`crate::Policy`]
//! judges it into a [`Finding`]. A failed rule is a finding, never an error.

pub mod background;
pub mod lint;
pub mod pair;

use serde::Serialize;
use serde_json::Value;

/// Outcome of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    /// Not evaluated (the reason is in the message), e.g. SSIM when dimensions differ.
    Skipped,
    Warn,
    Fail,
}

/// One rule's result: stable id, status, measured value, limit, and a one-line message a seller
/// understands (plus what to do about it when it did not pass).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub status: Status,
    pub measured: Value,
    pub limit: Value,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    pub fn new(
        id: &'static str,
        status: Status,
        measured: Value,
        limit: Value,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            id,
            status,
            measured,
            limit,
            message: message.into(),
            fix: None,
        }
    }
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        if self.status != Status::Pass {
            self.fix = Some(fix.into());
        }
        self
    }
}

/// Overall verdict of a list of findings: the worst status (skipped counts as pass).
pub fn verdict(findings: &[Finding]) -> Status {
    findings
        .iter()
        .map(|f| {
            if f.status == Status::Skipped {
                Status::Pass
            } else {
                f.status
            }
        })
        .max()
        .unwrap_or(Status::Pass)
}

/// Every stable rule id, for the documentation test (docs/rules.md lists each one).
pub const ALL_RULE_IDS: &[&str] = &[
    "ssim",
    "dims.equal",
    "dims.aspect",
    "format",
    "file.size",
    "background",
    "metadata.gps",
    "color.srgb",
    "compression",
    "subject.overlap",
    "lint.background_white",
    "lint.min_size",
    "lint.max_side",
    "lint.subject_fill",
    "lint.file_size_recommended",
    "lint.live_cover_size",
];

pub(crate) fn rgb_json(c: &[f64; 3]) -> Value {
    serde_json::json!([round2(c[0]), round2(c[1]), round2(c[2])])
}

pub(crate) fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

pub(crate) fn mib(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / (1024.0 * 1024.0))
}
