//! QR codes by their three finder patterns (1:1:3:1:1 concentric squares at the corners of a
//! right isosceles triangle), for codes whose modules are 1.5 px or larger. The texture path
//! in the parent module finds the smaller ones.

use super::{percentile_range, Code, CodeKind};
use crate::overlay::raster::{Plane, PxBox};

/// Module size (px) from which a pasted code that a decoder cannot read is not taken for a
/// code (see `finder_codes`).
const MIN_UNIT_READ: f32 = 3.0;

/// Rows of `[x0, x1) × [y0, y1)` showing the 1:1:3:1:1 finder run, each confirmed by the same
/// run down the column through its centre: (centre x, row, module size).
pub(super) fn finder_hits(
    l: &Plane,
    dark: &dyn Fn(usize, usize) -> bool,
    (x0, y0, x1, y1): (usize, usize, usize, usize),
) -> Vec<(f32, f32, f32)> {
    let mut hits = Vec::new();
    for y in y0..y1 {
        let rs = runs((x0..x1).map(|x| (x, dark(x, y))));
        for win in rs.windows(5) {
            let Some((cx, unit)) = pattern(win) else {
                continue;
            };
            let reach = (4.0 * unit) as usize;
            let (ya, yb) = (y.saturating_sub(reach), (y + reach + 1).min(l.h));
            let col = runs((ya..yb).map(|yy| (yy, dark(cx as usize, yy))));
            if col.windows(5).any(|w| {
                pattern(w).is_some_and(|(cy, u)| {
                    (cy - y as f32).abs() <= unit && (u - unit).abs() <= 0.5 * unit
                })
            }) {
                hits.push((cx, y as f32, unit));
            }
        }
    }
    hits
}

