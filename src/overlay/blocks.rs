//! Flat-colour graphics: stickers, badges, price tags and logos (a filled circle, ellipse or
//! rounded rectangle of one colour, usually with text cut out of it), arrows (a long stroke of
//! one colour) and callout rings. Found on a half-resolution copy: editors fill shapes with one
//! exact colour, which survives JPEG as a region of near-constant colour; photos do not.

use image::RgbImage;

use super::raster::PxBox;
use super::text::Glyph;

mod arrow;

/// Largest channel difference between neighbouring pixels inside one flat region (half-res
/// levels; JPEG q ≥ 70 noise on a flat fill stays below it after 2×2 averaging).
const FLAT: i32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Ellipse,
    Rectangle,
    Ring,
    /// A straight shaft with a wider head at one end.
    Arrow,
    Other,
}

/// A flat region of one colour (coordinates in full-resolution pixels).
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub shape: Shape,
    pub bbox: PxBox,
    pub rgb: [u8; 3],
    /// Pixels of the region (full resolution, approximate).
    pub area_px: u64,
    /// Share of the filled shape that is not the region's colour (text or a logo inside).
    pub content_share: f32,
    /// How well the outline fits the shape (1 = exactly).
    pub fit: f32,
    /// Share of the region's pixels on the product (0 when no product outline is known).
    pub on_product: f32,
    /// Largest minus smallest channel of the colour: 0 for greys, large for vivid colours.
    pub chroma: u8,
}

/// Largest minus smallest channel: 0 for greys, up to 255 for pure colours.
fn chroma(p: [i32; 3]) -> i32 {
    p[0].max(p[1]).max(p[2]) - p[0].min(p[1]).min(p[2])
}

fn find(p: &mut [u32], mut x: u32) -> u32 {
    while p[x as usize] != x {
        p[x as usize] = p[p[x as usize] as usize];
        x = p[x as usize];
    }
    x
}

/// Flat regions of the picture `nb` was counted on (a 2× reduced copy of the picture) at least `min_area` half-res
/// pixels large whose colour differs from `bg` (when given) by more than 45 levels.
pub fn find_blocks(
    nb: &Neighbours,
    bg: Option<[f64; 3]>,
    product: Option<&[bool]>,
    min_area: u32,
) -> Vec<Block> {
    // a pixel is flat when all four neighbours have its colour
    let flat = nb.at_least(4);
    regions(nb.small, &flat, bg, product, min_area, Pass::Flat)
}

/// Thin vivid strokes: arrows drawn a few pixels wide, which at half resolution have no pixel
/// whose four neighbours all share its colour (a 5-px line is 2–3 px there, and JPEG's
/// half-resolution chroma smears its edges), so [`find_blocks`] never sees them. Here a pixel
/// of a vivid colour (chroma ≥ 60) belongs when two of its four neighbours share its colour,
/// which keeps a stroke's pixels along its length; only the regions that are arrows are
/// returned (a vivid photo region passes as ragged or wide, not as an even straight shaft with
/// a pointed head). Such pixels also make up the band of mixed colour along a photo's
/// outlines, so here a stroke must not be a blend of its sides ([`arrow::is_edge_blend`]) and
/// its head must be [`Pass::min_head`] wide.
pub fn find_strokes(
    nb: &Neighbours,
    bg: Option<[f64; 3]>,
    product: Option<&[bool]>,
    min_area: u32,
) -> Vec<Block> {
    let mut vivid = nb.at_least(2);
    let raw = nb.small.as_raw();
    for (i, v) in vivid.iter_mut().enumerate() {
        *v = *v && chroma(pixel(raw, i)) >= VIVID;
    }
    let mut out = regions(nb.small, &vivid, bg, product, min_area, Pass::Strokes);
    out.retain(|b| b.shape == Shape::Arrow);
    out
}

/// Chroma from which a colour is vivid (a marker pen's red, orange, blue or green; the
/// greys, browns and skin tones of photos lie below it).
pub const VIVID: i32 = 60;

/// Channel tolerance between neighbours of one region: JPEG keeps colour at half resolution
/// and coarser steps, so a saturated fill (a red arrow, an orange price tag) is noisier than a
/// grey one: 10–27 levels between half-res neighbours on a q85 red stroke.
fn tolerance(p: [i32; 3]) -> i32 {
    FLAT + chroma(p) / 16
}

