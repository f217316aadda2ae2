//! Putative descriptor matches, the portable way: brute-force Hamming with a ratio test,
//! mutual. The scalar twin of `super::match_simd` (which compiles this same code for POPCNT and
//! tests its AVX-512 kernel against it) and what `super::verify` falls back to.

use super::features::Features;

/// The portable instance of [`matches_impl`] (the twin the POPCNT instance is tested against).
pub fn matches_portable(a: &Features, b: &Features) -> Vec<(usize, usize)> {
    matches_impl(a, b)
}

/// The matching itself, safe Rust, inlined into each instance.
///
/// One pass over the distance matrix finds both directions' nearest and second-nearest
/// neighbours (rows for a → b, columns for b → a), each scanned in index order so ties resolve
/// exactly as two separate searches would; half the Hamming distances of doing it twice.
#[inline(always)]
pub(super) fn matches_impl(a: &Features, b: &Features) -> Vec<(usize, usize)> {
    // (best distance, its index, second-best distance) per descriptor.
    let empty = (u32::MAX, usize::MAX, u32::MAX);
    let mut rows = vec![empty; a.descriptors.len()];
    let mut cols = vec![empty; b.descriptors.len()];
    let update = |slot: &mut (u32, usize, u32), h: u32, k: usize| {
        if h < slot.0 {
            slot.2 = slot.0;
            slot.0 = h;
            slot.1 = k;
        } else if h < slot.2 {
            slot.2 = h;
        }
    };
    for (i, d) in a.descriptors.iter().enumerate() {
        let row = &mut rows[i];
        for (j, e) in b.descriptors.iter().enumerate() {
            let h = super::hamming256(d, e);
            update(row, h, j);
            update(&mut cols[j], h, i);
        }
    }
    let mut out = Vec::new();
    for (i, &(d1, j, d2)) in rows.iter().enumerate() {
        if j == usize::MAX {
            continue;
        }
        let ratio_ok = (d1 as f32) < 0.8 * d2 as f32 || d2 == u32::MAX;
        let mutual = cols[j].1 == i;
        if d1 <= 64 && ratio_ok && mutual {
            out.push((i, j));
        }
    }
    out
}
