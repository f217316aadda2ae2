//! Text lines at any angle: glyph candidates from a local-contrast binarisation (dark and light
//! ink separately), linked into lines when they agree in size, stroke width and ink colour and
//! sit side by side along one direction.
//!
//! Why this design: overlay text (captions, banners, shop names, semi-transparent watermarks) is
//! a row of glyphs of one colour with one stroke width; photo texture gives blobs too, but not
//! rows of *different* shapes with a common stroke. Measured in `docs/accuracy.md` (verdict
//! benchmark, kinds `dirty_text`, `dirty_watermark`, and `printed` for false alarms).

use super::raster::{Plane, PxBox};

mod blend;
mod glyphs;
use blend::blended_rows;
pub(crate) use blend::BLEND_SLOPE;
pub use glyphs::{glyph_candidates, Glyph};

/// Half-size of the neighbourhood window: covers strokes up to ~20 px, so glyphs up to
/// ~120 px tall binarise as strokes rather than outlines.
pub const WINDOW_R: usize = 20;

/// Robust spread (levels) of a surface under which text counts as lying on a plain surface.
const PLAIN_SURFACE: f32 = 5.0;

/// A line of text found on one image.
#[derive(Debug, Clone)]
pub struct TextLine {
    pub bbox: PxBox,
    pub glyphs: Vec<PxBox>,
    /// Direction of the line, degrees in (−90, 90]; 0 = horizontal.
    pub angle_deg: f32,
    /// Median glyph size (longest side), px.
    pub glyph_px: f32,
    pub light_ink: bool,
    pub ink: [f32; 3],
    /// Mean |ink − surround| luma, levels.
    pub contrast: f32,
    /// Std of the glyphs' ink luma (levels): opaque overlay text is one colour.
    pub ink_spread: f32,
    /// Robust spread of the surface luma around the glyphs (levels): small on a plain surface.
    pub surface: f32,
    /// `surface` is at most [`PLAIN_SURFACE`].
    pub plain: bool,
    /// Every glyph has the same core ink to within a level (overlay text is drawn in one colour).
    pub one_ink: bool,
    /// Slope of ink luma against surround luma across glyphs (≈ 1 − opacity for a blended
    /// overlay, ≈ 0 for opaque ink); `None` when the surround does not vary enough to tell.
    pub blend_slope: Option<f32>,
    /// Found by [`blended_rows`]: one translucent ink explains every glyph over the several
    /// surfaces it crosses.
    pub blended: bool,
    pub confidence: f32,
}

/// Glyphs at least this large (px) are measured for [`single_strokes`]: below it the stroke
/// width estimate is clamped to its 2-px floor and a small Chinese character falls apart into
/// its strokes, so the path ratio says nothing (16-px 包邮 reads 0.6–1.6 per component).
const STROKE_TEST_PX: f32 = 30.0;
/// Path ratio under which a large glyph is one stroke: 'l', a whisker, a hair, a wire (0.99–1.38
/// measured on rodent whiskers); letters with a bowl, a crossing or a turn read 2 and more.
const SINGLE_STROKE_PATH: f32 = 1.4;

/// Do these glyphs read as single strokes rather than letters? Whiskers, hairs, grass and
/// wires make rows and clusters of thin one-colour strokes on white; most large glyphs of a
/// word have a stroke path well over their size (only words like "Ill" would not).
fn single_strokes(gs: &[Glyph], members: &[usize]) -> bool {
    let strokes = members
        .iter()
        .filter(|&&i| gs[i].size >= STROKE_TEST_PX && gs[i].path_ratio() < SINGLE_STROKE_PATH)
        .count();
    2 * strokes > members.len()
}

/// Rows at least this long are tested by [`repeated_marks`].
const REPEAT_MIN_MARKS: usize = 6;

