//! Verification stage: local features with geometric verification.
//!
//! FAST-9 corners on a 4-level pyramid of the luma image (long side normalised to 512 px),
//! 256-bit BRIEF descriptors on a smoothed image, brute-force Hamming matching with a ratio test,
//! and RANSAC for a similarity transform (scale, rotation, shift). It confirms a candidate pair,
//! survives crops and overlays, and recovers the transform.
//!
//! Mirror-aware at no cost: the BRIEF test pairs come in mirror-symmetric couples (pair i and its
//! reflection x → −x are bits i and 128 + i), and FAST is symmetric, so the features of the
//! mirrored image are the same keypoints at x → W − 1 − x with the two descriptor halves swapped.
//! Everything is deterministic (fixed seeds).

use image::{GrayImage, RgbImage};

use super::corners::fast;
use super::features::POINT_STEP;
pub use super::features::{Features, THUMB_STEP};

/// Long side of the base level, pixels.
pub const BASE_SIDE: u32 = 512;
const LEVELS: usize = 4;
const LEVEL_SCALE: f32 = 1.3;
const MAX_FEATURES: usize = 600;
/// BRIEF patch half-size; keypoints closer than this (plus smoothing margin) to the border are
/// dropped.
const PATCH: i32 = 15;
const GRID: u32 = 6;

/// Box-mean reduction of the base luma by [`THUMB_STEP`] (partial edge cells averaged over
/// what they hold).
fn thumbnail(base: &GrayImage) -> Vec<u8> {
    let (w, h) = base.dimensions();
    let (tw, th) = (w.div_ceil(THUMB_STEP), h.div_ceil(THUMB_STEP));
    let mut sum = vec![0u32; (tw * th) as usize];
    let mut n = vec![0u32; (tw * th) as usize];
    for (y, row) in base.as_raw().chunks_exact(w as usize).enumerate() {
        let ty = y as u32 / THUMB_STEP;
        for (x, &v) in row.iter().enumerate() {
            let k = (ty * tw + x as u32 / THUMB_STEP) as usize;
            sum[k] += v as u32;
            n[k] += 1;
        }
    }
    sum.iter()
        .zip(&n)
        .map(|(s, n)| ((s + n / 2) / (*n).max(1)) as u8)
        .collect()
}

/// The base level from the working image: its luma rounded to 8 bits, enlarged to a
/// [`BASE_SIDE`] long side when the photo is smaller (the working image is never enlarged).
fn base_level(work: &super::working::Working) -> GrayImage {
    let (w, h) = (work.width, work.height);
    let raw: Vec<u8> = work
        .luma
        .iter()
        .map(|&v| (v + 0.5).clamp(0.0, 255.0) as u8)
        .collect();
    let gray = GrayImage::from_raw(w, h, raw).unwrap_or_else(|| GrayImage::new(w, h));
    let (nw, nh) = base_size(w, h);
    if (nw, nh) == (w, h) {
        return gray;
    }
    super::resample::gray(&gray, nw, nh)
}

/// Base-level size: the long side brought to [`BASE_SIDE`], the other in proportion.
fn base_size(w: u32, h: u32) -> (u32, u32) {
    let scale = BASE_SIDE as f32 / w.max(h).max(1) as f32;
    if (scale - 1.0).abs() < 1e-3 {
        return (w, h);
    }
    let nw = ((w as f32 * scale).round() as u32).max(1);
    let nh = ((h as f32 * scale).round() as u32).max(1);
    (nw, nh)
}

/// 128 test pairs inside the patch (seeded xorshift); bit i uses pair i, bit 128 + i its mirror.
fn pattern() -> [[(i32, i32); 2]; 128] {
    let mut s: u64 = 0x5DEE_CE66_D1CE_4E5B;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        ((s >> 11) % (2 * PATCH as u64 + 1)) as i32 - PATCH
    };
    let mut p = [[(0, 0); 2]; 128];
    for pair in p.iter_mut() {
        *pair = [(next(), next()), (next(), next())];
    }
    p
}

fn box_blur(img: &GrayImage, r: i32) -> Vec<u16> {
    // Separable box blur of radius r: row sums, then column sums divided by the window height
    // (values stay in u16; BRIEF only compares them, so the missing row division is harmless).
    // Edges repeat the border pixel. Each pass is a sum of shifted slices, which the compiler
    // vectorises (the per-tap clamped indexing it replaces took 3 ms of a 1000-px image).
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let r = r.max(0) as usize;
    let taps = 2 * r + 1;
    let src = img.as_raw();
    let mut tmp = vec![0u16; w * h];
    let mut padded = vec![0u16; w + 2 * r];
    for (row, out) in src.chunks_exact(w).zip(tmp.chunks_exact_mut(w)) {
        for (k, p) in padded.iter_mut().enumerate() {
            *p = row[k.saturating_sub(r).min(w - 1)] as u16;
        }
        for t in 0..taps {
            for (o, &p) in out.iter_mut().zip(&padded[t..t + w]) {
                *o += p;
            }
        }
    }
    let mut out = vec![0u16; w * h];
    let mut acc = vec![0u32; w];
    for (y, dst) in out.chunks_exact_mut(w).enumerate() {
        acc.iter_mut().for_each(|a| *a = 0);
        for dy in 0..taps {
            let yy = (y + dy).saturating_sub(r).min(h - 1);
            for (a, &v) in acc.iter_mut().zip(&tmp[yy * w..(yy + 1) * w]) {
                *a += v as u32;
            }
        }
        for (d, &a) in dst.iter_mut().zip(&acc) {
            *d = (a / taps as u32) as u16;
        }
    }
    out
}

fn quantise(v: f32) -> f32 {
    (v * POINT_STEP).round().clamp(0.0, u16::MAX as f32) / POINT_STEP
}

