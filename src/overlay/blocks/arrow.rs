//! Is a flat region an arrow: a straight, even shaft with a wider head at one end.

/// A region's centre and second moments, and from them its principal axis.
pub(super) struct Axis {
    pub centre: (f64, f64),
    /// Variances and covariance of the pixel coordinates.
    vxx: f64,
    vyy: f64,
    vxy: f64,
}

impl Axis {
    /// From the pixel count, the coordinate sums and the sums of squares and products.
    pub fn from_sums(n: f64, (sx, sy): (f64, f64), (sxx, syy, sxy): (f64, f64, f64)) -> Self {
        let (mx, my) = (sx / n, sy / n);
        Axis {
            centre: (mx, my),
            vxx: sxx / n - mx * mx,
            vyy: syy / n - my * my,
            vxy: sxy / n - mx * my,
        }
    }

    /// The larger and the smaller eigenvalue of the covariance.
    fn eigen(&self) -> (f64, f64) {
        let tr = self.vxx + self.vyy;
        let det = self.vxx * self.vyy - self.vxy * self.vxy;
        let disc = (tr * tr / 4.0 - det).max(0.0).sqrt();
        (tr / 2.0 + disc, (tr / 2.0 - disc).max(1e-6))
    }

    /// Length over width of the equivalent ellipse.
    pub fn elongation(&self) -> f32 {
        let (l1, l2) = self.eigen();
        (l1 / l2).sqrt() as f32
    }

    /// Unit vector along the principal axis (eigenvector of the larger eigenvalue).
    pub fn direction(&self) -> (f64, f64) {
        let (l1, _) = self.eigen();
        let (mut ux, mut uy) = (self.vxy, l1 - self.vxx);
        if ux.abs() + uy.abs() < 1e-9 {
            (ux, uy) = (1.0, 0.0);
        }
        let n = (ux * ux + uy * uy).sqrt();
        (ux / n, uy / n)
    }
}

/// How far (RMS over the channels, levels) a thin stroke's colour may lie from the mix of its
/// two sides and still be an outline band. Measured on the verdict benchmark (session 18): the
/// five outline bands the stroke pass took for arrows on clean photos lay 5.5–34.9 off; the
/// 28 drawn arrows it found 59.8–165.1. The line sits in the gap, 10 from the nearest band.
const MAX_BLEND_OFFSET: f64 = 45.0;

