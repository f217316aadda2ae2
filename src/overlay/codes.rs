//! QR codes and barcodes. Both are high-contrast, near-binary patches: a QR code is busy in
//! both directions, square, and has three solid "finder" squares in its corners; a barcode is
//! busy across its bars only, and every line across the bars reads the same.
//!
//! Small codes matter (the platform catches a QR code under 20×20 px): at that size a module is
//! under one pixel and the finder rings blur away, so a patch is accepted on texture evidence
//! (busy both ways, square, near-binary, darker corners) and the finder runs (1:1:3:1:1) only
//! raise the confidence when the code is large enough to show them.

use super::raster::{Plane, PxBox};

/// Side of the analysis cells, px.
const CELL: usize = 4;

/// What kind of code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    Qr,
    Barcode,
}

/// A code found on the picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    pub kind: CodeKind,
    pub bbox: PxBox,
    pub confidence: f32,
    /// Finder patterns (1:1:3:1:1 runs) seen, for QR codes.
    pub finders: u32,
}

struct Cells {
    gw: usize,
    gh: usize,
    lo: Vec<u8>,
    hi: Vec<u8>,
    ex: Vec<u32>,
    ey: Vec<u32>,
}

fn cells(l: &Plane) -> Cells {
    let (gw, gh) = (l.w / CELL, l.h / CELL);
    let mut c = Cells {
        gw,
        gh,
        lo: vec![255; gw * gh],
        hi: vec![0; gw * gh],
        ex: vec![0; gw * gh],
        ey: vec![0; gw * gh],
    };
    for y in 0..gh * CELL {
        let row = &l.data[y * l.w..(y + 1) * l.w];
        let next = if y + 1 < l.h {
            Some(&l.data[(y + 1) * l.w..(y + 2) * l.w])
        } else {
            None
        };
        let cy = y / CELL;
        for x in 0..gw * CELL {
            let k = cy * gw + x / CELL;
            let v = row[x];
            c.lo[k] = c.lo[k].min(v);
            c.hi[k] = c.hi[k].max(v);
            if x + 1 < l.w {
                c.ex[k] += (row[x + 1] as i32 - v as i32).unsigned_abs();
            }
            if let Some(n) = next {
                c.ey[k] += (n[x] as i32 - v as i32).unsigned_abs();
            }
        }
    }
    c
}

/// Connected clusters (8-neighbour) of marked cells, as cell-coordinate bounds.
fn clusters(mark: &[bool], gw: usize, gh: usize) -> Vec<(usize, usize, usize, usize, usize)> {
    let (labels, comps) = super::raster::components(mark, gw, gh);
    let _ = labels;
    comps
        .iter()
        .map(|c| {
            (
                c.x0 as usize,
                c.y0 as usize,
                c.x1 as usize + 1,
                c.y1 as usize + 1,
                c.area as usize,
            )
        })
        .collect()
}

/// Every QR code and barcode on the picture.
pub fn find(l: &Plane) -> Vec<Code> {
    if l.w < 3 * CELL || l.h < 3 * CELL {
        return vec![];
    }
    let c = cells(l);
    let n = c.gw * c.gh;
    let per = (CELL * CELL) as u32;
    let mut busy2 = vec![false; n];
    let mut bars_v = vec![false; n];
    let mut bars_h = vec![false; n];
    for k in 0..n {
        let range = c.hi[k].saturating_sub(c.lo[k]) as u32;
        if range < 60 {
            continue;
        }
        let (ex, ey) = (c.ex[k], c.ey[k]);
        // ~ a third of the steps are transitions of the cell's range in each direction
        let t = per * range / 6;
        busy2[k] = ex >= t && ey >= t && ex.min(ey) * 3 >= ex.max(ey);
        bars_v[k] = ex >= 2 * t && ey * 6 <= ex;
        bars_h[k] = ey >= 2 * t && ex * 6 <= ey;
    }
    let mut out = Vec::new();
    for (x0, y0, x1, y1, area) in clusters(&busy2, c.gw, c.gh) {
        let b = PxBox::from_bounds(x0 * CELL, y0 * CELL, x1 * CELL, y1 * CELL);
        if let Some(code) = judge_qr(l, &b, area, (x1 - x0) * (y1 - y0)) {
            out.push(code);
        }
    }
    for (mark, vertical) in [(&bars_v, true), (&bars_h, false)] {
        for (x0, y0, x1, y1, area) in clusters(mark, c.gw, c.gh) {
            let b = PxBox::from_bounds(x0 * CELL, y0 * CELL, x1 * CELL, y1 * CELL);
            if let Some(code) = judge_barcode(l, &b, area, (x1 - x0) * (y1 - y0), vertical) {
                out.push(code);
            }
        }
    }
    out
}

