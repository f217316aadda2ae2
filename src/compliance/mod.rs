//! The marketplace's rules, as data: each rule measures something and the [`crate::Policy`]
//! judges it into a [`Finding`]. A failed rule is a finding, never an error.

pub mod background;
pub mod clean;
pub mod lint;
pub mod measures;
pub mod overlap;
pub mod pair;
mod reason;

use serde::Serialize;
use serde_json::Value;

pub use reason::Reason;

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

/// Where a finding's rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A published platform rule: failing it makes the platform reject the pair.
    Platform,
    /// pairproof's advice: a warning about risk or quality, never a rejection by itself.
    Advice,
}

/// A marked area of one image, drawn by the heatmap and the web page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Marked {
    /// Which image the box is on.
    pub image: Role,
    #[serde(rename = "box")]
    pub bbox: crate::overlay::raster::PxBox,
    pub what: What,
    /// The overlay's kind, for overlays and product print.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::overlay::Kind>,
    /// 0–1; 1 for measured differences.
    pub confidence: f32,
    /// Where a pair difference lies (edges, corners, over the product).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<crate::overlay::added::Place>,
    /// Where a detection lies relative to the product.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<crate::overlay::Placement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<crate::overlay::Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<crate::overlay::border::Side>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opacity: Option<f32>,
}

/// What a marked area is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    /// Drawn on top of the photo (text, logo, QR code…).
    Overlay,
    /// Part of the product (print on a box): not an overlay.
    ProductPrint,
    /// The main image has it and the hidden image does not.
    AddedOnMain,
}

impl Marked {
    pub fn detection(image: Role, d: &crate::overlay::Detection) -> Self {
        Marked {
            image,
            bbox: d.bbox,
            what: match d.judgement {
                crate::overlay::Judgement::Overlay => What::Overlay,
                crate::overlay::Judgement::ProductPrint => What::ProductPrint,
            },
            kind: Some(d.kind),
            confidence: (d.confidence * 100.0).round() / 100.0,
            place: None,
            placement: Some(d.placement),
            evidence: Some(d.evidence),
            side: d.side,
            opacity: d.opacity.map(|o| (o * 100.0).round() / 100.0),
        }
    }
    pub fn added(r: &crate::overlay::added::AddedRegion) -> Self {
        Marked {
            image: Role::Main,
            bbox: r.bbox,
            what: What::AddedOnMain,
            kind: None,
            confidence: 1.0,
            place: Some(r.place),
            placement: None,
            evidence: None,
            side: None,
            opacity: None,
        }
    }
}

/// Which image of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Main,
    Hidden,
}

/// One rule's result: stable id, status, a stable reason code, measured value, limit, and a
/// one-line message a seller understands (plus what to do about it when it did not pass).
/// UIs choose their words from `id` + `reason` (never from `message`, which is English).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub status: Status,
    pub origin: Origin,
    pub reason: Reason,
    pub measured: Value,
    pub limit: Value,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Where on the images the finding is (overlays, codes, frames…), with kind and confidence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub boxes: Vec<Marked>,
}

impl Finding {
    /// A finding of a platform rule (warnings are pairproof's advice: see [`Finding::advice`]).
    pub fn new(
        id: &'static str,
        status: Status,
        reason: Reason,
        measured: Value,
        limit: Value,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            id,
            status,
            origin: if status == Status::Warn {
                Origin::Advice
            } else {
                Origin::Platform
            },
            reason,
            measured,
            limit,
            message: message.into(),
            fix: None,
            boxes: vec![],
        }
    }
    /// Mark the finding as pairproof's advice rather than a platform rule.
    pub fn advice(mut self) -> Self {
        self.origin = Origin::Advice;
        self
    }
    pub fn with_boxes(mut self, boxes: Vec<Marked>) -> Self {
        self.boxes = boxes;
        self
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
    "overlay.main",
    "hidden.clean.qr",
    "hidden.clean.barcode",
    "hidden.clean.frame",
    "hidden.clean.banner",
    "hidden.clean.sticker",
    "hidden.clean.text",
    "hidden.clean.watermark",
    "hidden.clean.arrow",
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