fn close(a: [i32; 3], b: [i32; 3], tol: i32) -> bool {
    (0..3).all(|c| (a[c] - b[c]).abs() <= tol)
}

/// The `i`-th RGB pixel of `raw` (a whole picture or one of its rows).
fn pixel(raw: &[u8], i: usize) -> [i32; 3] {
    [
        raw[3 * i] as i32,
        raw[3 * i + 1] as i32,
        raw[3 * i + 2] as i32,
    ]
}

/// How many of each pixel's four neighbours have its colour within [`tolerance`] (0 on the
/// frame's edge). Both passes read it (flat regions need four, strokes two), so it is counted
/// once per picture: counting was ~5 % of a whole pair check when each pass did its own.
pub struct Neighbours<'a> {
    small: &'a RgbImage,
    counts: Vec<u8>,
}

impl<'a> Neighbours<'a> {
    pub fn count(small: &'a RgbImage) -> Self {
        let (w, h) = (small.width() as usize, small.height() as usize);
        let raw = small.as_raw();
        let mut n = vec![0u8; w * h];
        if w < 3 || h < 3 {
            return Neighbours { small, counts: n };
        }
        for y in 1..h - 1 {
            let (up, row, down) = (
                &raw[3 * w * (y - 1)..3 * w * y],
                &raw[3 * w * y..3 * w * (y + 1)],
                &raw[3 * w * (y + 1)..3 * w * (y + 2)],
            );
            let out = &mut n[w * y..w * (y + 1)];
            for (x, o) in out.iter_mut().enumerate().take(w - 1).skip(1) {
                let p = pixel(row, x);
                let tol = tolerance(p);
                *o = close(p, pixel(row, x - 1), tol) as u8
                    + close(p, pixel(row, x + 1), tol) as u8
                    + close(p, pixel(up, x), tol) as u8
                    + close(p, pixel(down, x), tol) as u8;
            }
        }
        Neighbours { small, counts: n }
    }

    /// Pixels at least `need` of whose four neighbours share their colour.
    fn at_least(&self, need: u8) -> Vec<bool> {
        self.counts.iter().map(|&c| c >= need).collect()
    }
}

/// Which pixels [`regions`] groups.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Pixels whose four neighbours share their colour.
    Flat,
    /// Vivid pixels with two such neighbours: thin strokes, but also the thin band of mixed
    /// colour along a photo's outlines, which an arrow must not be ([`arrow::is_edge_blend`]).
    Strokes,
}

impl Pass {
    /// Narrowest arrowhead taken, half-resolution pixels across. A flat region is large
    /// enough already (its area floor); a thin stroke also finds drawn outlines and thin
    /// parts of clip-art products whose end bulges a little. Measured on the verdict
    /// benchmark and the 210 clean dev originals (session 18): the 28 drawn arrows the stroke
    /// pass found have heads 6.4–22.9 px across; the two clean-photo strokes that passed every
    /// other test, 2.9 and 5.7 (a cartoon flame's outline, a fence post).
    fn min_head(self) -> f64 {
        match self {
            Pass::Flat => 0.0,
            Pass::Strokes => 6.0,
        }
    }
}