/// Is this row the same mark over and over: at least 80 % of six or more marks within a pixel
/// of the median box in both width and height? Writing mixes narrow and wide letters (i and m,
/// 口 and 保) and ascenders with x-height; a spring's coils, a ladder's rungs, stitching or a
/// grille repeat one shape (a lamp's coiled string on a dev original: twelve 9×3 marks).
fn repeated_marks(gs: &[Glyph], members: &[usize]) -> bool {
    let n = members.len();
    if n < REPEAT_MIN_MARKS {
        return false;
    }
    let median = |f: &dyn Fn(&Glyph) -> u32| {
        let mut v: Vec<u32> = members.iter().map(|&i| f(&gs[i])).collect();
        v.sort_unstable();
        v[n / 2]
    };
    let (mw, mh) = (median(&|g| g.bbox.width), median(&|g| g.bbox.height));
    let alike = members
        .iter()
        .filter(|&&i| gs[i].bbox.width.abs_diff(mw) <= 1 && gs[i].bbox.height.abs_diff(mh) <= 1)
        .count();
    5 * alike >= 4 * n
}

fn linked(a: &Glyph, b: &Glyph) -> bool {
    geometry_linked(a, b) && ink_linked(a, b)
}

/// Two glyphs of one line: sizes within 1.8×, strokes within 2×, at most 0.8 of the larger
/// glyph apart.
fn geometry_linked(a: &Glyph, b: &Glyph) -> bool {
    let (big, small) = (a.size.max(b.size), a.size.min(b.size));
    if big > 1.8 * small {
        return false;
    }
    if a.stroke.max(b.stroke) > 2.0 * a.stroke.min(b.stroke) {
        return false;
    }
    let gap_x = (a.bbox.x.max(b.bbox.x) as f32) - (a.bbox.x1().min(b.bbox.x1()) as f32);
    let gap_y = (a.bbox.y.max(b.bbox.y) as f32) - (a.bbox.y1().min(b.bbox.y1()) as f32);
    gap_x.max(gap_y) <= 0.8 * big
}

/// The same ink: luma within 30 levels, every channel within 50.
fn ink_linked(a: &Glyph, b: &Glyph) -> bool {
    (a.ink_luma - b.ink_luma).abs() <= 30.0 && (0..3).all(|c| (a.ink[c] - b.ink[c]).abs() <= 50.0)
}

/// Neighbour lists and links `(distance / size, i, j)` of every pair of nearby glyphs that
/// `link` accepts (grid buckets of 48 px; reach twice the glyph's size).
#[allow(clippy::type_complexity)]
fn neighbour_links(
    gs: &[Glyph],
    luma: &Plane,
    link: impl Fn(&Glyph, &Glyph) -> bool,
) -> (Vec<Vec<usize>>, Vec<(f32, usize, usize)>) {
    let cell = 48usize;
    let gw = luma.w.div_ceil(cell);
    let gh = luma.h.div_ceil(cell);
    let mut grid: Vec<Vec<usize>> = vec![Vec::new(); gw * gh];
    for (i, g) in gs.iter().enumerate() {
        let (x, y) = (
            (g.cx as usize / cell).min(gw - 1),
            (g.cy as usize / cell).min(gh - 1),
        );
        grid[y * gw + x].push(i);
    }
    let mut nbrs: Vec<Vec<usize>> = vec![Vec::new(); gs.len()];
    let mut links: Vec<(f32, usize, usize)> = Vec::new();
    for (i, g) in gs.iter().enumerate() {
        let reach = ((g.size * 2.0) as usize / cell + 1) as i64;
        let (gx, gy) = ((g.cx as usize / cell) as i64, (g.cy as usize / cell) as i64);
        for yy in (gy - reach).max(0)..=(gy + reach).min(gh as i64 - 1) {
            for xx in (gx - reach).max(0)..=(gx + reach).min(gw as i64 - 1) {
                for &j in &grid[yy as usize * gw + xx as usize] {
                    if j <= i || !link(g, &gs[j]) {
                        continue;
                    }
                    nbrs[i].push(j);
                    nbrs[j].push(i);
                    let d = ((gs[j].cx - g.cx).powi(2) + (gs[j].cy - g.cy).powi(2)).sqrt();
                    links.push((d / g.size.max(gs[j].size), i, j));
                }
            }
        }
    }
    (nbrs, links)
}

