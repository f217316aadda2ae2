//! Every threshold in one place, with its unit in the name and the source of its default.
//!
//! Algorithms measure; [`Policy`] judges. Changing a number here changes verdicts, so each
//! default says where it came from.

use serde::Serialize;

/// Safety limits applied while reading a file, before any pixel buffer is allocated.
/// These protect the process; they are not marketplace rules.
#[derive(Debug, Clone, Serialize)]
pub struct Limits {
    /// Hard cap on bytes read from one file. 200 MiB: far above any product photo, well below
    /// memory pressure on a 2-core/24 GiB machine; the 5 MB marketplace rule is a *check*, not this.
    pub max_file_bytes: u64,
    /// Longest allowed side, read from the header. 50 000 px: above every real camera and scanner
    /// output, below the 65 500 px that crafted JPEG SOF headers use (reliability row 8).
    pub max_side_px: u32,
    /// Largest pixel count, read from the header. 100 MP, like Pillow's decompression-bomb
    /// guard (~89 MP); a 30 000×30 000 bomb (reliability row 7) is refused before decoding.
    pub max_pixels: u64,
    /// Most frames an animated file may declare. 1 000: no listing image is a 1 000-frame
    /// animation; we decode only the first frame anyway (reliability row 17).
    pub max_frames: u64,
    /// Largest allocation the decoder may make (`image::Limits::max_alloc`). 1 GiB: a 100 MP
    /// RGBA 8-bit image is 400 MB; 16-bit RGB at 100 MP needs 600 MB.
    pub max_decode_alloc_bytes: u64,
    /// Largest EXIF block parsed (bytes). 1 MiB: JPEG APP1 cannot exceed 64 KiB, so only crafted
    /// PNG eXIf chunks are larger (reliability rows 10–11); they are ignored with a warning.
    pub max_exif_bytes: usize,
    /// Largest ICC profile parsed after inflating (bytes). 4 MiB: real profiles are 0.5–600 KB.
    pub max_icc_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 200 * 1024 * 1024,
            max_side_px: 50_000,
            max_pixels: 100_000_000,
            max_frames: 1_000,
            max_decode_alloc_bytes: 1024 * 1024 * 1024,
            max_exif_bytes: 1024 * 1024,
            max_icc_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Calibrated similarity at and above which two images are copies. Platform rule: listing
/// images "more than 85 % similar" to another image are flagged. `fingerprint::similarity` is
/// calibrated so that 0.85 is where no unrelated pair of the benchmark was seen
/// (docs/accuracy.md), so "at or above" is the rule, applied by [`is_copy`] everywhere: scan,
/// match, compare, evidence and the page.
pub const MIN_COPY_SIMILARITY: f64 = 0.85;

/// Is `similarity` a copy at the threshold `min`? The one comparison every command uses.
pub fn is_copy(similarity: f64, min: f64) -> bool {
    similarity >= min
}

/// Marketplace rules: pair check (main vs hidden image) and main-image lint.
///
/// Defaults follow the AliExpress seller rules for the hidden ("clean") image and the main image,
/// as summarised in `docs/rules.md`; where the platform publishes no number, the default is ours
/// and the doc comment says why.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// Minimum SSIM (Wang et al. 2004 on BT.601 luma) of hidden vs main. Platform rule: 0.92.
    pub min_ssim: f64,
    /// Margin above `min_ssim` inside which a passing pair is reported "at risk": 0.01. Ours: the
    /// platform's own decoder and colour conversion can move SSIM by a few thousandths.
    pub ssim_risk_margin: f64,
    /// Largest allowed aspect-ratio error, in pixels of hidden height. Platform rule: 1 px.
    pub max_aspect_error_px: f64,
    /// Largest file the platform accepts. Platform rule: 5 MB, read as 5 × 1024 × 1024 bytes.
    pub max_file_bytes: u64,
    /// Largest per-channel difference of background colour, hidden vs main. Platform rule: 5 RGB.
    pub max_background_delta_rgb: f64,
    /// Minimum IoU of the two subjects' foreground masks. Ours: 0.95, so a product that moved or
    /// was re-scaled is caught before the SSIM gate (a 2 % shift already costs ~0.05 IoU).
    pub min_subject_iou: f64,
    /// A pixel belongs to the foreground when some channel differs from the background colour by
    /// more than this. Ours: 24 levels, well above JPEG noise on flat white (≤ 4 at q ≥ 70).
    pub foreground_delta_rgb: u8,
    /// Pixels whose colour is within this of the background colour count as background when the
    /// background is measured. Ours: 12 levels (JPEG noise plus gentle vignetting).
    pub background_tolerance_rgb: u8,
    /// Share of the border ring that must agree on one colour for the background to be "flat".
    /// Ours: 0.6 — a product touching the edge on one side still leaves a flat background.
    pub min_background_agreement: f64,
    /// Largest drop of estimated JPEG quality, main → hidden, before the `compression` rule warns.
    /// Ours: 5 quality steps; below that the SSIM cost of re-encoding is < 0.005 on photos.
    pub max_jpeg_quality_drop: f64,

