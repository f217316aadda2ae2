//! Reason codes: why a finding has its status, as a stable code UIs translate. One enum for
//! every rule, so a code never drifts between the Rust messages and the web page's words.
//! Serialised in snake_case; never renamed, never reused (docs/rules.md lists each).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    // ssim
    SsimClear,
    SsimWithinMargin,
    SsimBelowGate,
    /// Below the gate, and the main image's overlays explain the loss (the photos agree).
    SsimOverlaysOnMain,
    SizesDiffer,
    ImageTooSmall,
    // dims
    SameSize,
    SizeDiffers,
    AspectAgrees,
    AspectDiffers,
    // format
    JpegOrPng,
    NotJpegOrPng,
    ExtensionMismatch,
    // file size
    WithinLimit,
    OverLimit,
    // background
    BackgroundMatches,
    BackgroundDiffers,
    // gps
    NoGps,
    GpsPresent,
    ExifUnreadable,
    // colour
    Srgb,
    NotSrgb,
    IccUnreadable,
    // compression (advice)
    CompressionComparable,
    CompressionCostsSsim,
    CompressionHarmless,
    QualityUnknown,
    // subject overlap
    SameOutline,
    OutlineDiffers,
    NoFlatBackground,
    NoSubject,
    // overlays
    NoOverlays,
    OverlaysAllowedOnMain,
    Found,
    OnlyProductPrint,
    NotRunTooSmall,
    // lint
    White,
    FrameAround,
    NotFlat,
    NotWhite,
    BigEnough,
    BelowRecommended,
    BelowMinimum,
    FillsFrame,
    SmallInFrame,
    Blank,
    InRange,
    SmallButSharp,
    SmallAndCompressed,
    OverRecommended,
    ExactSize,
    WrongSize,
}

impl Reason {
    /// The stable code, as serialised.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}