/// Mean luma of a box (clipped).
fn mean(l: &Plane, x0: usize, y0: usize, x1: usize, y1: usize) -> f32 {
    let (x1, y1) = (x1.min(l.w), y1.min(l.h));
    if x1 <= x0 || y1 <= y0 {
        return 0.0;
    }
    let mut s = 0u64;
    for y in y0..y1 {
        for x in x0..x1 {
            s += l.at(x, y) as u64;
        }
    }
    s as f32 / ((x1 - x0) * (y1 - y0)) as f32
}

fn percentile_range(l: &Plane, b: &PxBox) -> (f32, f32, f32) {
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    for y in b.y as usize..(b.y1() as usize).min(l.h) {
        for x in b.x as usize..(b.x1() as usize).min(l.w) {
            hist[l.at(x, y) as usize] += 1;
            n += 1;
        }
    }
    let q = |p: f32| {
        let t = (p * n as f32) as u32;
        let mut acc = 0;
        for (v, &c) in hist.iter().enumerate() {
            acc += c;
            if acc > t {
                return v as f32;
            }
        }
        255.0
    };
    let (lo, hi) = (q(0.05), q(0.95));
    // share of pixels far from the middle: a binary pattern has few mid-greys
    let (a, bnd) = (lo + (hi - lo) * 0.3, lo + (hi - lo) * 0.7);
    let far: u32 = hist
        .iter()
        .enumerate()
        .filter(|(v, _)| (*v as f32) < a || (*v as f32) > bnd)
        .map(|(_, &c)| c)
        .sum();
    (lo, hi, far as f32 / n.max(1) as f32)
}

fn judge_qr(l: &Plane, b: &PxBox, cells_busy: usize, cells_box: usize) -> Option<Code> {
    let (w, h) = (b.width as f32, b.height as f32);
    let side = w.max(h);
    if side < 15.0 || side > 0.6 * l.w.min(l.h) as f32 {
        return None;
    }
    if w.max(h) > 1.35 * w.min(h) || (cells_busy as f32) < 0.55 * cells_box as f32 {
        return None;
    }
    let (lo, hi, far) = percentile_range(l, b);
    if hi - lo < 90.0 || far < 0.45 {
        return None;
    }
    let mid = (lo + hi) / 2.0;
    // Finder corners: a solid dark centre (3 of ~25 modules) in three corners of the square.
    let (x0, y0, x1, y1) = (b.x as usize, b.y as usize, b.x1() as usize, b.y1() as usize);
    let k = ((side * 7.0 / 27.0).round() as usize).max(3);
    let c3 = (k * 3 / 7).max(1);
    let off = (k - c3) / 2;
    let corners = [(x0, y0), (x1 - k, y0), (x0, y1 - k), (x1 - k, y1 - k)];
    let dark_centres = corners
        .iter()
        .filter(|&&(cx, cy)| {
            mean(l, cx + off, cy + off, cx + off + c3, cy + off + c3) < mid - 0.2 * (hi - lo)
        })
        .count();
    let finders = finder_runs(l, b, mid);
    if dark_centres < 3 && finders < 2 {
        return None;
    }
    // quiet zone: a light, plain ring around the code
    let r = ((side / 8.0) as usize).max(2);
    let ring = [
        (x0.saturating_sub(r), y0.saturating_sub(r), x1 + r, y0),
        (x0.saturating_sub(r), y1, x1 + r, y1 + r),
        (x0.saturating_sub(r), y0, x0, y1),
        (x1, y0, x1 + r, y1),
    ];
    let quiet = ring
        .iter()
        .filter(|&&(a, bb, c, d)| mean(l, a, bb, c, d) > mid)
        .count();
    let confidence = 0.55
        + if dark_centres >= 3 { 0.15 } else { 0.0 }
        + (finders.min(3) as f32) * 0.08
        + if quiet >= 3 { 0.1 } else { 0.0 };
    Some(Code {
        kind: CodeKind::Qr,
        bbox: *b,
        confidence: confidence.min(0.99),
        finders,
    })
}

