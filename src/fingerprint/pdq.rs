//! PDQ (Meta's perceptual hash, `facebook/ThreatExchange/pdq`), reimplemented to the reference's
//! operation order so that identical float luma gives the identical 256-bit hash:
//!
//! 1. luma `Y = 0.299 R + 0.587 G + 0.114 B` (computed in f64, stored as f32, as the `pdqhash`
//!    Python binding does);
//! 2. two passes of a Jarosz box filter along rows then columns, window
//!    `(dim + 127) / 128` (a tent-like blur sized for a 64-sample decimation);
//! 3. decimation to 64×64 by nearest sampling at `(i + 0.5) · dim / 64`;
//! 4. quality: summed absolute neighbour gradients of the 64×64 buffer, scaled to 0–100;
//! 5. a 16×16 DCT (frequencies 1–16, the DC term is skipped) as `D · A · Dᵀ`;
//! 6. bit k = (i·16 + j) is set when coefficient (i, j) is above the median (Torben's median: the
//!    128th smallest of the 256).
//!
//! The eight dihedral variants (rotations and flips of the image) are sign/transpose patterns of
//! the 16×16 DCT, so one DCT gives all eight hashes.

// Index-form loops below mirror the C++ reference loop by loop: summation order decides float
// rounding, and bit-exact conformance depends on it.
#![allow(clippy::needless_range_loop)]

use image::RgbImage;
use serde::Serialize;

/// A 256-bit hash as the reference stores it: 16 words, bit k in `w[k / 16]` bit `k % 16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash256(pub [u16; 16]);

impl Hash256 {
    pub fn set_bit(&mut self, k: usize) {
        self.0[k / 16] |= 1 << (k % 16);
    }
    pub fn bit(&self, k: usize) -> bool {
        self.0[k / 16] >> (k % 16) & 1 == 1
    }
    /// Reference hex format: words 15 down to 0, four hex digits each.
    pub fn to_hex(&self) -> String {
        self.0.iter().rev().map(|w| format!("{w:04x}")).collect()
    }
    pub fn from_hex(s: &str) -> Option<Hash256> {
        if s.len() != 64 || !s.is_ascii() {
            return None;
        }
        let mut w = [0u16; 16];
        for (i, chunk) in s.as_bytes().chunks(4).enumerate() {
            let t = std::str::from_utf8(chunk).ok()?;
            w[15 - i] = u16::from_str_radix(t, 16).ok()?;
        }
        Some(Hash256(w))
    }
    /// The 32 bytes in reference hex order (so `hex(to_bytes())` equals [`Hash256::to_hex`]):
    /// the packed form in exports and in Milvus binary vectors.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, w) in self.0.iter().rev().enumerate() {
            out[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
        }
        out
    }
    /// Inverse of [`Hash256::to_bytes`].
    pub fn from_bytes(b: &[u8; 32]) -> Hash256 {
        let mut w = [0u16; 16];
        for (i, c) in b.chunks_exact(2).enumerate() {
            w[15 - i] = u16::from_be_bytes([c[0], c[1]]);
        }
        Hash256(w)
    }
    /// Packed as four u64 (for popcount search).
    pub fn to_u64s(&self) -> [u64; 4] {
        let mut out = [0u64; 4];
        for (i, o) in out.iter_mut().enumerate() {
            for k in 0..4 {
                *o |= (self.0[i * 4 + k] as u64) << (16 * k);
            }
        }
        out
    }
    /// Inverse of [`Hash256::to_u64s`].
    pub fn from_u64s(p: &[u64; 4]) -> Hash256 {
        let mut w = [0u16; 16];
        for (i, o) in p.iter().enumerate() {
            for k in 0..4 {
                w[i * 4 + k] = (o >> (16 * k)) as u16;
            }
        }
        Hash256(w)
    }
    pub fn hamming(&self, other: &Hash256) -> u32 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }
}

impl Serialize for Hash256 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

/// The eight dihedral orientations, in the reference's order. Named as the reference names
/// them, which is easy to misread: `FlipX` flips about the horizontal (x) axis — upside down —
/// and `FlipY` about the vertical axis — a left–right mirror. `Rotate90` turns clockwise.
/// Measured on `fixtures/shoe-main.jpg` (tests/verification.rs): a left–right mirror matches
/// as `FlipY`, an upside-down flip as `FlipX`, a quarter turn anticlockwise as `Rotate270`, a
/// transpose as `FlipPlus1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dihedral {
    Original,
    Rotate90,
    Rotate180,
    Rotate270,
    FlipX,
    FlipY,
    FlipPlus1,
    FlipMinus1,
}

