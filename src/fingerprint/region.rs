//! Where a verified match lies in each image, and how much of each image it covers.
//!
//! Verification decides *whether* two images share a photo (a similarity transform with
//! enough inliers). This module says *which part*: the inliers are first grown under an affine
//! transform fitted to them (a stretched or slightly tilted copy only agrees with a similarity
//! near its centre; an affine map follows it to the edges), then binned into an 8×8 grid per
//! image. The grid tells grouping which part of a collage a match is about; the covered share
//! of each image's textured area tells a copy (most of one image is found in the other) from
//! two images that share only a part (an app's status bar, a sticker, a shop's frame).

use serde::Serialize;

use super::features::Features;

/// A match is an inlier when the transform puts it within this many base-level pixels of its
/// partner: RANSAC counts them (`super::verify`) and only they mark covered cells here.
pub const INLIER_PX: f32 = 4.0;

/// Side of the cell grid.
pub const CELL_GRID: u32 = 8;

/// What part of each image a match covers (all zero when nothing matched).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Region {
    /// Cells holding an inlier, bit `row * 8 + column`, each image in its own frame (`b`
    /// unmirrored). Grouping uses it to tell a collage's tiles apart: two matches that lie in
    /// different parts of one image do not make their partners copies of each other
    /// (`catalogue::scan::group`).
    pub cells_a: u64,
    pub cells_b: u64,
    /// Share of each image's textured cells (≥ 2 features) that the covered cells and their
    /// neighbours take: the area of each image found in the other.
    pub cover_a: f32,
    pub cover_b: f32,
    /// Share of each image's textured extent (the box holding its features, 2 % trimmed at
    /// each side) that the matched features' box spans: area, unlike `cover`, so a small but
    /// busy element (a sticker's lettering on a plain cartoon) does not count as the photo.
    pub extent_a: f32,
    pub extent_b: f32,
}

/// The grid cell (`row * 8 + column`) of point `p` in a `w`×`h` frame.
fn cell_index(p: [f32; 2], w: u32, h: u32) -> u32 {
    let g = CELL_GRID as f32;
    let cx = ((p[0] / w.max(1) as f32) * g).clamp(0.0, g - 1.0) as u32;
    let cy = ((p[1] / h.max(1) as f32) * g).clamp(0.0, g - 1.0) as u32;
    cy * CELL_GRID + cx
}

/// The grid cells of a `w`×`h` frame that hold at least one of `pts`.
pub fn cells_of(pts: &[[f32; 2]], w: u32, h: u32) -> u64 {
    pts.iter()
        .fold(0u64, |bits, &p| bits | 1u64 << cell_index(p, w, h))
}

/// `cells` mirrored left to right (each row is one byte, column `c` its bit `c`).
pub fn mirror_cells(cells: u64) -> u64 {
    u64::from_le_bytes(cells.to_le_bytes().map(u8::reverse_bits))
}

/// `cells` grown by one cell in every direction (3×3), so a match holding only some of the
/// features of each cell of a region still covers the region.
pub fn dilate_cells(cells: u64) -> u64 {
    const NOT_FIRST_COLUMN: u64 = 0xfefe_fefe_fefe_fefe;
    const NOT_LAST_COLUMN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let d = cells | (cells << CELL_GRID) | (cells >> CELL_GRID);
    d | ((d << 1) & NOT_FIRST_COLUMN) | ((d >> 1) & NOT_LAST_COLUMN)
}

/// Cells of a `w`×`h` frame holding at least `TEXTURED_MIN` of `pts`: the image's textured
/// area (a plain background holds no features; one stray corner does not make a cell textured).
pub fn textured_cells(pts: &[[f32; 2]], w: u32, h: u32) -> u64 {
    let mut n = [0u16; 64];
    for &p in pts {
        n[cell_index(p, w, h) as usize] += 1;
    }
    (0..64usize)
        .filter(|&k| n[k] >= TEXTURED_MIN)
        .fold(0, |m, k| m | (1u64 << k))
}

/// Features a cell needs to count as textured.
const TEXTURED_MIN: u16 = 2;

/// Share of the image's textured cells that the dilated `cells` cover; 0 without texture. By
/// area, not by feature count, so busy lettering (a sticker, an app's status bar) counts for
/// the area it takes, not for its many corners.
pub fn cover(cells: u64, pts: &[[f32; 2]], w: u32, h: u32) -> f32 {
    let textured = textured_cells(pts, w, h);
    if textured == 0 {
        return 0.0;
    }
    (dilate_cells(cells) & textured).count_ones() as f32 / textured.count_ones() as f32
}