/// Every text line among the glyph candidates of a picture ([`glyph_candidates`]; the sticker
/// judgement reads the candidates too). `luma` is the picture's luma plane.
pub fn lines(gs: &[Glyph], luma: &Plane) -> Vec<TextLine> {
    if gs.len() < 3 {
        return vec![];
    }
    let (nbrs, mut links) = neighbour_links(gs, luma, |g, h| g.light == h.light && linked(g, h));
    links.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Grow lines from the closest links: a line is a chain of glyphs along one direction.
    let mut used = vec![false; gs.len()];
    let mut out = Vec::new();
    for &(_, a, b) in &links {
        if used[a] || used[b] {
            continue;
        }
        let chain = grow(gs, &nbrs, &used, a, b);
        if chain.len() < 3 {
            continue;
        }
        // A row of strokes (whiskers) is not text, and its glyphs are not letters of any
        // other line either: left to the grower, they would chain up again some other way.
        if single_strokes(gs, &chain) || repeated_marks(gs, &chain) {
            for &i in &chain {
                used[i] = true;
            }
            continue;
        }
        if let Some(line) = judge_row(gs, &chain, luma, false) {
            for &i in &chain {
                used[i] = true;
            }
            out.push(line);
        }
    }
    blended_rows(gs, &mut used, luma, &mut out);
    clusters_on_plain_surfaces(gs, &used, luma, &mut out);
    out
}