/// Finder patterns over the whole picture: rows binarised against the 41-px local mean, runs of
/// dark:light:dark:light:dark in 1:1:3:1:1 (module ≥ 1.5 px), confirmed down the centre column.
/// Three finders of one module size at the corners of a right isosceles triangle are a code.
pub(super) fn finder_codes(l: &Plane, means: &Plane) -> Vec<Code> {
    let dark = |x: usize, y: usize| l.at(x, y) as u32 + 10 < means.at(x, y) as u32;
    let hits = finder_hits(l, &dark, (0, 0, l.w, l.h));
    // cluster into finder centres (≥ 2 rows each)
    let mut centres: Vec<(f32, f32, f32, u32)> = Vec::new();
    for (x, y, u) in hits {
        match centres
            .iter_mut()
            .find(|c| (c.0 - x).abs() <= 2.0 * u && (c.1 - y).abs() <= 3.5 * u)
        {
            Some(c) => {
                c.3 += 1;
                c.1 += (y - c.1) / c.3 as f32;
            }
            None => centres.push((x, y, u, 1)),
        }
    }
    centres.retain(|c| c.3 >= 2 && diagonal_finder(l, c.0, c.1, c.2, &dark));
    let mut out = Vec::new();
    let mut used = vec![false; centres.len()];
    for a in 0..centres.len() {
        for b in 0..centres.len() {
            for c in 0..centres.len() {
                if used[a] || used[b] || used[c] || a == b || b == c || a == c || b > c {
                    continue;
                }
                // a is the corner: ab ⟂ ac, |ab| ≈ |ac|, same module size
                let (pa, pb, pc) = (centres[a], centres[b], centres[c]);
                let (ux, uy) = (pb.0 - pa.0, pb.1 - pa.1);
                let (vx, vy) = (pc.0 - pa.0, pc.1 - pa.1);
                let (lu, lv) = ((ux * ux + uy * uy).sqrt(), (vx * vx + vy * vy).sqrt());
                let unit = (pa.2 + pb.2 + pc.2) / 3.0;
                if lu < 10.0 * unit || (lu - lv).abs() > 0.15 * lu.max(lv) {
                    continue;
                }
                if (ux * vx + uy * vy).abs() > 0.2 * lu * lv {
                    continue;
                }
                if [pa.2, pb.2, pc.2]
                    .iter()
                    .any(|&u| (u - unit).abs() > 0.35 * unit)
                {
                    continue;
                }
                // finder centres are N − 7 modules apart, N = 21 + 4·version; versions 1–10
                // (product photos carry short links). The module size read from the runs is
                // off by up to ~20 % (binarisation widens dark rings, resampling blurs them:
                // a version-1 code scaled to 69 px reads 16.7 modules apart instead of 14),
                // so only the range is checked, not the module grid.
                let modules = (lu + lv) / 2.0 / unit;
                if !(11.0..=55.0).contains(&modules) {
                    continue;
                }
                let (x0, x1) = (
                    pa.0.min(pb.0).min(pc.0) - 4.0 * unit,
                    pa.0.max(pb.0).max(pc.0) + 4.0 * unit,
                );
                let (y0, y1) = (
                    pa.1.min(pb.1).min(pc.1) - 4.0 * unit,
                    pa.1.max(pb.1).max(pc.1) + 4.0 * unit,
                );
                // the fourth corner completes the square
                let (qx, qy) = (pb.0 + vx, pb.1 + vy);
                let (x0, x1) = (
                    x0.min(qx - 4.0 * unit).max(0.0),
                    x1.max(qx + 4.0 * unit).min(l.w as f32),
                );
                let (y0, y1) = (
                    y0.min(qy - 4.0 * unit).max(0.0),
                    y1.max(qy + 4.0 * unit).min(l.h as f32),
                );
                let bbox = PxBox::from_bounds(x0 as usize, y0 as usize, x1 as usize, y1 as usize);
                // A pasted code is black on white (or two flat inks): full contrast, and few
                // mid-tones even when scaled and JPEG-compressed (≥ 0.81 of the pixels in the
                // outer 30 % bands for codes with modules ≥ 1.5 px). Hair, fur or foliage can
                // line up three finder-like rings but is neither (a rambutan: 129 levels, 0.61).
                let (lo, hi, far) = percentile_range(l, &bbox);
                if hi - lo < 150.0 || far < 0.75 {
                    continue;
                }
                // A code that a QR decoder reads is a code, however its modules fall (a sparse
                // version-1 code changes colour on 24 % of its module steps, where the busy
                // test below asks 25 %). Modules of 3 px and more are what decoders read
                // easily, and what a seller pastes is meant to be scanned: at that size a
                // pattern that does not decode is texture that lined up three rings (the dots
                // of a guineafowl's plumage, thyme's branches on white). Smaller codes blur
                // past decoding, so there the data area only has to be busy both ways.
                let reads = decodes(l, &bbox, (lo + hi) / 2.0);
                if !reads
                    && (unit >= MIN_UNIT_READ
                        || !busy_between(l, (pa.0, pa.1), (pb.0 + vx, pb.1 + vy), unit))
                {
                    continue;
                }
                used[a] = true;
                used[b] = true;
                used[c] = true;
                out.push(Code {
                    kind: CodeKind::Qr,
                    bbox,
                    confidence: if reads { 0.99 } else { 0.9 },
                    finders: 3,
                });
            }
        }
    }
    out
}

