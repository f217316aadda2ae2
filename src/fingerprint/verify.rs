//! Geometric verification of a candidate pair from its local features: brute-force Hamming
//! matching (ratio test, mutual), then RANSAC for a similarity transform (scale, rotation,
//! shift) with a fixed seed; then what part of each image the match covers (`super::region`)
//! and whether the two images agree wherever both have texture in that part (reported).

use super::region;
use serde::Serialize;

use super::features::{Features, THUMB_STEP};
use super::matches::matches_impl;
pub use super::matches::matches_portable;
use super::region::INLIER_PX;

/// Putative matches a → b: nearest neighbour under 64 bits with a 0.8 ratio test, mutual.
/// On x86-64 CPUs with AVX-512 VPOPCNTDQ an eight-lane kernel, else with POPCNT the same code
/// compiled for it (`super::match_simd`, measured there); elsewhere the portable build.
fn matches(a: &Features, b: &Features) -> Vec<(usize, usize)> {
    #[cfg(target_arch = "x86_64")]
    if super::match_simd::avx512_available() {
        return super::match_simd::matches_avx512(a, b);
    }
    #[cfg(target_arch = "x86_64")]
    if super::match_simd::popcnt_available() {
        return super::match_simd::matches_popcnt(a, b);
    }
    matches_impl(a, b)
}

/// A similarity transform `q = A·p + t` with `A = [[a, −b], [b, a]]` (scale s, rotation θ:
/// a = s·cos θ, b = s·sin θ), mapping image-a base coordinates to image-b base coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Similarity2 {
    pub a: f32,
    pub b: f32,
    pub tx: f32,
    pub ty: f32,
}

impl Similarity2 {
    pub fn apply(&self, p: [f32; 2]) -> [f32; 2] {
        [
            self.a * p[0] - self.b * p[1] + self.tx,
            self.b * p[0] + self.a * p[1] + self.ty,
        ]
    }
    pub fn scale(&self) -> f32 {
        (self.a * self.a + self.b * self.b).sqrt()
    }
    pub fn rotation_deg(&self) -> f32 {
        self.b.atan2(self.a).to_degrees()
    }
    /// The transform mapping back (`None` when degenerate).
    pub fn inverse(&self) -> Option<Similarity2> {
        let d = self.a * self.a + self.b * self.b;
        if d < 1e-9 {
            return None;
        }
        let (a, b) = (self.a / d, -self.b / d);
        Some(Similarity2 {
            a,
            b,
            tx: -(a * self.tx - b * self.ty),
            ty: -(b * self.tx + a * self.ty),
        })
    }
    fn from_two(p1: [f32; 2], p2: [f32; 2], q1: [f32; 2], q2: [f32; 2]) -> Option<Similarity2> {
        let (dpx, dpy) = (p2[0] - p1[0], p2[1] - p1[1]);
        let (dqx, dqy) = (q2[0] - q1[0], q2[1] - q1[1]);
        let den = dpx * dpx + dpy * dpy;
        if den < 1.0 {
            return None;
        }
        let a = (dqx * dpx + dqy * dpy) / den;
        let b = (dqy * dpx - dqx * dpy) / den;
        Some(Similarity2 {
            a,
            b,
            tx: q1[0] - (a * p1[0] - b * p1[1]),
            ty: q1[1] - (b * p1[0] + a * p1[1]),
        })
    }
    fn fit(ps: &[[f32; 2]], qs: &[[f32; 2]]) -> Option<Similarity2> {
        let n = ps.len() as f32;
        if ps.len() < 2 {
            return None;
        }
        let (mut px, mut py, mut qx, mut qy) = (0.0, 0.0, 0.0, 0.0);
        for (p, q) in ps.iter().zip(qs) {
            px += p[0];
            py += p[1];
            qx += q[0];
            qy += q[1];
        }
        let (px, py, qx, qy) = (px / n, py / n, qx / n, qy / n);
        let (mut sa, mut sb, mut den) = (0.0, 0.0, 0.0);
        for (p, q) in ps.iter().zip(qs) {
            let (ux, uy, vx, vy) = (p[0] - px, p[1] - py, q[0] - qx, q[1] - qy);
            sa += ux * vx + uy * vy;
            sb += ux * vy - uy * vx;
            den += ux * ux + uy * uy;
        }
        if den < 1e-3 {
            return None;
        }
        let (a, b) = (sa / den, sb / den);
        Some(Similarity2 {
            a,
            b,
            tx: qx - (a * px - b * py),
            ty: qy - (b * px + a * py),
        })
    }
}

