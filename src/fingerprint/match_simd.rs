//! The second place `unsafe` is allowed: descriptor matching compiled for wider instructions.
//!
//! Earned by benchmark (docs/benchmarks.md, `examples/verify_timing.rs`): brute-force matching is
//! the largest single cost of a catalogue scan (30 % of a scan's CPU time before this kernel).
//! Two instances, chosen at run time:
//!
//! - **AVX-512 VPOPCNTDQ** ([`matches_avx512`]): `b`'s descriptors transposed into eight-lane
//!   word columns, so one XOR + one `vpopcntq` per 64-bit word gives eight Hamming distances, and
//!   the nearest / second-nearest bookkeeping of rows and columns runs on eight lanes with
//!   compare-masks and blends instead of branches.
//! - **POPCNT** ([`matches_popcnt`]): the safe Rust of [`super::matches::matches_impl`] compiled
//!   with POPCNT (x86-64's baseline counts bits with a dozen shifts and masks per word).
//!
//! Both return exactly what the portable twin [`super::matches::matches_portable`] returns (same
//! matches, same order, same tie-breaking); `tests/verification.rs` checks it. Only the calls
//! into `#[target_feature]` functions and the vector loads are unsafe.
#![allow(unsafe_code)]

use super::features::Features;

/// Runtime check (std caches the CPUID result).
pub fn popcnt_available() -> bool {
    std::arch::is_x86_feature_detected!("popcnt")
}

/// Runtime check for the AVX-512 instance (AVX-512F and VPOPCNTDQ).
pub fn avx512_available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512vpopcntdq")
}

#[target_feature(enable = "popcnt")]
fn matches_popcnt_impl(a: &Features, b: &Features) -> Vec<(usize, usize)> {
    super::matches::matches_impl(a, b)
}

/// Putative matches with the POPCNT instance. Asserts the CPU has POPCNT, so a wrong call
/// cannot execute an illegal instruction.
pub fn matches_popcnt(a: &Features, b: &Features) -> Vec<(usize, usize)> {
    assert!(
        popcnt_available(),
        "POPCNT kernel called on a CPU without POPCNT"
    );
    // SAFETY: `matches_popcnt_impl` only requires the CPU to support POPCNT, checked at run
    // time on the line above; it has no other preconditions (safe Rust inside).
    unsafe { matches_popcnt_impl(a, b) }
}

/// Putative matches with the AVX-512 instance. Asserts the CPU has AVX-512F and VPOPCNTDQ.
pub fn matches_avx512(a: &Features, b: &Features) -> Vec<(usize, usize)> {
    assert!(
        avx512_available(),
        "AVX-512 kernel called on a CPU without AVX-512F/VPOPCNTDQ"
    );
    // SAFETY: the kernel requires AVX-512F and VPOPCNTDQ, checked at run time above; its
    // loads and stores stay inside the vectors it allocates (see the comments there).
    unsafe { avx512::matches(a, b) }
}

/// Lanes per vector: eight 64-bit words.
const LANES: usize = 8;
/// Distance given to the padding lanes of the last chunk: larger than any real distance (≤ 256)
/// and than `64 / 0.8`, so a padding lane never becomes a nearest or second-nearest neighbour
/// that changes an answer (a real row with one candidate keeps "no second neighbour").
const PAD: u64 = 1 << 20;

/// `b`'s descriptors as word columns: `cols[w][j]` is word `w` of descriptor `j`, padded with
/// zeros to a multiple of [`LANES`].
fn transpose(b: &Features) -> [Vec<u64>; 4] {
    let n = b.descriptors.len().div_ceil(LANES) * LANES;
    let mut cols: [Vec<u64>; 4] = std::array::from_fn(|_| vec![0u64; n]);
    for (j, d) in b.descriptors.iter().enumerate() {
        for w in 0..4 {
            cols[w][j] = d[w];
        }
    }
    cols
}

/// Nearest neighbour of one row from its eight lanes' (best, index, second): the smallest best,
/// the smallest index among lanes holding it (each lane kept its first occurrence), and the
/// second smallest distance of the whole row — exactly what one scan in index order keeps.
fn reduce_row(best: &[u64; LANES], idx: &[u64; LANES], second: &[u64; LANES]) -> (u64, usize, u64) {
    let d1 = *best.iter().min().unwrap_or(&PAD);
    let mut lane = 0;
    let mut j = u64::MAX;
    for (l, (&b, &i)) in best.iter().zip(idx).enumerate() {
        if b == d1 && i < j {
            j = i;
            lane = l;
        }
    }
    let mut d2 = *second.iter().min().unwrap_or(&PAD);
    for (l, &b) in best.iter().enumerate() {
        if l != lane {
            d2 = d2.min(b);
        }
    }
    (d1, j as usize, d2)
}

