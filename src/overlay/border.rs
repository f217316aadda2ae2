//! Frames and banners: bands along the picture's edges that end in a straight line parallel to
//! the edge. A photo's content does not end in one straight line across the whole width at the
//! same depth on all four sides (a frame), and rarely on one side in a flat band that carries
//! text (a banner).

use image::RgbImage;

use super::raster::PxBox;

/// Colour step (largest channel difference across 3 px) that counts as an edge.
const STEP: i32 = 40;

/// Which edge of the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Top,
    Right,
    Bottom,
    Left,
}

impl Side {
    pub const ALL: [Side; 4] = [Side::Top, Side::Right, Side::Bottom, Side::Left];
    pub fn word(self) -> &'static str {
        match self {
            Side::Top => "top",
            Side::Right => "right",
            Side::Bottom => "bottom",
            Side::Left => "left",
        }
    }
}

/// A straight edge parallel to one side of the picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgeLine {
    pub side: Side,
    /// Distance from the picture's edge, px.
    pub depth: u32,
    /// Share of the side's length along which the step is present.
    pub coverage: f32,
    /// How many consecutive depths show the step (1–3 for a drawn edge; texture and moiré
    /// step at every depth).
    pub run: u32,
}

/// A band along one side: from the edge to a straight line at `depth`.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub side: Side,
    pub depth: u32,
    pub coverage: f32,
    pub bbox: PxBox,
    /// Share of the band's pixels within 12 levels of its dominant colour.
    pub flat_share: f32,
    pub rgb: [u8; 3],
}

/// A frame: a straight edge at a similar depth on all four sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub thickness_px: [u32; 4],
    pub coverage: f32,
}

#[inline]
fn px(raw: &[u8], w: usize, x: usize, y: usize) -> [i32; 3] {
    let i = (y * w + x) * 3;
    [raw[i] as i32, raw[i + 1] as i32, raw[i + 2] as i32]
}

/// Per depth `b` (the boundary between lines b−1 and b, counted from the side), the share of
/// positions along the side where the colour steps by more than [`STEP`] from line b−2 to b+1.
fn profile(img: &RgbImage, side: Side, max_depth: usize) -> Vec<f32> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let len = match side {
        Side::Top | Side::Bottom => w,
        Side::Left | Side::Right => h,
    };
    let at = |depth: usize, along: usize| -> [i32; 3] {
        match side {
            Side::Top => px(raw, w, along, depth),
            Side::Bottom => px(raw, w, along, h - 1 - depth),
            Side::Left => px(raw, w, depth, along),
            Side::Right => px(raw, w, w - 1 - depth, along),
        }
    };
    let mut out = vec![0f32; max_depth + 1];
    for (b, slot) in out.iter_mut().enumerate().skip(1) {
        let (outer, inner) = (b.saturating_sub(2), b + 1);
        let mut hits = 0usize;
        let mut n = 0usize;
        for along in (0..len).step_by(2) {
            let (p, q) = (at(outer, along), at(inner, along));
            n += 1;
            if (0..3).map(|c| (p[c] - q[c]).abs()).max().unwrap_or(0) > STEP {
                hits += 1;
            }
        }
        *slot = hits as f32 / n.max(1) as f32;
    }
    out
}

/// The strongest straight edges on each side within `max_share` of the side's perpendicular
/// extent: local maxima of the profile with coverage ≥ `min_coverage`.
pub fn edge_lines(img: &RgbImage, max_share: f32, min_coverage: f32) -> Vec<EdgeLine> {
    let (w, h) = img.dimensions();
    let mut out = Vec::new();
    for side in Side::ALL {
        let extent = match side {
            Side::Top | Side::Bottom => h,
            Side::Left | Side::Right => w,
        };
        let max_depth = ((extent as f32 * max_share) as usize).min(extent as usize / 2 - 2);
        if max_depth < 2 {
            continue;
        }
        let p = profile(img, side, max_depth);
        let mut b = 1;
        while b <= max_depth {
            if p[b] >= min_coverage {
                // the run of depths above the threshold is one edge; keep its peak
                let mut best = b;
                let mut e = b;
                while e <= max_depth && p[e] >= min_coverage * 0.8 {
                    if p[e] > p[best] {
                        best = e;
                    }
                    e += 1;
                }
                out.push(EdgeLine {
                    side,
                    depth: best as u32,
                    coverage: p[best],
                    run: (e - b) as u32,
                });
                b = e + 1;
            } else {
                b += 1;
            }
        }
    }
    out
}

