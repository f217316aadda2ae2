//! Sub-window hashes: what makes a cropped copy *retrievable*, not only verifiable.
//!
//! A copy cropped by 35 % of the area keeps ~80 % of each side of the original, anywhere in
//! the frame; its whole-frame hash is far from the original's whole-frame hash (PDQ misses such
//! crops). So every image also stores hashes of windows of itself at 80 % and 90 % of each
//! side, on a grid of positions: the copy's whole-frame hash lands near one of the original's
//! window hashes. All of these (and the whole-frame hash they are compared with) are computed
//! the same cheap way, from one area-averaged luma grid: the window is resampled to 64 × 64
//! and hashed with PDQ's DCT and median step. They are an index, not an export format; PDQ
//! proper stays the interchange hash.

use image::RgbImage;

use super::pdq::{self, Dihedral, Hash256};

/// Side of the area-averaged luma grid the windows are cut from.
pub const GRID: usize = 128;

/// Window layout: (side as a share of the image side, positions per axis). Positions are
/// evenly spaced from 0 to 1 − side, so a crop anywhere is at most half a step away from one.
/// Measured on the benchmark's dev split (examples/retrieval_probe.rs): with 5 × 5 windows of
/// 80 % and 3 × 3 of 90 %, 93 % of 35 % off-centre crops come within 64 bits of a window
/// (3 × 3 + 2 × 2 windows: 61 %), while 0.04 % of unrelated pairs do.
pub const LAYOUT: &[(f32, usize)] = &[(0.8, 5), (0.9, 3)];

/// Number of sub-windows per image.
pub fn window_count() -> usize {
    LAYOUT.iter().map(|&(_, n)| n * n).sum()
}

/// Area-averaged BT.601 luma on a `GRID × GRID` lattice, from the working image
/// (`super::working`).
pub fn luma_grid(img: &RgbImage) -> Vec<f32> {
    let work = super::working::working(img);
    grid_of_plane(&work.luma, work.width as usize, work.height as usize)
}

/// Area average of a `w × h` luma plane on a `GRID × GRID` lattice (each cell the mean of the
/// samples that fall in it; at least one sample per cell for small images).
pub fn grid_of_plane(luma: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mut out = vec![0f32; GRID * GRID];
    if w == 0 || h == 0 || luma.len() < w * h {
        return out;
    }
    let span = |g: usize, n: usize| {
        let a = g * n / GRID;
        let b = ((g + 1) * n / GRID).max(a + 1).min(n);
        (a.min(n - 1), b)
    };
    let mut acc = vec![0f32; w];
    for gy in 0..GRID {
        let (y0, y1) = span(gy, h);
        acc.iter_mut().for_each(|v| *v = 0.0);
        for row in luma[y0 * w..y1 * w].chunks_exact(w) {
            for (a, &v) in acc.iter_mut().zip(row) {
                *a += v;
            }
        }
        let rows = (y1 - y0) as f32;
        for gx in 0..GRID {
            let (x0, x1) = span(gx, w);
            let s: f32 = acc[x0..x1].iter().sum();
            out[gy * GRID + gx] = s / (rows * (x1 - x0) as f32);
        }
    }
    out
}

/// The 16 × 16 DCT of the window `[x, x + sx) × [y, y + sy)` (shares of the image side),
/// bilinearly resampled from the grid to 64 × 64.
pub fn window_dct(grid: &[f32], x: f32, y: f32, sx: f32, sy: f32) -> [[f32; 16]; 16] {
    let g = GRID as f32;
    // Where each of the 64 sample columns / rows falls on the grid: lower cell, upper cell and
    // the weight of the upper one. Positions are clamped to ≥ 0, so truncation is the floor.
    let taps = |origin: f32, side: f32| -> [(usize, usize, f32); 64] {
        std::array::from_fn(|k| {
            let f = ((origin + side * (k as f32 + 0.5) / 64.0) * g - 0.5).clamp(0.0, g - 1.0);
            let lo = f as usize;
            (lo, (lo + 1).min(GRID - 1), f - lo as f32)
        })
    };
    let (xs, ys) = (taps(x, sx), taps(y, sy));
    let mut a = [[0f32; 64]; 64];
    for (row, &(y0, y1, ty)) in a.iter_mut().zip(ys.iter()) {
        let (r0, r1) = (
            &grid[y0 * GRID..(y0 + 1) * GRID],
            &grid[y1 * GRID..(y1 + 1) * GRID],
        );
        for (v, &(x0, x1, tx)) in row.iter_mut().zip(xs.iter()) {
            let top = r0[x0] * (1.0 - tx) + r0[x1] * tx;
            let bot = r1[x0] * (1.0 - tx) + r1[x1] * tx;
            *v = top * (1.0 - ty) + bot * ty;
        }
    }
    // The window is already 64 × 64 (PDQ's box pre-filter would be one sample wide): straight
    // to the DCT.
    pdq::dct16_of_64(&a)
}

/// Window hashes of one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Windows {
    /// The whole frame, hashed the windows' way, in all eight orientations (the query side).
    pub whole: [Hash256; 8],
    /// The sub-windows in [`LAYOUT`] order, original orientation only (the indexed side).
    pub subs: Vec<Hash256>,
}

impl Windows {
    /// Stored form: the eight whole-frame hashes, then the sub-windows, 32 bytes each.
    pub fn encode(&self) -> Vec<u8> {
        self.whole
            .iter()
            .chain(&self.subs)
            .flat_map(|h| h.0.iter().flat_map(|w| w.to_le_bytes()))
            .collect()
    }

    /// Inverse of [`Windows::encode`]; `None` unless the blob holds exactly this layout.
    pub fn decode(b: &[u8]) -> Option<Windows> {
        if b.len() != (8 + window_count()) * 32 {
            return None;
        }
        let hashes: Vec<Hash256> = b
            .chunks_exact(32)
            .map(|c| {
                let mut h = Hash256::default();
                for (i, w) in h.0.iter_mut().enumerate() {
                    *w = u16::from_le_bytes([c[2 * i], c[2 * i + 1]]);
                }
                h
            })
            .collect();
        let mut whole = [Hash256::default(); 8];
        whole.copy_from_slice(&hashes[..8]);
        Some(Windows {
            whole,
            subs: hashes[8..].to_vec(),
        })
    }
}

/// Whole-frame and sub-window hashes of an upright image.
pub fn windows(img: &RgbImage) -> Windows {
    windows_of(&super::working::working(img))
}

/// [`windows`] from the image's working luma (shared with the other stages by `analyse`).
pub fn windows_of(work: &super::working::Working) -> Windows {
    let grid = grid_of_plane(&work.luma, work.width as usize, work.height as usize);
    let whole_dct = window_dct(&grid, 0.0, 0.0, 1.0, 1.0);
    let whole = Dihedral::ALL.map(|d| pdq::bits(&pdq::dihedral_dct(&whole_dct, d)));
    let mut subs = Vec::with_capacity(window_count());
    for &(side, n) in LAYOUT {
        for iy in 0..n {
            for ix in 0..n {
                let step = if n > 1 {
                    (1.0 - side) / (n - 1) as f32
                } else {
                    0.0
                };
                let d = window_dct(&grid, ix as f32 * step, iy as f32 * step, side, side);
                subs.push(pdq::bits(&d));
            }
        }
    }
    Windows { whole, subs }
}