/// Box of `pts` after trimming `trim` of the points at each side on each axis.
fn trimmed_box(pts: &[[f32; 2]], trim: f32) -> Option<[f32; 4]> {
    if pts.is_empty() {
        return None;
    }
    let mut xs: Vec<f32> = pts.iter().map(|p| p[0]).collect();
    let mut ys: Vec<f32> = pts.iter().map(|p| p[1]).collect();
    xs.sort_by(f32::total_cmp);
    ys.sort_by(f32::total_cmp);
    let k = ((pts.len() as f32 * trim) as usize).min(pts.len() - 1);
    let hi = pts.len() - 1 - k;
    Some([xs[k], ys[k], xs[hi.max(k)], ys[hi.max(k)]])
}

/// Area share of `all`'s trimmed box that `matched`'s box spans (clamped to 1).
pub fn extent(matched: &[[f32; 2]], all: &[[f32; 2]]) -> f32 {
    let (Some(m), Some(t)) = (trimmed_box(matched, 0.0), trimmed_box(all, 0.02)) else {
        return 0.0;
    };
    let area = |b: [f32; 4]| (b[2] - b[0]).max(1.0) * (b[3] - b[1]).max(1.0);
    (area(m) / area(t)).min(1.0)
}

/// An affine map `q = M p + t`, row-major `[m00, m01, tx, m10, m11, ty]`.
type Affine = [f32; 6];

fn apply(m: &Affine, p: [f32; 2]) -> [f32; 2] {
    [
        m[0] * p[0] + m[1] * p[1] + m[2],
        m[3] * p[0] + m[4] * p[1] + m[5],
    ]
}

/// Least-squares affine map of `ps` onto `qs`; `None` when the points are (nearly) collinear
/// or the map is not a plausible edit of a photo: no reflection (mirrors are matched
/// separately), scale 0.2–5 on both axes, one axis stretched at most 3 times the other.
fn fit_affine(ps: &[[f32; 2]], qs: &[[f32; 2]]) -> Option<Affine> {
    if ps.len() < 3 {
        return None;
    }
    let n = ps.len() as f32;
    let mean = |v: &[[f32; 2]]| {
        let s = v
            .iter()
            .fold([0.0f32; 2], |s, p| [s[0] + p[0], s[1] + p[1]]);
        [s[0] / n, s[1] / n]
    };
    let (pm, qm) = (mean(ps), mean(qs));
    // Covariances: spp = Σ p'p'ᵀ, sqp = Σ q'p'ᵀ.
    let (mut spp, mut sqp) = ([0.0f32; 4], [0.0f32; 4]);
    for (p, q) in ps.iter().zip(qs) {
        let (u, v) = ([p[0] - pm[0], p[1] - pm[1]], [q[0] - qm[0], q[1] - qm[1]]);
        spp[0] += u[0] * u[0];
        spp[1] += u[0] * u[1];
        spp[3] += u[1] * u[1];
        sqp[0] += v[0] * u[0];
        sqp[1] += v[0] * u[1];
        sqp[2] += v[1] * u[0];
        sqp[3] += v[1] * u[1];
    }
    spp[2] = spp[1];
    let det = spp[0] * spp[3] - spp[1] * spp[2];
    if det.abs() < 1e-3 * (spp[0] * spp[3]).max(1e-6) {
        return None;
    }
    let inv = [spp[3] / det, -spp[1] / det, -spp[2] / det, spp[0] / det];
    let m = [
        sqp[0] * inv[0] + sqp[1] * inv[2],
        sqp[0] * inv[1] + sqp[1] * inv[3],
        sqp[2] * inv[0] + sqp[3] * inv[2],
        sqp[2] * inv[1] + sqp[3] * inv[3],
    ];
    // Singular values of the 2×2 linear part.
    let (a, b, c, d) = (m[0], m[1], m[2], m[3]);
    let det_m = a * d - b * c;
    let sum = a * a + b * b + c * c + d * d;
    let disc = (sum * sum - 4.0 * det_m * det_m).max(0.0).sqrt();
    let (s1, s2) = (
        ((sum + disc) / 2.0).sqrt(),
        ((sum - disc) / 2.0).max(0.0).sqrt(),
    );
    if det_m <= 0.0 || s2 < 0.2 || s1 > 5.0 || s1 > 3.0 * s2 {
        return None;
    }
    Some([
        a,
        b,
        qm[0] - (a * pm[0] + b * pm[1]),
        c,
        d,
        qm[1] - (c * pm[0] + d * pm[1]),
    ])
}