/// Result of geometric verification of one pair (in one orientation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verification {
    pub putative: usize,
    pub inliers: usize,
    pub transform: Option<Similarity2>,
    /// Share of each image's area covered by the inliers' bounding box.
    pub spread_a: f32,
    pub spread_b: f32,
    /// Which part of each image the match covers, and how much of each (`region::Region`).
    pub region: region::Region,
    /// `true` when `b` was matched in mirrored form.
    pub mirrored: bool,
    /// Photometric agreement: of the textured parts the two images share under the
    /// transform, the share whose pixels correlate. Near 1 for a copy (whatever was cropped,
    /// framed or collaged around it), low when only chrome, a frame or a logo matches and the
    /// photos inside differ; 1 when it cannot judge.
    pub agreement: f32,
}

/// Thumbnail pixels per side of a compared block (32 base pixels).
const BLOCK: usize = 4;
/// A block whose luma standard deviation is below this (of 255) is flat: it says nothing about
/// whether two photos agree (white backgrounds, sky, a new plain background).
const FLAT_STD: f32 = 8.0;
/// A block agrees when its normalised cross-correlation with the other image at the place the
/// transform puts it reaches this (invariant to brightness, contrast and grey conversion).
const AGREE_NCC: f32 = 0.5;
/// Fewer comparable blocks than this cannot judge (the agreement is then 1).
const MIN_BLOCKS: u32 = 4;

/// Bilinear sample of `f`'s thumbnail at base-level position (x, y); `None` outside it.
fn sample(f: &Features, x: f32, y: f32) -> Option<f32> {
    let (tw, th) = Features::thumb_size(f.width, f.height);
    let step = THUMB_STEP as f32;
    let (u, v) = (x / step - 0.5, y / step - 0.5);
    if !(u >= -0.5 && v >= -0.5 && u <= tw as f32 - 0.5 && v <= th as f32 - 0.5) {
        return None;
    }
    let (u, v) = (u.clamp(0.0, tw as f32 - 1.0), v.clamp(0.0, th as f32 - 1.0));
    let (x0, y0) = (u.floor() as usize, v.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(tw as usize - 1), (y0 + 1).min(th as usize - 1));
    let (fx, fy) = (u - x0 as f32, v - y0 as f32);
    let at = |x: usize, y: usize| f.thumb[y * tw as usize + x] as f32;
    let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
    let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
    Some(top * (1.0 - fy) + bottom * fy)
}

