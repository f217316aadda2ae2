//! Canonical view of a listing image: when the border shows a flat background (white or any
//! near-uniform colour, possibly behind a promotional frame), crop to the subject's bounding box.
//! Re-padding, borders and re-centring then leave the canonical view unchanged, and different
//! products in the same white layout stop looking alike (their silhouettes fill the frame).

use image::RgbImage;
use serde::Serialize;

use crate::compliance::background;

/// Tolerances for finding the subject. Not marketplace rules, so not in `Policy`.
#[derive(Debug, Clone, Copy)]
pub struct CanonicalParams {
    /// Per-channel tolerance for "background colour" (levels). 12: JPEG q70 noise on flat areas.
    pub background_tolerance: u8,
    /// Share of the border ring that must agree for the background to count as flat. 0.9: stricter
    /// than the lint rule, because trimming a scene photo by mistake would hurt matching.
    pub min_agreement: f64,
    /// A pixel is subject when some channel differs from the background by more than this. 20.
    pub foreground_delta: u8,
    /// Do not trim when the subject box keeps more than this share of each side (nothing to gain).
    pub max_keep_share: f64,
    /// Do not trim to a box smaller than this share of the image area (a speck is not a subject).
    pub min_box_area_share: f64,
}

impl Default for CanonicalParams {
    fn default() -> Self {
        CanonicalParams {
            background_tolerance: 12,
            min_agreement: 0.9,
            foreground_delta: 20,
            max_keep_share: 0.98,
            min_box_area_share: 0.01,
        }
    }
}

/// Where the canonical view sits in the (upright) image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BoxPx {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The canonical crop, or `None` when the image has no flat background to trim.
pub fn subject_box(img: &RgbImage, p: &CanonicalParams) -> Option<BoxPx> {
    let (w, h) = img.dimensions();
    let bg = background::measure(img, p.background_tolerance, p.min_agreement)?;
    if !bg.flat {
        return None;
    }
    let mask = background::foreground_mask(img, &bg, p.foreground_delta);
    let min_count = (w.min(h) / 400).max(2);
    let (x, y, bw, bh) = background::bounding_box(&mask, w, h, min_count)?;
    let keeps_all =
        bw as f64 >= p.max_keep_share * w as f64 && bh as f64 >= p.max_keep_share * h as f64;
    let too_small = (bw as f64 * bh as f64) < p.min_box_area_share * (w as f64 * h as f64);
    (!keeps_all && !too_small).then_some(BoxPx {
        x,
        y,
        width: bw,
        height: bh,
    })
}

/// Crop to the box.
pub fn crop(img: &RgbImage, b: BoxPx) -> RgbImage {
    image::imageops::crop_imm(img, b.x, b.y, b.width, b.height).to_image()
}