/// Grow a similarity consensus (`inliers`, indices into the putative matches `ps` → `qs`)
/// under affine refits: fit, recount, repeat while the set grows (at most three rounds).
pub fn grow_affine(ps: &[[f32; 2]], qs: &[[f32; 2]], inliers: &[usize]) -> Vec<usize> {
    let mut best = inliers.to_vec();
    for _ in 0..3 {
        let sel = |v: &[[f32; 2]]| best.iter().map(|&k| v[k]).collect::<Vec<_>>();
        let Some(m) = fit_affine(&sel(ps), &sel(qs)) else {
            break;
        };
        let again: Vec<usize> = (0..ps.len())
            .filter(|&k| {
                let r = apply(&m, ps[k]);
                let (dx, dy) = (r[0] - qs[k][0], r[1] - qs[k][1]);
                dx * dx + dy * dy <= INLIER_PX * INLIER_PX
            })
            .collect();
        if again.len() <= best.len() {
            break;
        }
        best = again;
    }
    best
}

impl Region {
    /// The region of a match: `ps[k]` in `a` matched `qs[k]` in `b` as given to the verifier
    /// (`b_matched`, mirrored when `mirrored`), `inliers` the similarity consensus.
    pub fn of_match(
        a: &Features,
        b_matched: &Features,
        ps: &[[f32; 2]],
        qs: &[[f32; 2]],
        inliers: &[usize],
        mirrored: bool,
    ) -> Region {
        let grown = grow_affine(ps, qs, inliers);
        let ia: Vec<[f32; 2]> = grown.iter().map(|&k| ps[k]).collect();
        let ib: Vec<[f32; 2]> = grown.iter().map(|&k| qs[k]).collect();
        let (bw, bh) = (b_matched.width, b_matched.height);
        let cells_a = cells_of(&ia, a.width, a.height);
        // Measured in the matched frame, stated in `b`'s own.
        let cells_b_matched = cells_of(&ib, bw, bh);
        Region {
            cells_a,
            cells_b: if mirrored {
                mirror_cells(cells_b_matched)
            } else {
                cells_b_matched
            },
            cover_a: cover(cells_a, &a.points, a.width, a.height),
            cover_b: cover(cells_b_matched, &b_matched.points, bw, bh),
            extent_a: extent(&ia, &a.points),
            extent_b: extent(&ib, &b_matched.points),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_dilation() {
        let c = cells_of(&[[0.0, 0.0], [99.0, 99.0]], 100, 100);
        assert_eq!(c, 1 | (1 << 63));
        assert_eq!(mirror_cells(cells_of(&[[0.0, 0.0]], 100, 100)), 1 << 7);
        // The top-left cell grows into its three neighbours, never wraps to the last column.
        assert_eq!(dilate_cells(1), 1 | 2 | (1 << 8) | (1 << 9));
        assert_eq!(dilate_cells(1 << 8) & (1 << 7), 0);
    }

    #[test]
    fn affine_growth_follows_a_stretch() {
        // b is a stretched by 1.6 horizontally: a similarity fitted near the centre holds only
        // there, the affine refit reaches every point.
        let ps: Vec<[f32; 2]> = (0..100)
            .map(|k| [(k % 10) as f32 * 40.0, (k / 10) as f32 * 40.0])
            .collect();
        let qs: Vec<[f32; 2]> = ps.iter().map(|p| [p[0] * 1.6, p[1]]).collect();
        let centre: Vec<usize> = (0..100)
            .filter(|&k| ((k % 10) as i32 - 5).abs() <= 1 && ((k / 10) as i32 - 5).abs() <= 1)
            .collect();
        assert_eq!(grow_affine(&ps, &qs, &centre).len(), 100);
        // A reflection is never an affine "edit".
        let flipped: Vec<[f32; 2]> = ps.iter().map(|p| [400.0 - p[0], p[1]]).collect();
        assert!(fit_affine(&ps, &flipped).is_none());
    }
}