/// Photometric agreement of `b` with `a` under `t` (a → b): of `a`'s textured blocks that
/// land inside `b` on texture, the share whose pixels correlate. `None` when it cannot judge.
fn photometric(a: &Features, b: &Features, t: &Similarity2) -> Option<f32> {
    let (tw, th) = Features::thumb_size(a.width, a.height);
    let (tw, th) = (tw as usize, th as usize);
    let (btw, bth) = Features::thumb_size(b.width, b.height);
    if a.thumb.len() != tw * th || b.thumb.len() != (btw * bth) as usize {
        return None;
    }
    let step = THUMB_STEP as f32;
    let std = |v: &[f32]| {
        let m = v.iter().sum::<f32>() / v.len() as f32;
        let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f32>() / v.len() as f32;
        (m, var.sqrt())
    };
    let (mut comparable, mut agree) = (0u32, 0u32);
    let mut va = Vec::with_capacity(BLOCK * BLOCK);
    let mut vb = Vec::with_capacity(BLOCK * BLOCK);
    for by in (0..th).step_by(BLOCK) {
        'block: for bx in (0..tw).step_by(BLOCK) {
            va.clear();
            vb.clear();
            for y in by..(by + BLOCK).min(th) {
                for x in bx..(bx + BLOCK).min(tw) {
                    let q = t.apply([(x as f32 + 0.5) * step, (y as f32 + 0.5) * step]);
                    let Some(s) = sample(b, q[0], q[1]) else {
                        continue 'block;
                    };
                    va.push(a.thumb[y * tw + x] as f32);
                    vb.push(s);
                }
            }
            if va.len() < BLOCK * BLOCK / 2 {
                continue;
            }
            let ((ma, sa), (mb, sb)) = (std(&va), std(&vb));
            if sa < FLAT_STD || sb < FLAT_STD {
                continue;
            }
            let cov = va
                .iter()
                .zip(&vb)
                .map(|(x, y)| (x - ma) * (y - mb))
                .sum::<f32>()
                / va.len() as f32;
            comparable += 1;
            agree += (cov / (sa * sb) >= AGREE_NCC) as u32;
        }
    }
    (comparable >= MIN_BLOCKS).then(|| agree as f32 / comparable as f32)
}

/// Photometric agreement of a verified pair, measured from the image whose content is the
/// smaller (so neither side is compared at a finer scale than the other holds); 1 when it
/// cannot judge (flat images, no thumbnails).
fn agreement(a: &Features, b: &Features, t: &Similarity2) -> f32 {
    let r = if t.scale() >= 1.0 {
        photometric(a, b, t)
    } else {
        t.inverse().and_then(|back| photometric(b, a, &back))
    };
    r.unwrap_or(1.0)
}

const ITERATIONS: usize = 400;