mod avx512 {
    use super::{reduce_row, transpose, Features, LANES, PAD};
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx512f,avx512vpopcntdq")]
    pub(super) unsafe fn matches(a: &Features, b: &Features) -> Vec<(usize, usize)> {
        let nb = b.descriptors.len();
        if a.descriptors.is_empty() || nb == 0 {
            return Vec::new();
        }
        let words = transpose(b);
        let chunks = words[0].len() / LANES;
        // Column state per chunk: nearest distance and its row index.
        let mut col_best = vec![u64::MAX; chunks * LANES];
        let mut col_idx = vec![u64::MAX; chunks * LANES];
        // Padding lanes of the last chunk get `PAD` added to their distance.
        let mut last_pad = [0u64; LANES];
        for (l, p) in last_pad.iter_mut().enumerate() {
            if (chunks - 1) * LANES + l >= nb {
                *p = PAD;
            }
        }
        let lane_ids = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
        let mut out = Vec::new();
        let mut rows = Vec::with_capacity(a.descriptors.len());
        for (i, d) in a.descriptors.iter().enumerate() {
            let q: [__m512i; 4] = std::array::from_fn(|w| _mm512_set1_epi64(d[w] as i64));
            let iv = _mm512_set1_epi64(i as i64);
            let mut rb = _mm512_set1_epi64(-1); // u64::MAX
            let mut rs = rb;
            let mut ri = rb;
            for c in 0..chunks {
                let at = c * LANES;
                // SAFETY: every `words[w]`, `col_best` and `col_idx` holds `chunks * LANES`
                // u64s, so the eight words at `at` are in bounds.
                let h = {
                    let w0 = _mm512_loadu_si512(words[0].as_ptr().add(at).cast());
                    let w1 = _mm512_loadu_si512(words[1].as_ptr().add(at).cast());
                    let w2 = _mm512_loadu_si512(words[2].as_ptr().add(at).cast());
                    let w3 = _mm512_loadu_si512(words[3].as_ptr().add(at).cast());
                    let p0 = _mm512_popcnt_epi64(_mm512_xor_si512(q[0], w0));
                    let p1 = _mm512_popcnt_epi64(_mm512_xor_si512(q[1], w1));
                    let p2 = _mm512_popcnt_epi64(_mm512_xor_si512(q[2], w2));
                    let p3 = _mm512_popcnt_epi64(_mm512_xor_si512(q[3], w3));
                    let h = _mm512_add_epi64(_mm512_add_epi64(p0, p1), _mm512_add_epi64(p2, p3));
                    if c + 1 == chunks {
                        _mm512_add_epi64(h, _mm512_loadu_si512(last_pad.as_ptr().cast()))
                    } else {
                        h
                    }
                };
                let jv = _mm512_add_epi64(_mm512_set1_epi64(at as i64), lane_ids);
                // Row lanes: scan in index order within each lane.
                let lt = _mm512_cmplt_epu64_mask(h, rb);
                rs = _mm512_mask_blend_epi64(lt, _mm512_min_epu64(rs, h), rb);
                rb = _mm512_mask_blend_epi64(lt, rb, h);
                ri = _mm512_mask_blend_epi64(lt, ri, jv);
                // Columns: row i is the next in index order for every column of the chunk.
                let cb_ptr = col_best.as_mut_ptr().add(at);
                let ci_ptr = col_idx.as_mut_ptr().add(at);
                let cb = _mm512_loadu_si512(cb_ptr.cast());
                let ci = _mm512_loadu_si512(ci_ptr.cast());
                let lt = _mm512_cmplt_epu64_mask(h, cb);
                _mm512_storeu_si512(cb_ptr.cast(), _mm512_mask_blend_epi64(lt, cb, h));
                _mm512_storeu_si512(ci_ptr.cast(), _mm512_mask_blend_epi64(lt, ci, iv));
            }
            let mut best = [0u64; LANES];
            let mut idx = [0u64; LANES];
            let mut second = [0u64; LANES];
            _mm512_storeu_si512(best.as_mut_ptr().cast(), rb);
            _mm512_storeu_si512(idx.as_mut_ptr().cast(), ri);
            _mm512_storeu_si512(second.as_mut_ptr().cast(), rs);
            rows.push(reduce_row(&best, &idx, &second));
        }
        for (i, &(d1, j, d2)) in rows.iter().enumerate() {
            if j >= nb {
                continue;
            }
            let d2 = if d2 >= PAD { u32::MAX } else { d2 as u32 };
            let d1 = d1 as u32;
            let ratio_ok = (d1 as f32) < 0.8 * d2 as f32 || d2 == u32::MAX;
            let mutual = col_idx[j] == i as u64;
            if d1 <= 64 && ratio_ok && mutual {
                out.push((i, j));
            }
        }
        out
    }
}