/// Does a QR decoder read a code inside `bbox`? `rqrr` (a Rust port of quirc) on the box
/// widened by a quarter on each side, white outside the picture (pasted codes often sit closer
/// to the picture's edge than the 4-module quiet zone a decoder wants), binarised at `mid`, the
/// middle of the box's luma range: a pasted code is two flat inks, and quirc's own local
/// threshold misread a Lanczos-scaled 120-px code (uncorrectable data) that this reads. Any
/// payload counts (not only UTF-8). The decoder runs on input-derived pixels, so a panic inside
/// it is caught and read as "no code" rather than taking the check down.
fn decodes(l: &Plane, bbox: &PxBox, mid: f32) -> bool {
    let pad = (bbox.width.max(bbox.height) / 4) as i64;
    let (x0, y0) = (bbox.x as i64 - pad, bbox.y as i64 - pad);
    let (w, h) = (
        bbox.width as usize + 2 * pad as usize,
        bbox.height as usize + 2 * pad as usize,
    );
    let at = |x: usize, y: usize| {
        let (gx, gy) = (x0 + x as i64, y0 + y as i64);
        if gx < 0 || gy < 0 || gx as usize >= l.w || gy as usize >= l.h {
            255
        } else {
            l.at(gx as usize, gy as usize)
        }
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut img =
            rqrr::PreparedImage::prepare_from_bitmap(w, h, |x, y| (at(x, y) as f32) < mid);
        let grids = img.detect_grids();
        grids.iter().any(|g| g.decode_to(&mut Vec::new()).is_ok())
    }))
    .unwrap_or(false)
}

/// A finder is concentric squares: the 1:1:3:1:1 runs also show along the diagonal through its
/// centre (scaled by √2). Texture that matched across and down rarely matches diagonally.
fn diagonal_finder(
    l: &Plane,
    cx: f32,
    cy: f32,
    unit: f32,
    dark: &dyn Fn(usize, usize) -> bool,
) -> bool {
    let reach = (5.0 * unit) as i64;
    let (cx, cy) = (cx as i64, cy as i64);
    let pts: Vec<(usize, bool)> = (-reach..=reach)
        .filter_map(|d| {
            let (x, y) = (cx + d, cy + d);
            (x >= 0 && y >= 0 && (x as usize) < l.w && (y as usize) < l.h)
                .then(|| ((d + reach) as usize, dark(x as usize, y as usize)))
        })
        .collect();
    let rs = runs(pts.into_iter());
    rs.windows(5).any(|w| {
        let total: usize = w.iter().map(|r| r.2).sum();
        let u = total as f32 / 7.0;
        w[0].0 && (u - unit).abs() <= 0.4 * unit && {
            let ok = |len: usize, m: f32| (len as f32 - m * u).abs() <= 0.6 * u * m.max(1.5);
            ok(w[0].2, 1.0)
                && ok(w[1].2, 1.0)
                && ok(w[2].2, 3.0)
                && ok(w[3].2, 1.0)
                && ok(w[4].2, 1.0)
        }
    })
}

/// Is the square between two opposite finder centres a code's data area: lines across it in
/// both directions change colour at least once every 4 modules on average.
fn busy_between(l: &Plane, a: (f32, f32), d: (f32, f32), unit: f32) -> bool {
    let (x0, x1) = (a.0.min(d.0) as usize, (a.0.max(d.0) as usize).min(l.w - 1));
    let (y0, y1) = (a.1.min(d.1) as usize, (a.1.max(d.1) as usize).min(l.h - 1));
    if x1 <= x0 + 4 || y1 <= y0 + 4 {
        return false;
    }
    let mid = {
        let mut s = 0u64;
        let mut n = 0u64;
        for y in (y0..=y1).step_by(2) {
            for x in (x0..=x1).step_by(2) {
                s += l.at(x, y) as u64;
                n += 1;
            }
        }
        (s / n.max(1)) as u8
    };
    let step = (unit as usize).max(1);
    let (mut changes, mut len) = (0usize, 0usize);
    for t in [0.3f32, 0.5, 0.7] {
        let y = y0 + ((y1 - y0) as f32 * t) as usize;
        let x = x0 + ((x1 - x0) as f32 * t) as usize;
        let row: Vec<bool> = (x0..=x1)
            .step_by(step)
            .map(|xx| l.at(xx, y) < mid)
            .collect();
        let col: Vec<bool> = (y0..=y1)
            .step_by(step)
            .map(|yy| l.at(x, yy) < mid)
            .collect();
        for line in [row, col] {
            changes += line.windows(2).filter(|w| w[0] != w[1]).count();
            len += line.len();
        }
    }
    changes * 4 >= len
}