/// Text the line grower cannot see: short words and Chinese characters made of several
/// strokes of different sizes. Glyphs left over are clustered by stroke width, ink colour and
/// proximity (no size or direction constraint); a cluster counts only on a plain surface, where
/// nothing else makes several crisp one-colour strokes of one width.
fn clusters_on_plain_surfaces(gs: &[Glyph], used: &[bool], luma: &Plane, out: &mut Vec<TextLine>) {
    let idx: Vec<usize> = (0..gs.len()).filter(|&i| !used[i]).collect();
    let mut parent: Vec<usize> = (0..idx.len()).collect();
    fn root(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for a in 0..idx.len() {
        for b in a + 1..idx.len() {
            let (g, h) = (&gs[idx[a]], &gs[idx[b]]);
            if g.light != h.light
                || g.stroke.max(h.stroke) > 1.8 * g.stroke.min(h.stroke)
                || (g.ink_luma - h.ink_luma).abs() > 30.0
                || (0..3).any(|c| (g.ink[c] - h.ink[c]).abs() > 45.0)
            {
                continue;
            }
            let gap_x = (g.bbox.x.max(h.bbox.x) as f32) - (g.bbox.x1().min(h.bbox.x1()) as f32);
            let gap_y = (g.bbox.y.max(h.bbox.y) as f32) - (g.bbox.y1().min(h.bbox.y1()) as f32);
            if gap_x.max(gap_y) <= 0.5 * g.size.max(h.size) {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                if ra != rb {
                    parent[ra.max(rb)] = ra.min(rb);
                }
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (k, &i) in idx.iter().enumerate() {
        let r = root(&mut parent, k);
        groups.entry(r).or_default().push(i);
    }
    for members in groups.values() {
        let n = members.len();
        if n < 3 || single_strokes(gs, members) {
            continue;
        }
        let mean =
            |f: &dyn Fn(&Glyph) -> f32| members.iter().map(|&i| f(&gs[i])).sum::<f32>() / n as f32;
        let sd = |f: &dyn Fn(&Glyph) -> f32, m: f32| {
            (members
                .iter()
                .map(|&i| (f(&gs[i]) - m).powi(2))
                .sum::<f32>()
                / n as f32)
                .sqrt()
        };
        let sw = mean(&|g| g.stroke);
        let ink_l = mean(&|g| g.ink_luma);
        let ink_spread = sd(&|g| g.ink_luma, ink_l);
        let contrast = mean(&|g| (g.ink_luma - g.surround).abs());
        if sd(&|g| g.stroke, sw) / sw.max(0.1) > 0.35 || ink_spread > 12.0 || contrast < 40.0 {
            continue;
        }
        let bbox = members
            .iter()
            .map(|&i| gs[i].bbox)
            .reduce(|a, b| a.union(&b))
            .unwrap_or_default();
        if bbox.width.min(bbox.height) < 10 || bbox.width.max(bbox.height) as f32 > 40.0 * sw {
            continue;
        }
        // The surface is read inside the box and on a ring just outside it, and the plainer
        // counts: inside, a drop shadow, an outline or JPEG's ringing around large glyphs is
        // part of the drawn text, not of what it lies on.
        let surface = surface_spread(luma, &bbox, ink_l, contrast).min(ring_spread(
            luma,
            &bbox,
            (2.0 * sw).max(4.0) as u32,
        ));
        if surface > PLAIN_SURFACE {
            continue;
        }
        out.push(TextLine {
            bbox,
            glyphs: members.iter().map(|&i| gs[i].bbox).collect(),
            angle_deg: 0.0,
            glyph_px: mean(&|g| g.size),
            light_ink: gs[members[0]].light,
            ink: [
                mean(&|g| g.ink[0]),
                mean(&|g| g.ink[1]),
                mean(&|g| g.ink[2]),
            ],
            contrast,
            ink_spread,
            surface,
            plain: true,
            one_ink: ink_spread <= 1.0,
            blend_slope: None,
            blended: false,
            confidence: (0.5 + 0.05 * n as f32).min(0.85),
        });
    }
}

/// Extend the seed pair (a, b) in both directions: repeatedly take the unused neighbour of an
/// end glyph that continues the line (direction within ±20° of the fit, off the line by at most
/// 0.3 glyph sizes).
fn grow(gs: &[Glyph], nbrs: &[Vec<usize>], used: &[bool], a: usize, b: usize) -> Vec<usize> {
    let mut chain = std::collections::VecDeque::from([a, b]);
    let mut inside = std::collections::HashSet::from([a, b]);
    loop {
        let (first, last) = (chain[0], chain[chain.len() - 1]);
        // direction from first to last
        let (dx, dy) = (gs[last].cx - gs[first].cx, gs[last].cy - gs[first].cy);
        let len = (dx * dx + dy * dy).sqrt().max(1e-3);
        let (ux, uy) = (dx / len, dy / len);
        let size = chain.iter().map(|&i| gs[i].size).sum::<f32>() / chain.len() as f32;
        let mut grew = false;
        for (end, sign) in [(last, 1.0f32), (first, -1.0f32)] {
            let mut best: Option<(f32, usize)> = None;
            for &j in &nbrs[end] {
                if used[j] || inside.contains(&j) {
                    continue;
                }
                let (vx, vy) = (gs[j].cx - gs[end].cx, gs[j].cy - gs[end].cy);
                let along = (vx * ux + vy * uy) * sign;
                if along <= 0.0 {
                    continue;
                }
                // off-line distance from the line through `first` along u
                let (wx, wy) = (gs[j].cx - gs[first].cx, gs[j].cy - gs[first].cy);
                let off = (wx * -uy + wy * ux).abs();
                let dist = (vx * vx + vy * vy).sqrt();
                if off > 0.25 * size.max(gs[j].size) || along < 0.7 * dist {
                    continue;
                }
                if best.is_none_or(|(d, _)| dist < d) {
                    best = Some((dist, j));
                }
            }
            if let Some((_, j)) = best {
                inside.insert(j);
                if sign > 0.0 {
                    chain.push_back(j);
                } else {
                    chain.push_front(j);
                }
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    chain.into_iter().collect()
}

fn median(v: &mut [f32]) -> f32 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Is this row of glyphs a line of text? `blended`: the row's ink was already shown to follow
/// one translucent blend ([`blend_fit`]), which replaces the one-ink-or-plain-surface test.
fn judge_row(gs: &[Glyph], row: &[usize], luma: &Plane, blended: bool) -> Option<TextLine> {
    if row.len() < 3 {
        return None;
    }
    let (first, last) = (&gs[row[0]], &gs[row[row.len() - 1]]);
    let ang = (last.cy - first.cy).atan2(last.cx - first.cx).to_degrees();
    let (c, s) = (ang.to_radians().cos(), ang.to_radians().sin());
    let n = row.len();
    let mut sizes: Vec<f32> = row.iter().map(|&i| gs[i].size).collect();
    let size = median(&mut sizes);
    let along: Vec<f32> = row.iter().map(|&i| c * gs[i].cx + s * gs[i].cy).collect();
    let extent = along[n - 1] - along[0] + size;
    if extent < 1.8 * size {
        return None;
    }
    let mean = |f: &dyn Fn(&Glyph) -> f32| row.iter().map(|&i| f(&gs[i])).sum::<f32>() / n as f32;
    let sd = |f: &dyn Fn(&Glyph) -> f32, m: f32| {
        (row.iter().map(|&i| (f(&gs[i]) - m).powi(2)).sum::<f32>() / n as f32).sqrt()
    };
    let sw = mean(&|g| g.stroke);
    if sd(&|g| g.stroke, sw) / sw.max(0.1) > 0.5 {
        return None;
    }
    // straightness: spread of the centres across the line, in glyph sizes
    let perp = |g: &Glyph| -s * g.cx + c * g.cy;
    let pm = mean(&perp);
    let residual = sd(&perp, pm) / size;
    if residual > 0.15 {
        return None;
    }
    // glyph extents across the line agree (caps and x-height letters differ by < 1.5x)
    let across = |g: &Glyph| (g.bbox.width as f32 * s).abs() + (g.bbox.height as f32 * c).abs();
    let am = mean(&across);
    if sd(&across, am) / am.max(1.0) > 0.3 {
        return None;
    }
    // no wide holes: glyphs of one line are at most ~1.2 glyphs apart
    let max_gap = along.windows(2).map(|w| w[1] - w[0]).fold(0.0, f32::max);
    if max_gap > 2.2 * size {
        return None;
    }
    // shape diversity: letters differ, texture repeats
    let mut shapes: Vec<(i32, i32, i32)> = row
        .iter()
        .map(|&i| {
            let g = &gs[i];
            let asp = (g.bbox.width as f32 / g.bbox.height as f32).log2();
            (
                (g.fill * 8.0) as i32,
                (asp * 3.0).round() as i32,
                (g.size / size * 4.0).round() as i32,
            )
        })
        .collect();
    shapes.sort();
    shapes.dedup();
    let diversity = shapes.len() as f32 / n as f32;
    if shapes.len() < 3.max((2 * n).div_ceil(5)) {
        return None;
    }
    let ink_l = mean(&|g| g.ink_luma);
    let ink_spread = sd(&|g| g.ink_luma, ink_l);
    let contrast = mean(&|g| (g.ink_luma - g.surround).abs());
    let ink = [
        mean(&|g| g.ink[0]),
        mean(&|g| g.ink[1]),
        mean(&|g| g.ink[2]),
    ];
    let bbox = row
        .iter()
        .map(|&i| gs[i].bbox)
        .reduce(|a, b| a.union(&b))
        .unwrap_or_default();
    let surface = surface_spread(luma, &bbox, ink_l, contrast);
    // Overlay text is one ink on whatever lies under it: accepted on a plain surface (banner,
    // sticker, background), or anywhere when every glyph has the same ink to within a level
    // (rows of texture blobs differ by 4 levels in the median; measured in docs/accuracy.md).
    let plain = surface <= PLAIN_SURFACE;
    let one_ink = ink_spread <= 1.0 && size >= 12.0 && n >= 4;
    if !plain && !one_ink && !blended {
        return None;
    }
    let sur = mean(&|g| g.surround);
    let sur_sd = sd(&|g| g.surround, sur);
    // A blended overlay's ink follows what lies under it: ink = (1 − a)·under + a·colour.
    // Trust the slope only over a wide spread of surfaces and a tight fit.
    let blend_slope = (sur_sd >= 20.0 && n >= 5)
        .then(|| {
            let cov = row
                .iter()
                .map(|&i| (gs[i].surround - sur) * (gs[i].ink_luma - ink_l))
                .sum::<f32>()
                / n as f32;
            let corr = cov / (sur_sd * ink_spread.max(1e-3));
            (corr >= 0.85).then_some(cov / (sur_sd * sur_sd))
        })
        .flatten();
    let angle_deg = {
        let a = ang.rem_euclid(180.0);
        if a > 90.0 {
            a - 180.0
        } else {
            a
        }
    };
    let confidence = (0.35 + 0.08 * n as f32).min(0.75)
        + (diversity - 0.34).min(0.3) * 0.5
        + if plain { 0.1 } else { 0.0 };
    Some(TextLine {
        bbox,
        glyphs: row.iter().map(|&i| gs[i].bbox).collect(),
        angle_deg,
        glyph_px: size,
        light_ink: gs[row[0]].light,
        ink,
        contrast,
        ink_spread,
        surface,
        plain,
        one_ink,
        blend_slope,
        blended,
        confidence: confidence.min(0.99),
    })
}

/// Robust spread of a histogram: the interquartile range scaled to a normal's σ.
fn iqr_spread(hist: &[u32; 256], n: u32) -> f32 {
    let q = |p: f32| super::raster::quantile(hist, n, p);
    (q(0.75) - q(0.25)) / 1.35
}

/// Robust spread (levels) of the luma on a ring `gap..gap + 4` px outside `b` (clipped to the
/// picture): the surface a piece of text lies on, away from its shadow or outline. Infinite
/// when the ring is almost entirely outside the picture.
fn ring_spread(luma: &Plane, b: &PxBox, gap: u32) -> f32 {
    let (w, h) = (luma.w as i64, luma.h as i64);
    let (g, t) = (gap as i64, 4i64);
    let (x0, y0, x1, y1) = (b.x as i64, b.y as i64, b.x1() as i64, b.y1() as i64);
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    for y in (y0 - g - t).max(0)..(y1 + g + t).min(h) {
        for x in (x0 - g - t).max(0)..(x1 + g + t).min(w) {
            let inner = x >= x0 - g && x < x1 + g && y >= y0 - g && y < y1 + g;
            if !inner {
                hist[luma.at(x as usize, y as usize) as usize] += 1;
                n += 1;
            }
        }
    }
    if n < 32 {
        return f32::INFINITY;
    }
    iqr_spread(&hist, n)
}

/// Robust spread (IQR / 1.35, levels) of the luma of the non-ink pixels in a line's box: small
/// when the text sits on a plain surface. Pixels next to ink are left out too: they are the
/// glyphs' anti-aliased rims, and in small dense text (Chinese at 16 px) they are a third of
/// the box, which would make white paper look textured.
fn surface_spread(luma: &Plane, b: &PxBox, ink_luma: f32, contrast: f32) -> f32 {
    let (x0, y0) = (b.x as usize, b.y as usize);
    let (x1, y1) = ((b.x1() as usize).min(luma.w), (b.y1() as usize).min(luma.h));
    if x1 <= x0 || y1 <= y0 {
        return 0.0;
    }
    let bw = x1 - x0;
    let ink: Vec<bool> = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .map(|(x, y)| (luma.at(x, y) as f32 - ink_luma).abs() <= 0.75 * contrast)
        .collect();
    let near_ink = |x: usize, y: usize| {
        let (xa, xb) = (x.saturating_sub(1), (x + 1).min(bw - 1));
        let (ya, yb) = (y.saturating_sub(1), (y + 1).min(y1 - y0 - 1));
        (ya..=yb).any(|yy| (xa..=xb).any(|xx| ink[yy * bw + xx]))
    };
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    for y in 0..y1 - y0 {
        for x in 0..bw {
            if !near_ink(x, y) {
                hist[luma.at(x0 + x, y0 + y) as usize] += 1;
                n += 1;
            }
        }
    }
    if n < 8 {
        return 0.0;
    }
    iqr_spread(&hist, n)
}

#[cfg(test)]
mod tests;