impl Dihedral {
    /// What the orientation did to the picture, in words (for reports).
    pub fn words(self) -> &'static str {
        match self {
            Dihedral::Original => "same orientation",
            Dihedral::Rotate90 => "turned 90° clockwise",
            Dihedral::Rotate180 => "turned 180°",
            Dihedral::Rotate270 => "turned 90° anticlockwise",
            Dihedral::FlipX => "flipped upside down",
            Dihedral::FlipY => "mirrored left to right",
            Dihedral::FlipPlus1 => "mirrored along the diagonal from top left to bottom right",
            Dihedral::FlipMinus1 => "mirrored along the diagonal from top right to bottom left",
        }
    }

    pub const ALL: [Dihedral; 8] = [
        Dihedral::Original,
        Dihedral::Rotate90,
        Dihedral::Rotate180,
        Dihedral::Rotate270,
        Dihedral::FlipX,
        Dihedral::FlipY,
        Dihedral::FlipPlus1,
        Dihedral::FlipMinus1,
    ];
}

/// A PDQ hash with its quality (0–100; below 50 the image is too featureless to match on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pdq {
    pub hash: Hash256,
    pub quality: u8,
}

/// All eight dihedral hashes of one image (index = `Dihedral::ALL` order) and the quality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PdqDihedral {
    pub hashes: [Hash256; 8],
    pub quality: u8,
}

/// Float luma exactly as the `pdqhash` binding builds it (f64 arithmetic, stored as f32).
pub fn luma(img: &RgbImage) -> Vec<f32> {
    img.pixels()
        .map(|p| (p[0] as f64 * 0.299 + p[1] as f64 * 0.587 + p[2] as f64 * 0.114) as f32)
        .collect()
}

fn jarosz_window(old_dim: usize, new_dim: usize) -> usize {
    old_dim.div_ceil(2 * new_dim)
}

/// The reference's 1-D box filter (four phases: warm-up, growing window, full window, shrinking).
fn box_1d(
    input: &[f32],
    output: &mut [f32],
    len: usize,
    stride: usize,
    offset: usize,
    window: usize,
) {
    let half = (window + 2) / 2;
    let phase1 = half - 1;
    let phase2 = window + 1 - half;
    let phase3 = len.saturating_sub(window);
    let phase4 = half - 1;
    let (mut li, mut ri, mut oi) = (offset, offset, offset);
    let mut sum = 0f32;
    let mut n = 0u32;
    for _ in 0..phase1 {
        sum += input[ri];
        n += 1;
        ri += stride;
    }
    for _ in 0..phase2 {
        sum += input[ri];
        n += 1;
        output[oi] = sum / n as f32;
        ri += stride;
        oi += stride;
    }
    for _ in 0..phase3 {
        sum += input[ri];
        sum -= input[li];
        output[oi] = sum / n as f32;
        li += stride;
        ri += stride;
        oi += stride;
    }
    for _ in 0..phase4 {
        sum -= input[li];
        n -= 1;
        output[oi] = sum / n as f32;
        li += stride;
        oi += stride;
    }
}

/// The reference's column pass, all columns in lockstep: each column sees exactly the same
/// sequence of float operations as `box_1d` with stride `cols` (so results are bit-identical),
/// but memory is read row by row instead of jumping a whole row per sample.
fn box_cols(input: &[f32], output: &mut [f32], rows: usize, cols: usize, window: usize) {
    let half = (window + 2) / 2;
    let phase1 = half - 1;
    let phase2 = window + 1 - half;
    let phase3 = rows.saturating_sub(window);
    let phase4 = half - 1;
    let mut sum = vec![0f32; cols];
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    let mut n = 0u32;
    let row = |k: usize| k * cols..(k + 1) * cols;
    for _ in 0..phase1 {
        for (s, &v) in sum.iter_mut().zip(&input[row(ri)]) {
            *s += v;
        }
        n += 1;
        ri += 1;
    }
    for _ in 0..phase2 {
        n += 1;
        let nf = n as f32;
        for ((s, &v), o) in sum
            .iter_mut()
            .zip(&input[row(ri)])
            .zip(&mut output[row(oi)])
        {
            *s += v;
            *o = *s / nf;
        }
        ri += 1;
        oi += 1;
    }
    for _ in 0..phase3 {
        let nf = n as f32;
        let (r_in, l_in) = (row(ri), row(li));
        for (((s, &add), &sub), o) in sum
            .iter_mut()
            .zip(&input[r_in])
            .zip(&input[l_in])
            .zip(&mut output[row(oi)])
        {
            *s += add;
            *s -= sub;
            *o = *s / nf;
        }
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..phase4 {
        n -= 1;
        let nf = n as f32;
        for ((s, &sub), o) in sum
            .iter_mut()
            .zip(&input[row(li)])
            .zip(&mut output[row(oi)])
        {
            *s -= sub;
            *o = *s / nf;
        }
        li += 1;
        oi += 1;
    }
}

fn jarosz(
    buf1: &mut [f32],
    buf2: &mut [f32],
    rows: usize,
    cols: usize,
    win_rows: usize,
    win_cols: usize,
    reps: usize,
) {
    for _ in 0..reps {
        for i in 0..rows {
            box_1d(buf1, buf2, cols, 1, i * cols, win_rows);
        }
        box_cols(buf2, buf1, rows, cols, win_cols);
    }
}

/// The 16 × 64 DCT basis, computed once per process (1 024 `cos` calls; every window hash and
/// PDQ view uses it).
fn dct_matrix() -> &'static [[f32; 64]; 16] {
    static D: std::sync::OnceLock<[[f32; 64]; 16]> = std::sync::OnceLock::new();
    D.get_or_init(dct_basis)
}