/// The 256-bit descriptor of the keypoint at level pixel `(x, y)`: 128 BRIEF tests on the
/// smoothed level and the same tests reflected in x (the mirror half).
fn describe(smooth: &[u16], w: i32, x: i32, y: i32, pat: &[[(i32, i32); 2]; 128]) -> [u64; 4] {
    let mut d = [0u64; 4];
    let at = |dx: i32, dy: i32| smooth[((y + dy) * w + x + dx) as usize];
    for (i, pair) in pat.iter().enumerate() {
        let (a, b) = (pair[0], pair[1]);
        if at(a.0, a.1) < at(b.0, b.1) {
            d[i / 64] |= 1 << (i % 64);
        }
        // Mirror pair: reflect x offsets.
        if at(-a.0, a.1) < at(-b.0, b.1) {
            let j = 128 + i;
            d[j / 64] |= 1 << (j % 64);
        }
    }
    d
}

/// Extract features from an upright RGB image.
///
/// Descriptors are computed only for the keypoints kept (≤ `MAX_FEATURES` of the several
/// thousand FAST finds): the selection reads positions and scores only.
pub fn features(img: &RgbImage) -> Features {
    features_of(&super::working::working(img))
}

/// [`features`] from the image's working luma (shared with the other stages by `analyse`).
pub fn features_of(work: &super::working::Working) -> Features {
    let base = base_level(work);
    let (bw, bh) = base.dimensions();
    let thumb = thumbnail(&base);
    let pat = pattern();
    let margin = PATCH + 3;
    // (base x, base y, score, level, level x, level y)
    let mut cands: Vec<(f32, f32, i32, usize, i32, i32)> = Vec::new();
    // Per level: its width and smoothed pixels (BRIEF reads them once the keypoints are chosen).
    let mut smoothed: Vec<(i32, Vec<u16>)> = Vec::new();
    let mut level = base.clone();
    let mut scale = 1.0f32;
    for l in 0..LEVELS {
        if l > 0 {
            scale *= LEVEL_SCALE;
            let nw = (bw as f32 / scale).round() as u32;
            let nh = (bh as f32 / scale).round() as u32;
            if nw < 2 * margin as u32 + 8 || nh < 2 * margin as u32 + 8 {
                break;
            }
            level = super::resample::gray(&base, nw, nh);
        }
        for (x, y, s) in fast(&level, margin) {
            // Centre of the level pixel in base coordinates.
            // Quantised to 1/32 px so the catalogue's u16 encoding is exact.
            let bx = quantise((x as f32 + 0.5) * scale - 0.5);
            let by = quantise((y as f32 + 0.5) * scale - 0.5);
            cands.push((bx, by, s, l, x, y));
        }
        smoothed.push((level.width() as i32, box_blur(&level, 2)));
    }
    // Spread: keep the strongest in each grid cell, then fill by score.
    let per_cell = MAX_FEATURES / (GRID * GRID) as usize;
    let cell = |x: f32, y: f32| -> usize {
        let cx = ((x / bw as f32) * GRID as f32).clamp(0.0, GRID as f32 - 1.0) as usize;
        let cy = ((y / bh as f32) * GRID as f32).clamp(0.0, GRID as f32 - 1.0) as usize;
        cy * GRID as usize + cx
    };
    cands.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then(a.1.total_cmp(&b.1))
            .then(a.0.total_cmp(&b.0))
    });
    let mut taken = vec![0usize; (GRID * GRID) as usize];
    let mut keep = vec![false; cands.len()];
    let mut n = 0;
    for (i, c) in cands.iter().enumerate() {
        let k = cell(c.0, c.1);
        if taken[k] < per_cell {
            taken[k] += 1;
            keep[i] = true;
            n += 1;
        }
    }
    for k in keep.iter_mut() {
        if n >= MAX_FEATURES {
            break;
        }
        if !*k {
            *k = true;
            n += 1;
        }
    }
    let mut points = Vec::new();
    let mut descriptors = Vec::new();
    for (c, k) in cands.iter().zip(keep) {
        if k {
            let (w, smooth) = &smoothed[c.3];
            points.push([c.0, c.1]);
            descriptors.push(describe(smooth, *w, c.4, c.5, &pat));
        }
    }
    Features {
        width: bw,
        height: bh,
        points,
        descriptors,
        thumb,
    }
}

pub use super::verify::{
    verify, verify_any, Similarity2, Verification, MIN_COVER, MIN_EXTENT, MIN_INLIERS, MIN_SPREAD,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every 8-bit RGB triple: the fast rounding equals `f32::round` on the same luma value.
    /// The blur equals the direct definition (clamped taps) on random images of awkward sizes.
    #[test]
    fn box_blur_equals_the_direct_definition() {
        let mut seed = 0x9E37_79B9u32;
        for (w, h) in [(1u32, 1u32), (1, 7), (7, 1), (3, 3), (5, 9), (64, 33)] {
            let img = GrayImage::from_fn(w, h, |_, _| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                image::Luma([(seed >> 24) as u8])
            });
            let (wi, hi) = (w as i32, h as i32);
            let px = |x: i32, y: i32| {
                img.get_pixel(x.clamp(0, wi - 1) as u32, y.clamp(0, hi - 1) as u32)[0] as u32
            };
            let got = box_blur(&img, 2);
            for y in 0..hi {
                for x in 0..wi {
                    let s: u32 = (-2..=2)
                        .flat_map(|dy| (-2..=2).map(move |dx| (dx, dy)))
                        .map(|(dx, dy)| px(x + dx, y + dy))
                        .sum();
                    assert_eq!(
                        got[(y * wi + x) as usize] as u32,
                        s / 5,
                        "{w}×{h} at {x},{y}"
                    );
                }
            }
        }
    }
}