/// The 4-connected regions of one colour among the `flat` pixels, measured and classified.
fn regions(
    small: &RgbImage,
    flat: &[bool],
    bg: Option<[f64; 3]>,
    product: Option<&[bool]>,
    min_area: u32,
    pass: Pass,
) -> Vec<Block> {
    let (w, h) = (small.width() as usize, small.height() as usize);
    // too small for a shape to be told from its outline
    if w < 8 || h < 8 {
        return vec![];
    }
    let raw = small.as_raw();
    let px = |i: usize| pixel(raw, i);
    let mut parent: Vec<u32> = (0..(w * h) as u32).collect();
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = y * w + x;
            if !flat[i] {
                continue;
            }
            let p = px(i);
            let tol = tolerance(p);
            for j in [i - 1, i - w] {
                if flat[j] && close(p, px(j), tol) {
                    let (a, b) = (find(&mut parent, i as u32), find(&mut parent, j as u32));
                    if a != b {
                        parent[a.max(b) as usize] = a.min(b);
                    }
                }
            }
        }
    }
    // region stats
    #[derive(Clone, Default)]
    struct St {
        area: u32,
        x0: usize,
        y0: usize,
        x1: usize,
        y1: usize,
        rgb: [u64; 3],
        rgb2: [u64; 3],
        sx: f64,
        sy: f64,
        sxx: f64,
        syy: f64,
        sxy: f64,
        perim: u32,
        on: u32,
    }
    // dense index per region root
    let mut slot = vec![u32::MAX; w * h];
    let mut stats: Vec<(u32, St)> = Vec::new();
    let mut root = vec![u32::MAX; w * h];
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = y * w + x;
            if !flat[i] {
                continue;
            }
            let r = find(&mut parent, i as u32);
            root[i] = r;
        }
    }
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = y * w + x;
            let r = root[i];
            if r == u32::MAX {
                continue;
            }
            if slot[r as usize] == u32::MAX {
                slot[r as usize] = stats.len() as u32;
                stats.push((
                    r,
                    St {
                        x0: usize::MAX,
                        y0: usize::MAX,
                        ..Default::default()
                    },
                ));
            }
            let s = &mut stats[slot[r as usize] as usize].1;
            s.area += 1;
            s.x0 = s.x0.min(x);
            s.y0 = s.y0.min(y);
            s.x1 = s.x1.max(x);
            s.y1 = s.y1.max(y);
            let p = px(i);
            for (c, &v) in p.iter().enumerate() {
                s.rgb[c] += v as u64;
                s.rgb2[c] += (v * v) as u64;
            }
            let (fx, fy) = (x as f64, y as f64);
            s.sx += fx;
            s.sy += fy;
            s.sxx += fx * fx;
            s.syy += fy * fy;
            s.sxy += fx * fy;
            if root[i - 1] != r || root[i + 1] != r || root[i - w] != r || root[i + w] != r {
                s.perim += 1;
            }
            if product.is_some_and(|m| m[i]) {
                s.on += 1;
            }
        }
    }
    let mut out = Vec::new();
    for (r, s) in stats {
        if s.area < min_area {
            continue;
        }
        let a = s.area as u64;
        let rgb = [
            (s.rgb[0] / a) as u8,
            (s.rgb[1] / a) as u8,
            (s.rgb[2] / a) as u8,
        ];
        if let Some(b) = bg {
            if (0..3).all(|c| (rgb[c] as f64 - b[c]).abs() <= 45.0) {
                continue;
            }
        }
        let (bw, bh) = (s.x1 - s.x0 + 1, s.y1 - s.y0 + 1);
        // the region with its holes filled: bbox minus what is reachable from the bbox border
        // without crossing the region
        let mut reach = vec![false; bw * bh];
        let mut stack: Vec<(usize, usize)> = Vec::new();
        let member = |x: usize, y: usize| root[(s.y0 + y) * w + s.x0 + x] == r;
        for x in 0..bw {
            for y in [0, bh - 1] {
                if !member(x, y) && !reach[y * bw + x] {
                    reach[y * bw + x] = true;
                    stack.push((x, y));
                }
            }
        }
        for y in 0..bh {
            for x in [0, bw - 1] {
                if !member(x, y) && !reach[y * bw + x] {
                    reach[y * bw + x] = true;
                    stack.push((x, y));
                }
            }
        }
        while let Some((x, y)) = stack.pop() {
            let mut push = |nx: usize, ny: usize| {
                if !reach[ny * bw + nx] && !member(nx, ny) {
                    reach[ny * bw + nx] = true;
                    stack.push((nx, ny));
                }
            };
            if x > 0 {
                push(x - 1, y);
            }
            if x + 1 < bw {
                push(x + 1, y);
            }
            if y > 0 {
                push(x, y - 1);
            }
            if y + 1 < bh {
                push(x, y + 1);
            }
        }
        let filled = (bw * bh - reach.iter().filter(|&&b| b).count()) as f32;
        let content_share = 1.0 - s.area as f32 / filled.max(1.0);
        // row-width profile of the filled shape against an ellipse and a rectangle
        let (mut err_e, mut err_r) = (0f32, 0f32);
        let (cy, ry) = ((bh as f32 - 1.0) / 2.0, bh as f32 / 2.0);
        for y in 0..bh {
            let row = &reach[y * bw..(y + 1) * bw];
            let width = row.iter().filter(|&&b| !b).count() as f32;
            let t = ((y as f32 - cy) / ry).clamp(-1.0, 1.0);
            let chord = bw as f32 * (1.0 - t * t).max(0.0).sqrt();
            err_e += (width - chord).abs();
            err_r += (width - bw as f32).abs();
        }
        let fit_e = 1.0 - err_e / (bw * bh) as f32;
        let fit_r = 1.0 - err_r / (bw * bh) as f32;
        let axis = arrow::Axis::from_sums(a as f64, (s.sx, s.sy), (s.sxx, s.syy, s.sxy));
        let stroke = 2.0 * s.area as f32 / s.perim.max(1) as f32;
        let member = |x: usize, y: usize| root[y * w + x] == r;
        let bounds = (s.x0, s.y0, s.x1, s.y1);
        let shape = if fit_r >= 0.93 && bw >= 6 && bh >= 6 {
            Shape::Rectangle
        } else if fit_e >= 0.93 && bw >= 6 && bh >= 6 && content_share < 0.6 {
            Shape::Ellipse
        } else if fit_e >= 0.9 && content_share >= 0.6 {
            Shape::Ring
        } else if stroke >= 1.5
            && ((axis.elongation() >= 4.0 && arrow::has_head(&member, bounds, &axis, pass.min_head()))
                // an arrow with a callout ring at its tail is ~3× longer than wide
                || (axis.elongation() >= 2.5
                    && bw.max(bh) >= 20
                    && arrow::thick_part_has_head(&member, bounds, pass.min_head())))
            && (pass == Pass::Flat || !arrow::is_edge_blend(small, &member, bounds, &axis, rgb))
        {
            Shape::Arrow
        } else {
            Shape::Other
        };
        let fit = match shape {
            Shape::Rectangle => fit_r,
            Shape::Ellipse | Shape::Ring => fit_e,
            _ => 0.0,
        };
        out.push(Block {
            shape,
            bbox: PxBox::from_bounds(s.x0, s.y0, s.x1 + 1, s.y1 + 1).scaled(
                2,
                2 * w as u32 + 1,
                2 * h as u32 + 1,
            ),
            rgb,
            area_px: 4 * a,
            content_share,
            fit,
            on_product: s.on as f32 / s.area as f32,
            chroma: chroma(rgb.map(i32::from)) as u8,
        });
    }
    out.sort_by_key(|b| (b.bbox.y, b.bbox.x));
    out
}