fn dct_basis() -> [[f32; 64]; 16] {
    let scale = (2.0f64 / 64.0).sqrt() as f32;
    let mut d = [[0f32; 64]; 16];
    for (i, row) in d.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = (scale as f64
                * ((std::f64::consts::PI / 2.0 / 64.0) * (i + 1) as f64 * (2 * j + 1) as f64).cos())
                as f32;
        }
    }
    d
}

fn quality_metric(b: &[[f32; 64]; 64]) -> u8 {
    let mut sum: i64 = 0;
    for i in 0..63 {
        for j in 0..64 {
            sum += ((((b[i][j] - b[i + 1][j]) * 100.0) / 255.0) as i32).abs() as i64;
        }
    }
    for row in b.iter() {
        for j in 0..63 {
            sum += ((((row[j] - row[j + 1]) * 100.0) / 255.0) as i32).abs() as i64;
        }
    }
    (sum / 90).min(100) as u8
}

/// Smallest side the reference hashes; below it returns an all-zero hash with quality 0
/// (measured on the `pdqhash` 0.2.8 bindings: 5×5 hashes, 4×N and N×4 give the dummy).
pub const MIN_HASHABLE_DIM: usize = 5;

/// The 16×16 DCT coefficients and the quality, from float luma (row-major, `rows × cols`).
/// `None` when a side is below [`MIN_HASHABLE_DIM`] (the reference's dummy all-zero hash).
pub fn dct16_from_luma(luma: &[f32], rows: usize, cols: usize) -> Option<([[f32; 16]; 16], u8)> {
    if rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM || luma.len() != rows * cols {
        return None;
    }
    let mut buf1 = luma.to_vec();
    let mut buf2 = vec![0f32; rows * cols];
    jarosz(
        &mut buf1,
        &mut buf2,
        rows,
        cols,
        jarosz_window(cols, 64),
        jarosz_window(rows, 64),
        2,
    );
    let mut a = [[0f32; 64]; 64];
    for (i, row) in a.iter_mut().enumerate() {
        let ini = (((i as f64 + 0.5) * rows as f64) / 64.0) as usize;
        for (j, v) in row.iter_mut().enumerate() {
            let inj = (((j as f64 + 0.5) * cols as f64) / 64.0) as usize;
            *v = buf1[ini * cols + inj];
        }
    }
    let quality = quality_metric(&a);
    Some((dct16_of_64(&a), quality))
}

/// The 16 × 16 low-frequency DCT of a 64 × 64 block, in the reference's summation order.
pub fn dct16_of_64(a: &[[f32; 64]; 64]) -> [[f32; 16]; 16] {
    let d = dct_matrix();
    // t = D · A. Each t[i][j] is summed over k in ascending order from 0, as the reference
    // does; only the loop nesting differs (k outside j), so the sums are the same bit for bit
    // while the inner loop runs along a row (vectorised).
    let mut t = [[0f32; 64]; 16];
    for (t_row, d_row) in t.iter_mut().zip(d.iter()) {
        for (&dik, a_row) in d_row.iter().zip(a.iter()) {
            for (tv, &av) in t_row.iter_mut().zip(a_row.iter()) {
                *tv += dik * av;
            }
        }
    }
    let mut b = [[0f32; 16]; 16];
    for i in 0..16 {
        for j in 0..16 {
            let mut s = 0f32;
            for k in 0..64 {
                s += t[i][k] * d[j][k];
            }
            b[i][j] = s;
        }
    }
    b
}

/// Torben's median as the reference uses it: the 128th smallest of the 256 values.
fn median(b: &[[f32; 16]; 16]) -> f32 {
    let mut v: Vec<f32> = b.iter().flatten().copied().collect();
    v.sort_by(|x, y| x.total_cmp(y));
    v[127]
}