/// Coverage every side's edge needs for a frame: a drawn frame's inner edge runs the whole
/// side (solid, double, gradient styles measure ≥ 0.9).
const FRAME_COVERAGE: f32 = 0.75;
/// Coverage that suffices when the four depths agree to within [`DASHED_DEPTH_SLACK`] px: a
/// dashed or dotted frame steps only where a dash is (about half the side), but it is drawn at
/// one depth all round, which a photo's own content is not.
const DASHED_COVERAGE: f32 = 0.4;
const DASHED_DEPTH_SLACK: u32 = 2;
/// A dashed frame's inner edge is one step: the profile is above threshold at no more than this
/// many consecutive depths (the step is measured across 3 px, so a crisp edge shows at 3, and
/// JPEG's ringing around a q85 dash widens it to 4–5; a row-interlaced picture steps at
/// hundreds of consecutive depths).
const MAX_DASHED_RUN: u32 = 6;

/// A frame: every side has a full-length edge within 12 % of the picture, at depths that agree;
/// or a half-length edge (dashed) at depths that agree to a pixel or two.
pub fn frame(lines: &[EdgeLine], w: u32, h: u32) -> Option<Frame> {
    let mut best: Option<Frame> = None;
    let pick = |side: Side| -> Vec<&EdgeLine> {
        let ext = if matches!(side, Side::Top | Side::Bottom) {
            h
        } else {
            w
        };
        lines
            .iter()
            .filter(|l| {
                l.side == side
                    && l.coverage >= DASHED_COVERAGE
                    && (l.depth as f32) <= 0.12 * ext as f32
            })
            .collect()
    };
    let (t, r, b, l) = (
        pick(Side::Top),
        pick(Side::Right),
        pick(Side::Bottom),
        pick(Side::Left),
    );
    for a in &t {
        for c in &r {
            for d in &b {
                for e in &l {
                    let ds = [a.depth, c.depth, d.depth, e.depth];
                    let (lo, hi) = (
                        *ds.iter().min().unwrap_or(&0),
                        *ds.iter().max().unwrap_or(&0),
                    );
                    let mean = ds.iter().sum::<u32>() as f32 / 4.0;
                    if (hi - lo) as f32 > (0.3 * mean).max(3.0) {
                        continue;
                    }
                    let covs = [a.coverage, c.coverage, d.coverage, e.coverage];
                    let solid = covs.iter().all(|&v| v >= FRAME_COVERAGE);
                    let crisp = [a.run, c.run, d.run, e.run]
                        .iter()
                        .all(|&r| r <= MAX_DASHED_RUN);
                    if !solid && (hi - lo > DASHED_DEPTH_SLACK || !crisp) {
                        continue;
                    }
                    let cov = (a.coverage + c.coverage + d.coverage + e.coverage) / 4.0;
                    if best.as_ref().is_none_or(|f| cov > f.coverage) {
                        best = Some(Frame {
                            thickness_px: ds,
                            coverage: cov,
                        });
                    }
                }
            }
        }
    }
    best
}