/// Run-length encoding of a binary line: (dark, start, length).
fn runs(line: impl Iterator<Item = (usize, bool)>) -> Vec<(bool, usize, usize)> {
    let mut r: Vec<(bool, usize, usize)> = Vec::new();
    for (i, d) in line {
        match r.last_mut() {
            Some(x) if x.0 == d => x.2 += 1,
            _ => r.push((d, i, 1)),
        }
    }
    r
}

/// A 1:1:3:1:1 dark-first window of five runs: its centre and module size.
fn pattern(win: &[(bool, usize, usize)]) -> Option<(f32, f32)> {
    if !win[0].0 {
        return None;
    }
    let total: usize = win.iter().map(|r| r.2).sum();
    let unit = total as f32 / 7.0;
    if unit < 1.5 {
        return None;
    }
    let ok = |len: usize, m: f32| (len as f32 - m * unit).abs() <= 0.5 * unit * m.max(1.5);
    (ok(win[0].2, 1.0)
        && ok(win[1].2, 1.0)
        && ok(win[2].2, 3.0)
        && ok(win[3].2, 1.0)
        && ok(win[4].2, 1.0))
    .then(|| (win[2].1 as f32 + win[2].2 as f32 / 2.0, unit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overlay::{raster::local_means, text::WINDOW_R};

    /// A version-1 code (21 modules, `unit` px each) drawn at (60, 60) on a 240-px plane of
    /// `light`, dark modules `dark`: three finders, timing rows and seeded data modules.
    fn code(unit: usize, dark: u8, light: u8) -> Plane {
        let n = 21;
        let mut m = vec![vec![false; n]; n];
        let mut seed = 12_345u32;
        for (y, row) in m.iter_mut().enumerate() {
            for (x, v) in row.iter_mut().enumerate() {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                *v = (seed >> 16) & 1 == 1 || (y == 6 && x % 2 == 0) || (x == 6 && y % 2 == 0);
            }
        }
        for (fx, fy) in [(0, 0), (n - 7, 0), (0, n - 7)] {
            for dy in 0..9usize {
                for dx in 0..9usize {
                    let (x, y) = ((fx + dx) as i64 - 1, (fy + dy) as i64 - 1);
                    if x < 0 || y < 0 || x >= n as i64 || y >= n as i64 {
                        continue;
                    }
                    let r = (dx as i64 - 4).abs().max((dy as i64 - 4).abs());
                    m[y as usize][x as usize] = r <= 1 || r == 3;
                }
            }
        }
        let (w, h) = (240, 240);
        let mut data = vec![light; w * h];
        for (y, row) in m.iter().enumerate() {
            for (x, &v) in row.iter().enumerate() {
                if v {
                    for yy in 0..unit {
                        for xx in 0..unit {
                            data[(60 + y * unit + yy) * w + 60 + x * unit + xx] = dark;
                        }
                    }
                }
            }
        }
        Plane { w, h, data }
    }

    #[test]
    fn a_pasted_code_is_found_by_its_finders_and_a_low_contrast_lookalike_is_not() {
        // 2-px modules: too small to ask a decoder, found by finders and a busy data area
        let l = code(2, 0, 255);
        let found = finder_codes(&l, &local_means(&l, WINDOW_R));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].finders, 3);
        // the same rings and data at 129 levels of contrast (hair, foliage): not a pasted code
        let l = code(2, 60, 189);
        assert!(finder_codes(&l, &local_means(&l, WINDOW_R)).is_empty());
    }

    /// The synthetic pattern has finders and timing rows but random data without format
    /// information or error correction: no decoder reads it. With 4-px modules a real code
    /// would decode, so this is taken for texture that lined up three rings.
    #[test]
    fn a_large_pattern_that_does_not_decode_is_not_a_code() {
        let l = code(4, 0, 255);
        assert!(finder_codes(&l, &local_means(&l, WINDOW_R)).is_empty());
    }
}