    /// Smallest confidence (0–1) at which an overlay found on the hidden image fails the pair.
    /// Ours: 0.6 — detectors give 0.6–0.99 for drawn overlays; product texture that happens to
    /// look like a row of letters or a code scores lower (docs/accuracy.md, verdict benchmark).
    pub min_overlay_confidence: f32,

    /// Local SSIM below which a pixel counts as "different" when regions are listed. Ours: 0.8 —
    /// JPEG q75 noise stays above it on product photos, a promo sticker falls far below.
    pub region_max_local_ssim: f32,
    /// Smallest region reported, as a share of the image area. Ours: 0.05 % (500 px at 1 MP),
    /// so a stray JPEG block is not listed but a small logo is.
    pub region_min_area_share: f64,

    // --- main-image lint ---
    /// Largest per-channel deviation from pure white (255) a main image background may have.
    /// Platform rule: pure white; we allow 3 levels for JPEG ringing on a white field.
    pub max_white_deviation_rgb: f64,
    /// Minimum main-image side. Platform rule: 800 px.
    pub min_side_px: u32,
    /// Recommended main-image side. Platform recommendation: 1000 px (warns below).
    pub recommended_side_px: u32,
    /// Largest main-image side. Platform rule: 2000 px.
    pub max_long_side_px: u32,
    /// Recommended file size range. Platform recommendation: 500 KB – 2 MB (warns outside).
    pub recommended_min_file_bytes: u64,
    /// See `recommended_min_file_bytes`.
    pub recommended_max_file_bytes: u64,
    /// Below the recommended size, a JPEG is only called soft when its estimated quality is
    /// under this. Ours: 80 — a clean 1000² product shot at q90–95 is 150–400 KB and sharp;
    /// below q80 block artefacts show on product edges when zoomed.
    pub min_sharp_jpeg_quality: f64,
    /// Minimum subject fill: the larger of (subject width / image width, subject height / image
    /// height). Platform rule: the product fills at least 75 % of the frame.
    pub min_subject_fill: f64,
    /// Live-stream cover size. Platform rule: 1080×1920 (9:16).
    pub live_cover_size_px: (u32, u32),

    // --- copies ---
    /// See [`MIN_COPY_SIMILARITY`].
    pub min_copy_similarity: f64,
}

impl Policy {
    /// The measurement settings the overlay detectors share with the background rules.
    pub fn overlay_settings(&self) -> crate::overlay::Settings {
        crate::overlay::Settings {
            background_tolerance_rgb: self.background_tolerance_rgb,
            min_background_agreement: self.min_background_agreement,
            foreground_delta_rgb: self.foreground_delta_rgb,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_ssim: 0.92,
            ssim_risk_margin: 0.01,
            max_aspect_error_px: 1.0,
            max_file_bytes: 5 * 1024 * 1024,
            max_background_delta_rgb: 5.0,
            min_subject_iou: 0.95,
            foreground_delta_rgb: 24,
            background_tolerance_rgb: 12,
            min_background_agreement: 0.6,
            max_jpeg_quality_drop: 5.0,
            min_overlay_confidence: 0.6,
            region_max_local_ssim: 0.8,
            region_min_area_share: 0.0005,
            max_white_deviation_rgb: 3.0,
            min_side_px: 800,
            recommended_side_px: 1000,
            max_long_side_px: 2000,
            recommended_min_file_bytes: 500 * 1000,
            recommended_max_file_bytes: 2 * 1000 * 1000,
            min_sharp_jpeg_quality: 80.0,
            min_subject_fill: 0.75,
            live_cover_size_px: (1080, 1920),
            min_copy_similarity: MIN_COPY_SIMILARITY,
        }
    }
}