/// Is the region the band of mixed colour along an outline rather than a stroke drawn over the
/// picture? Where a photo's subject meets another surface, anti-aliasing, blur and JPEG leave
/// a band one or two pixels wide whose colour lies between the two sides' (brown meat against
/// a white plate gives an orange band); a stroke drawn on top has a colour of its own, far from
/// the mix of what lies either side of it (on one surface both sides are that surface). The
/// sides are the pixels 1–3 px outside the region, split by the side of the principal axis;
/// the band is a blend when its colour is within [`MAX_BLEND_OFFSET`] of the segment between
/// the two sides' means.
pub(super) fn is_edge_blend(
    img: &image::RgbImage,
    member: &dyn Fn(usize, usize) -> bool,
    bounds: (usize, usize, usize, usize),
    axis: &Axis,
    rgb: [u8; 3],
) -> bool {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (x0, y0, x1, y1) = bounds;
    let (ux, uy) = axis.direction();
    let (cx, cy) = axis.centre;
    let near = |x: usize, y: usize| {
        let (xa, xb) = (x.saturating_sub(3), (x + 3).min(w - 1));
        let (ya, yb) = (y.saturating_sub(3), (y + 3).min(h - 1));
        (ya..=yb).any(|yy| (xa..=xb).any(|xx| member(xx, yy)))
    };
    let mut sum = [[0f64; 3]; 2];
    let mut n = [0f64; 2];
    for y in y0.saturating_sub(3)..=(y1 + 3).min(h - 1) {
        for x in x0.saturating_sub(3)..=(x1 + 3).min(w - 1) {
            if member(x, y) || !near(x, y) {
                continue;
            }
            let across = -(x as f64 - cx) * uy + (y as f64 - cy) * ux;
            let side = usize::from(across > 0.0);
            let p = img.get_pixel(x as u32, y as u32).0;
            for c in 0..3 {
                sum[side][c] += p[c] as f64;
            }
            n[side] += 1.0;
        }
    }
    if n[0] < 1.0 || n[1] < 1.0 {
        return false;
    }
    let a: Vec<f64> = (0..3).map(|c| sum[0][c] / n[0]).collect();
    let b: Vec<f64> = (0..3).map(|c| sum[1][c] / n[1]).collect();
    let s: Vec<f64> = rgb.iter().map(|&v| v as f64).collect();
    let ab: Vec<f64> = (0..3).map(|c| b[c] - a[c]).collect();
    let len2: f64 = ab.iter().map(|v| v * v).sum();
    let t = if len2 > 1e-9 {
        ((0..3).map(|c| (s[c] - a[c]) * ab[c]).sum::<f64>() / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let off: f64 = (0..3)
        .map(|c| (s[c] - (a[c] + t * ab[c])).powi(2))
        .sum::<f64>()
        / 3.0;
    off.sqrt() <= MAX_BLEND_OFFSET
}

/// Is the region a straight shaft ending in a head at least twice its width? Width profile
/// along the principal axis (20 bins): the shaft bins agree, one end bin is ≥ 2× wider and
/// at least `min_head` pixels across.
pub(super) fn has_head(
    member: &dyn Fn(usize, usize) -> bool,
    bounds: (usize, usize, usize, usize),
    axis: &Axis,
    min_head: f64,
) -> bool {
    let (x0, y0, x1, y1) = bounds;
    let centre = axis.centre;
    let (ux, uy) = axis.direction();
    let along = |x: usize, y: usize| (x as f64 - centre.0) * ux + (y as f64 - centre.1) * uy;
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for y in y0..=y1 {
        for x in x0..=x1 {
            if member(x, y) {
                let t = along(x, y);
                lo = lo.min(t);
                hi = hi.max(t);
            }
        }
    }
    const BINS: usize = 20;
    let mut width = [0u32; BINS];
    let mut across = [0f64; BINS];
    let span = (hi - lo).max(1.0);
    for y in y0..=y1 {
        for x in x0..=x1 {
            if member(x, y) {
                let b = ((((along(x, y) - lo) / span) * BINS as f64) as usize).min(BINS - 1);
                width[b] += 1;
                across[b] += -(x as f64 - centre.0) * uy + (y as f64 - centre.1) * ux;
            }
        }
    }
    let mut shaft: Vec<u32> = width[5..15].to_vec();
    shaft.sort();
    let med = shaft[shaft.len() / 2].max(1);
    // The shaft is even: a drawn stroke keeps its width to within a pixel or two, while a
    // tapering pennant, a boot or a stem widens and narrows along its length.
    let even = 2 * shaft[shaft.len() - 1] <= 3 * med + 4 && 3 * shaft[0] + 4 >= 2 * med;
    // ... and straight: the middle of each shaft slice lies on one line (a curved stem or a
    // zigzag drifts off it by more than a quarter of the stroke's width).
    let bin_len = span / BINS as f64;
    let stroke = med as f64 / bin_len.max(1e-6);
    let mids: Vec<(f64, f64)> = (5..15)
        .filter(|&b| width[b] > 0)
        .map(|b| (b as f64, across[b] / width[b] as f64))
        .collect();
    // The shaft's centre line: mid offset across the axis as a line in the bin index.
    let n = mids.len() as f64;
    let (mx, my) = (
        mids.iter().map(|p| p.0).sum::<f64>() / n.max(1.0),
        mids.iter().map(|p| p.1).sum::<f64>() / n.max(1.0),
    );
    let sxx: f64 = mids.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = mids.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let k = sxy / sxx.max(1e-9);
    let res = (mids
        .iter()
        .map(|p| (p.1 - my - k * (p.0 - mx)).powi(2))
        .sum::<f64>()
        / n.max(1.0))
    .sqrt();
    let straight = mids.len() >= 8 && res <= 0.25 * stroke + 0.5;
    // A drawn arrowhead is a triangle across the shaft: as wide on both sides of the shaft's
    // line (a boot's toe, a flag on its pole or a pennant stand out to one side) and narrowing
    // to a point at the end (a club or a foot ends wide).
    let widest = |r: std::ops::Range<usize>| width[r].iter().copied().max().unwrap_or(0);
    let wide = |r: std::ops::Range<usize>| widest(r) >= 2 * med + 2;
    let head_shape = |r: std::ops::Range<usize>, outer: usize| {
        let widest = widest(r.clone());
        let (w, a): (u32, f64) = r
            .clone()
            .map(|b| (width[b], across[b]))
            .fold((0, 0.0), |s, v| (s.0 + v.0, s.1 + v.1));
        let centre = a / w.max(1) as f64;
        let mid_bin = r.clone().map(|b| b as f64 * width[b] as f64).sum::<f64>() / w.max(1) as f64;
        let line = my + k * (mid_bin - mx);
        let across_px = widest as f64 / bin_len.max(1e-6);
        let symmetric = (centre - line).abs() <= 0.2 * across_px + 1.0;
        let pointed = 2 * width[outer] <= widest;
        symmetric && pointed && across_px >= min_head
    };
    even && straight && {
        match (wide(0..5), wide(15..BINS)) {
            (true, false) => head_shape(0..5, 0),
            (false, true) => head_shape(15..BINS, BINS - 1),
            _ => false,
        }
    }
}

/// An arrow with something thinner attached at its tail (a callout ring, a leader line): its
/// thick part alone is a shaft with a head. Pixels under 0.7× the region's 70th-percentile
/// [`thickness`] are dropped (a ring drawn at half the shaft's width), and the largest
/// connected piece left must pass [`has_head`] as a region of its own.
pub(super) fn thick_part_has_head(
    member: &dyn Fn(usize, usize) -> bool,
    bounds: (usize, usize, usize, usize),
    min_head: f64,
) -> bool {
    let (x0, y0, x1, y1) = bounds;
    let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
    let thick = thickness(&|x, y| member(x0 + x, y0 + y), bw, bh);
    let mut t: Vec<f32> = thick.iter().copied().filter(|&v| v < f32::MAX).collect();
    if t.len() < 40 {
        return false;
    }
    t.sort_by(f32::total_cmp);
    let cut = 0.7 * t[t.len() * 7 / 10];
    let core: Vec<bool> = thick.iter().map(|&v| v < f32::MAX && v >= cut).collect();
    // the largest 8-connected piece of the core
    let (labels, pieces) = crate::overlay::raster::components(&core, bw, bh);
    let Some((k, _)) = pieces
        .iter()
        .enumerate()
        .filter(|(_, c)| c.area >= 40)
        .rev() // the first of equal pieces
        .max_by_key(|(_, c)| c.area)
    else {
        return false;
    };
    let id = k as u32 + 1;
    let piece: Vec<bool> = labels.iter().map(|&l| l == id).collect();
    let inside = |x: usize, y: usize| {
        x >= x0 && y >= y0 && x <= x1 && y <= y1 && piece[(y - y0) * bw + (x - x0)]
    };
    let (mut n, mut s, mut q) = (0f64, (0f64, 0f64), (0f64, 0f64, 0f64));
    let (mut px0, mut py0, mut px1, mut py1) = (x1, y1, x0, y0);
    for y in y0..=y1 {
        for x in x0..=x1 {
            if inside(x, y) {
                let (fx, fy) = (x as f64, y as f64);
                n += 1.0;
                s = (s.0 + fx, s.1 + fy);
                q = (q.0 + fx * fx, q.1 + fy * fy, q.2 + fx * fy);
                (px0, py0, px1, py1) = (px0.min(x), py0.min(y), px1.max(x), py1.max(y));
            }
        }
    }
    let axis = Axis::from_sums(n, s, q);
    axis.elongation() >= 4.0 && has_head(&inside, (px0, py0, px1, py1), &axis, min_head)
}

/// Local thickness of every member pixel of a `bw`×`bh` box (`f32::MAX` off the region): the
/// shortest of its runs through the region along the four principal directions, diagonal runs
/// measured in distance. For a straight stroke at any angle that is within 8 % of its width.
fn thickness(member: &dyn Fn(usize, usize) -> bool, bw: usize, bh: usize) -> Vec<f32> {
    let inside = |x: i64, y: i64| {
        x >= 0 && y >= 0 && (x as usize) < bw && (y as usize) < bh && member(x as usize, y as usize)
    };
    let mut thick = vec![f32::MAX; bw * bh];
    let diagonal = std::f32::consts::SQRT_2;
    for (dx, dy, step) in [
        (1i64, 0i64, 1.0f32),
        (0, 1, 1.0),
        (1, 1, diagonal),
        (1, -1, diagonal),
    ] {
        let mut seen = vec![false; bw * bh];
        for y in 0..bh as i64 {
            for x in 0..bw as i64 {
                let i = y as usize * bw + x as usize;
                if seen[i] || !inside(x, y) {
                    continue;
                }
                // walk back to the start of the run, then forward over it
                let (mut sx, mut sy) = (x, y);
                while inside(sx - dx, sy - dy) {
                    (sx, sy) = (sx - dx, sy - dy);
                }
                let mut run = Vec::new();
                while inside(sx, sy) {
                    run.push(sy as usize * bw + sx as usize);
                    (sx, sy) = (sx + dx, sy + dy);
                }
                let len = run.len() as f32 * step;
                for j in run {
                    seen[j] = true;
                    thick[j] = thick[j].min(len);
                }
            }
        }
    }
    thick
}