/// Does a flat shape carry lettering cut into it: two or more glyphs inside it, of one ink
/// that stands out from the fill by ≥ 60 levels, each between a sixth and nine tenths of the
/// shape's height? That is a price tag or badge ("$9.9", "NEW", "-30%") even when the word is
/// too short for the line finder (which wants three different letter shapes). A product's own
/// pattern inside a flat patch (a window's bars, a face's eyes) is not glyph-sized ink of one
/// colour standing out that far from the fill, or lies beside rather than inside it.
pub fn lettered(b: &Block, glyphs: &[Glyph]) -> bool {
    if !matches!(b.shape, Shape::Rectangle | Shape::Ellipse | Shape::Other) {
        return false;
    }
    // the same luma the glyphs' ink was measured in
    let fill_luma = super::raster::pixel_luma(b.rgb) as f32;
    let short = b.bbox.width.min(b.bbox.height) as f32;
    let inner: Vec<&Glyph> = glyphs
        .iter()
        .filter(|g| {
            g.bbox.inside(&b.bbox, 0.95)
                && (g.ink_luma - fill_luma).abs() >= 60.0
                && (short / 6.0..=0.9 * short).contains(&(g.bbox.height as f32))
        })
        .collect();
    if inner.len() < 2 {
        return false;
    }
    let (lo, hi) = inner.iter().fold((f32::MAX, f32::MIN), |(lo, hi), g| {
        (lo.min(g.ink_luma), hi.max(g.ink_luma))
    });
    hi - lo <= 30.0
}

#[cfg(test)]
mod tests;
