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

/// The box of a row-major plane `width` samples wide (the box lies inside: `subject_box` only
/// returns boxes within the image).
pub fn crop_plane<T: Copy>(plane: &[T], width: u32, b: BoxPx) -> Vec<T> {
    let (w, x0, x1) = (width as usize, b.x as usize, (b.x + b.width) as usize);
    (b.y..b.y + b.height)
        .flat_map(|y| &plane[y as usize * w + x0..y as usize * w + x1])
        .copied()
        .collect()
}

/// A box of the working image (`super::working`) in the original's pixels (`width × height`):
/// edges rounded outward, clamped inside, at least one pixel each way.
pub fn unscale_box(b: BoxPx, work: &super::working::Working, width: u32, height: u32) -> BoxPx {
    let (w, h) = (width.max(1), height.max(1));
    let (sx, sy) = (
        work.scale_x.max(f32::MIN_POSITIVE),
        work.scale_y.max(f32::MIN_POSITIVE),
    );
    let x0 = ((b.x as f32 / sx).floor() as u32).min(w - 1);
    let y0 = ((b.y as f32 / sy).floor() as u32).min(h - 1);
    let x1 = (((b.x + b.width) as f32 / sx).ceil() as u32).clamp(x0 + 1, w);
    let y1 = (((b.y + b.height) as f32 / sy).ceil() as u32).clamp(y0 + 1, h);
    BoxPx {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
    }
}