/// Bands along single sides: an edge at 2.5–30 % of the picture with coverage ≥ 0.7, measured
/// for flatness and colour (the caller decides with the text found inside).
pub fn bands(img: &RgbImage, lines: &[EdgeLine]) -> Vec<Band> {
    let (w, h) = img.dimensions();
    let raw = img.as_raw();
    let mut out: Vec<Band> = Vec::new();
    for l in lines {
        let ext = if matches!(l.side, Side::Top | Side::Bottom) {
            h
        } else {
            w
        };
        let share = l.depth as f32 / ext as f32;
        if !(0.025..=0.3).contains(&share) || l.coverage < 0.7 {
            continue;
        }
        let bbox = match l.side {
            Side::Top => PxBox::from_bounds(0, 0, w as usize, l.depth as usize),
            Side::Bottom => PxBox::from_bounds(0, (h - l.depth) as usize, w as usize, h as usize),
            Side::Left => PxBox::from_bounds(0, 0, l.depth as usize, h as usize),
            Side::Right => PxBox::from_bounds((w - l.depth) as usize, 0, w as usize, h as usize),
        };
        // dominant colour (4-bit bins) and the share within 12 levels of it
        let mut bins = vec![0u32; 4096];
        let key = |p: [i32; 3]| ((p[0] >> 4) << 8 | (p[1] >> 4) << 4 | (p[2] >> 4)) as usize;
        for y in (bbox.y..bbox.y1()).step_by(2) {
            for x in (bbox.x..bbox.x1()).step_by(2) {
                bins[key(px(raw, w as usize, x as usize, y as usize))] += 1;
            }
        }
        let best = bins
            .iter()
            .enumerate()
            .max_by_key(|(_, &c)| c)
            .map(|(k, _)| k)
            .unwrap_or(0);
        let centre = [
            ((best >> 8) & 15) as i32 * 16 + 8,
            ((best >> 4) & 15) as i32 * 16 + 8,
            (best & 15) as i32 * 16 + 8,
        ];
        let (mut near, mut total) = (0u32, 0u32);
        let mut sum = [0u64; 3];
        for y in (bbox.y..bbox.y1()).step_by(2) {
            for x in (bbox.x..bbox.x1()).step_by(2) {
                let p = px(raw, w as usize, x as usize, y as usize);
                total += 1;
                if (0..3).all(|c| (p[c] - centre[c]).abs() <= 20) {
                    near += 1;
                    for c in 0..3 {
                        sum[c] += p[c] as u64;
                    }
                }
            }
        }
        let n = near.max(1) as u64;
        let band = Band {
            side: l.side,
            depth: l.depth,
            coverage: l.coverage,
            bbox,
            flat_share: near as f32 / total.max(1) as f32,
            rgb: [(sum[0] / n) as u8, (sum[1] / n) as u8, (sum[2] / n) as u8],
        };
        // one band per side: the deepest qualifying edge wins only if flatter
        if let Some(prev) = out.iter_mut().find(|b| b.side == band.side) {
            if band.flat_share > prev.flat_share {
                *prev = band;
            }
        } else {
            out.push(band);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn photo(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let v = ((x * 7 + y * 13) % 97) as u8 + 80;
            Rgb([v, v / 2 + 40, 255 - v])
        })
    }

    #[test]
    fn a_drawn_frame_is_found_with_its_thickness() {
        let mut img = photo(300, 200);
        for (x, y, p) in img.enumerate_pixels_mut() {
            if x < 9 || y < 9 || x >= 291 || y >= 191 {
                *p = Rgb([200, 20, 20]);
            }
        }
        let lines = edge_lines(&img, 0.15, 0.6);
        let f = frame(&lines, 300, 200).expect("frame");
        for t in f.thickness_px {
            assert!((8..=10).contains(&t), "{t}");
        }
    }

    #[test]
    fn a_dashed_frame_is_a_frame_and_interlaced_rows_are_not() {
        // 12-px dashes with 12-px white gaps, 8 px thick, on a white picture
        let mut img = RgbImage::from_pixel(300, 240, Rgb([255, 255, 255]));
        for (x, y, p) in img.enumerate_pixels_mut() {
            let ring = x < 8 || y < 8 || x >= 292 || y >= 232;
            let along = if !(8..292).contains(&x) { y } else { x };
            if ring && (along / 12) % 2 == 0 {
                *p = Rgb([230, 0, 120]);
            }
        }
        let lines = edge_lines(&img, 0.3, 0.4);
        let f = frame(&lines, 300, 240).expect("dashed frame");
        for t in f.thickness_px {
            assert!((7..=9).contains(&t), "{t}");
        }
        // a pixel checkerboard over every other row of 8-px tiles (fine texture, or an
        // interlaced scan): steps along half of every side at every depth, not at one
        let img = RgbImage::from_fn(320, 240, |x, y| {
            let textured = (x / 8) % 2 == 0 || (y / 8) % 2 == 0;
            let textured = textured && !((x / 8) % 2 == 0 && (y / 8) % 2 == 0);
            let v = if textured && (x + y) % 2 == 0 {
                120
            } else {
                200
            };
            Rgb([v, v, v])
        });
        let lines = edge_lines(&img, 0.3, 0.4);
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(
            lines.iter().all(|l| l.run > 20 && l.depth == 2),
            "{lines:?}"
        );
        assert!(frame(&lines, 320, 240).is_none());
    }

    #[test]
    fn a_bottom_banner_is_a_flat_band() {
        let mut img = RgbImage::from_pixel(400, 400, Rgb([255, 255, 255]));
        for (_, y, p) in img.enumerate_pixels_mut() {
            if y >= 360 {
                *p = Rgb([220, 20, 30]);
            }
        }
        let lines = edge_lines(&img, 0.3, 0.6);
        let b = bands(&img, &lines);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].side, Side::Bottom);
        assert!((39..=41).contains(&b[0].depth), "{}", b[0].depth);
        assert!(b[0].flat_share > 0.95);
        assert!(frame(&lines, 400, 400).is_none());
    }
}