/// Bits from DCT coefficients: bit i·16+j set when coefficient (i, j) exceeds the median.
pub fn bits(b: &[[f32; 16]; 16]) -> Hash256 {
    let m = median(b);
    let mut h = Hash256::default();
    for i in 0..16 {
        for j in 0..16 {
            if b[i][j] > m {
                h.set_bit(i * 16 + j);
            }
        }
    }
    h
}

/// The DCT of the image transformed by `d`, from the original's DCT (reference sign tables).
pub fn dihedral_dct(a: &[[f32; 16]; 16], d: Dihedral) -> [[f32; 16]; 16] {
    let mut b = [[0f32; 16]; 16];
    for i in 0..16 {
        for j in 0..16 {
            let v = a[i][j];
            match d {
                Dihedral::Original => b[i][j] = v,
                Dihedral::Rotate90 => b[j][i] = if j & 1 == 1 { v } else { -v },
                Dihedral::Rotate180 => b[i][j] = if (i + j) & 1 == 1 { -v } else { v },
                Dihedral::Rotate270 => b[j][i] = if i & 1 == 1 { v } else { -v },
                Dihedral::FlipX => b[i][j] = if i & 1 == 1 { v } else { -v },
                Dihedral::FlipY => b[i][j] = if j & 1 == 1 { v } else { -v },
                Dihedral::FlipPlus1 => b[j][i] = v,
                Dihedral::FlipMinus1 => b[j][i] = if (i + j) & 1 == 1 { -v } else { v },
            }
        }
    }
    b
}

/// PDQ of an RGB image.
pub fn pdq(img: &RgbImage) -> Pdq {
    let (w, h) = img.dimensions();
    match dct16_from_luma(&luma(img), h as usize, w as usize) {
        Some((b, quality)) => Pdq {
            hash: bits(&b),
            quality,
        },
        None => Pdq {
            hash: Hash256::default(),
            quality: 0,
        },
    }
}

/// All eight dihedral PDQ hashes of an RGB image.
pub fn pdq_dihedral(img: &RgbImage) -> PdqDihedral {
    let (w, h) = img.dimensions();
    pdq_dihedral_of_luma(&luma(img), w, h)
}

/// All eight dihedral PDQ hashes from a [`luma`] plane of `width × height` (rows in order), so
/// several views of one image (the whole frame, the subject crop) share one luma conversion.
pub fn pdq_dihedral_of_luma(luma: &[f32], width: u32, height: u32) -> PdqDihedral {
    match dct16_from_luma(luma, height as usize, width as usize) {
        Some((b, quality)) => PdqDihedral {
            hashes: Dihedral::ALL.map(|d| bits(&dihedral_dct(&b, d))),
            quality,
        },
        None => PdqDihedral {
            hashes: [Hash256::default(); 8],
            quality: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn packed_forms_round_trip() {
        let h = super::Hash256(std::array::from_fn(|i| {
            (i as u16).wrapping_mul(40503) ^ 0x5a5a
        }));
        assert_eq!(super::Hash256::from_u64s(&h.to_u64s()), h);
        assert_eq!(super::Hash256::from_bytes(&h.to_bytes()), h);
    }

    use super::*;

    #[test]
    fn hex_round_trip_and_hamming() {
        let hex = "e64cc9d91e623842f8d1f1d9a398e78c9f199a3bd87924f2b7e11e0bf061b064";
        let h = Hash256::from_hex(hex).unwrap();
        assert_eq!(h.to_hex(), hex);
        assert_eq!(h.hamming(&h), 0);
        let mut g = h;
        g.0[3] ^= 0b101;
        assert_eq!(h.hamming(&g), 2);
        assert_eq!(Hash256::from_hex("xyz"), None);
    }

    #[test]
    fn lockstep_columns_equal_strided_box_filter_bit_for_bit() {
        let (rows, cols) = (37, 23);
        let input: Vec<f32> = (0..rows * cols)
            .map(|i| ((i * 7919) % 251) as f32 * 0.731)
            .collect();
        // Real windows are ceil(dim / 128) <= dim; larger ones are invalid for the reference too.
        for window in [1, 2, 3, 5, 8, 37] {
            let mut strided = vec![0f32; rows * cols];
            for j in 0..cols {
                box_1d(&input, &mut strided, rows, cols, j, window);
            }
            let mut lockstep = vec![0f32; rows * cols];
            box_cols(&input, &mut lockstep, rows, cols, window);
            assert_eq!(strided, lockstep, "window {window}");
        }
    }

    #[test]
    fn box_filter_matches_a_direct_window_mean() {
        // Window 3 (half 2): out[i] = mean of in[i-1..=i+1] clipped to the vector.
        let input: Vec<f32> = (0..7).map(|v| v as f32).collect();
        let mut out = vec![0f32; 7];
        box_1d(&input, &mut out, 7, 1, 0, 3);
        assert_eq!(out, vec![0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 5.5]);
    }
}