/// Rows of the box (binarised at `mid`) showing the 1:1:3:1:1 finder run, clustered by position
/// into distinct finders.
fn finder_runs(l: &Plane, b: &PxBox, mid: f32) -> u32 {
    let mut hits: Vec<(f32, f32)> = Vec::new();
    for y in b.y as usize..(b.y1() as usize).min(l.h) {
        let mut runs: Vec<(bool, usize, usize)> = Vec::new(); // (dark, start, len)
        for x in b.x as usize..(b.x1() as usize).min(l.w) {
            let d = (l.at(x, y) as f32) < mid;
            match runs.last_mut() {
                Some(r) if r.0 == d => r.2 += 1,
                _ => runs.push((d, x, 1)),
            }
        }
        for win in runs.windows(5) {
            if !win[0].0 {
                continue;
            }
            let total: usize = win.iter().map(|r| r.2).sum();
            let unit = total as f32 / 7.0;
            if unit < 1.0 {
                continue;
            }
            let ok = |len: usize, m: f32| (len as f32 - m * unit).abs() <= 0.6 * unit * m.max(1.5);
            if ok(win[0].2, 1.0)
                && ok(win[1].2, 1.0)
                && ok(win[2].2, 3.0)
                && ok(win[3].2, 1.0)
                && ok(win[4].2, 1.0)
            {
                let cx = win[2].1 as f32 + win[2].2 as f32 / 2.0;
                hits.push((cx, y as f32));
            }
        }
    }
    // cluster hits lying within a finder's size of each other
    let mut centres: Vec<(f32, f32, u32)> = Vec::new();
    let tol = (b.width.max(b.height) as f32 / 6.0).max(3.0);
    for (x, y) in hits {
        match centres
            .iter_mut()
            .find(|c| (c.0 - x).abs() <= tol && (c.1 - y).abs() <= tol)
        {
            Some(c) => c.2 += 1,
            None => centres.push((x, y, 1)),
        }
    }
    centres.iter().filter(|c| c.2 >= 2).count() as u32
}

fn judge_barcode(
    l: &Plane,
    b: &PxBox,
    cells_busy: usize,
    cells_box: usize,
    vertical: bool,
) -> Option<Code> {
    // length across the bars and along them
    let (across, along) = if vertical {
        (b.width, b.height)
    } else {
        (b.height, b.width)
    };
    if across < 30 || along < 8 || (cells_busy as f32) < 0.5 * cells_box as f32 {
        return None;
    }
    let (lo, hi, far) = percentile_range(l, b);
    if hi - lo < 90.0 || far < 0.45 {
        return None;
    }
    let mid = (lo + hi) / 2.0;
    // lines across the bars at 25 %, 50 %, 75 % of their length must read the same
    let read = |t: f32| -> Vec<bool> {
        (0..across as usize)
            .map(|i| {
                let (x, y) = if vertical {
                    (b.x as usize + i, b.y as usize + (t * along as f32) as usize)
                } else {
                    (b.x as usize + (t * along as f32) as usize, b.y as usize + i)
                };
                (l.at(x.min(l.w - 1), y.min(l.h - 1)) as f32) < mid
            })
            .collect()
    };
    let lines = [read(0.25), read(0.5), read(0.75)];
    let transitions = lines[1].windows(2).filter(|w| w[0] != w[1]).count();
    if transitions < 20 {
        return None;
    }
    let agree = |a: &[bool], c: &[bool]| {
        a.iter().zip(c).filter(|(x, y)| x == y).count() as f32 / a.len() as f32
    };
    let consistency = agree(&lines[0], &lines[1]).min(agree(&lines[1], &lines[2]));
    if consistency < 0.85 {
        return None;
    }
    Some(Code {
        kind: CodeKind::Barcode,
        bbox: *b,
        confidence: (0.5 + (consistency - 0.85) * 2.0 + (transitions as f32 / 200.0)).min(0.99),
        finders: 0,
    })
}