fn bbox_share(pts: &[[f32; 2]], w: u32, h: u32) -> f32 {
    if pts.is_empty() {
        return 0.0;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in pts {
        x0 = x0.min(p[0]);
        y0 = y0.min(p[1]);
        x1 = x1.max(p[0]);
        y1 = y1.max(p[1]);
    }
    ((x1 - x0) * (y1 - y0) / (w as f32 * h as f32)).clamp(0.0, 1.0)
}

/// Verify `b` against `a` (optionally mirrored): matching, then RANSAC with a fixed seed.
pub fn verify(a: &Features, b: &Features, mirrored: bool) -> Verification {
    let bm;
    let b = if mirrored {
        bm = b.mirrored();
        &bm
    } else {
        b
    };
    let m = matches(a, b);
    let mut out = Verification {
        putative: m.len(),
        inliers: 0,
        transform: None,
        spread_a: 0.0,
        spread_b: 0.0,
        region: region::Region::default(),
        mirrored,
        agreement: 0.0,
    };
    if m.len() < 4 {
        return out;
    }
    let ps: Vec<[f32; 2]> = m.iter().map(|&(i, _)| a.points[i]).collect();
    let qs: Vec<[f32; 2]> = m.iter().map(|&(_, j)| b.points[j]).collect();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15 ^ (m.len() as u64);
    let mut rnd = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let count = |t: &Similarity2| -> Vec<usize> {
        (0..ps.len())
            .filter(|&k| {
                let r = t.apply(ps[k]);
                let (dx, dy) = (r[0] - qs[k][0], r[1] - qs[k][1]);
                dx * dx + dy * dy <= INLIER_PX * INLIER_PX
            })
            .collect()
    };
    let plausible =
        |t: &Similarity2| (0.25..=4.0).contains(&t.scale()) && t.rotation_deg().abs() <= 30.0;
    let mut best: Vec<usize> = Vec::new();
    for _ in 0..ITERATIONS {
        let i = rnd(ps.len());
        let j = rnd(ps.len());
        if i == j {
            continue;
        }
        let Some(t) = Similarity2::from_two(ps[i], ps[j], qs[i], qs[j]) else {
            continue;
        };
        if !plausible(&t) {
            continue;
        }
        let inl = count(&t);
        if inl.len() > best.len() {
            best = inl;
        }
    }
    if best.len() < 3 {
        return out;
    }
    // Refit on the inliers and recount once.
    let sel = |idx: &[usize], v: &[[f32; 2]]| idx.iter().map(|&k| v[k]).collect::<Vec<_>>();
    if let Some(t) = Similarity2::fit(&sel(&best, &ps), &sel(&best, &qs)).filter(plausible) {
        let again = count(&t);
        if again.len() >= best.len() {
            best = again;
        }
        out.transform = Some(t);
    }
    out.inliers = best.len();
    let (ia, ib) = (sel(&best, &ps), sel(&best, &qs));
    out.spread_a = bbox_share(&ia, a.width, a.height);
    out.spread_b = bbox_share(&ib, b.width, b.height);
    out.region = region::Region::of_match(a, b, &ps, &qs, &best, mirrored);
    if let Some(t) = out.transform {
        out.agreement = agreement(a, b, &t);
    }
    out
}

/// Best of the direct and mirrored verification.
pub fn verify_any(a: &Features, b: &Features) -> Verification {
    let d = verify(a, b, false);
    let m = verify(a, b, true);
    if m.inliers > d.inliers {
        m
    } else {
        d
    }
}

/// Inliers needed to call a pair verified. On the benchmark's dev split (4 515 sampled negative
/// pairs) no unrelated pair reached 14; ≥ 95 % of copies of every transform but vertical flip
/// exceed 24 (examples/verify_probe.rs).
pub const MIN_INLIERS: usize = 16;
/// Smallest share of each image the inliers must span, so a shared logo or a line of text alone
/// cannot verify two different photos.
pub const MIN_SPREAD: f32 = 0.02;

/// A verified pair is a copy only when one image is mostly found in the other: at least this
/// share of its textured area lies in the part the match covers (`region::Region::cover_a`) and that
/// part spans at least `MIN_EXTENT` of its textured extent. A copy holds most of a photo,
/// however cropped, framed or collaged; two different photos that share only a part (an app's
/// status bar and buttons in two screenshots, the same sticker or shop frame on two products)
/// cover less of both. Three quarters: on benches/edits 920 of 923 verified copy pairs cover
/// ≥ 0.75 on one side (2nd percentile 0.85) after the affine growth in `region`, while verified
/// screenshots of different products in the same app cover a median 0.47 (108 of 113 below;
/// docs/accuracy.md).
pub const MIN_COVER: f32 = 0.75;
/// See `MIN_COVER`: a fifth of the textured extent, so busy lettering on a sticker over a
/// plain cartoon is not "most of" it (such a sticker spans 5–20 %, copies ≥ 30 % but one).
pub const MIN_EXTENT: f32 = 0.2;

impl Verification {
    /// Most of one image is found in the other (see `MIN_COVER`); meaningful when verified.
    pub fn holds_a_whole(&self) -> bool {
        let r = &self.region;
        let whole = |cover: f32, extent: f32| cover >= MIN_COVER && extent >= MIN_EXTENT;
        whole(r.cover_a, r.extent_a) || whole(r.cover_b, r.extent_b)
    }

    pub fn verified(&self) -> bool {
        self.inliers >= MIN_INLIERS
            && self.spread_a.min(self.spread_b) >= MIN_SPREAD
            && self.transform.is_some()
    }

    /// Similarity implied by the verification: 0.86 at the minimum inlier count rising to 1.0 at
    /// 100 inliers; `None` when not verified.
    pub fn similarity(&self) -> Option<f64> {
        self.verified()
            .then(|| 0.86 + 0.14 * ((self.inliers - MIN_INLIERS) as f64 / 84.0).min(1.0))
    }
}
