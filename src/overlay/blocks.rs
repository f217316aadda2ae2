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

/// Flat regions of `small` (a 2× reduced copy of the picture) at least `min_area` half-res
/// pixels large whose colour differs from `bg` (when given) by more than 45 levels.
pub fn find_blocks(
    small: &RgbImage,
    bg: Option<[f64; 3]>,
    product: Option<&[bool]>,
    min_area: u32,
) -> Vec<Block> {
    let (w, h) = (small.width() as usize, small.height() as usize);
    if w < 8 || h < 8 {
        return vec![];
    }
    let raw = small.as_raw();
    let px = |i: usize| {
        [
            raw[3 * i] as i32,
            raw[3 * i + 1] as i32,
            raw[3 * i + 2] as i32,
        ]
    };
    // JPEG keeps colour at half resolution and coarser steps, so a saturated fill (a red
    // arrow, an orange price tag) is noisier than a grey one: 10–27 levels between half-res
    // neighbours on a q85 red stroke. The tolerance grows with the colour's chroma.
    let tolerance = |p: [i32; 3]| FLAT + chroma(p) / 16;
    let close = |a: [i32; 3], b: [i32; 3], tol: i32| (0..3).all(|c| (a[c] - b[c]).abs() <= tol);
    let mut parent: Vec<u32> = (0..(w * h) as u32).collect();
    let mut flat = vec![false; w * h];
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = y * w + x;
            let p = px(i);
            let tol = tolerance(p);
            flat[i] = [i - 1, i + 1, i - w, i + w]
                .iter()
                .all(|&j| close(p, px(j), tol));
        }
    }
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
            && ((axis.elongation() >= 4.0 && arrow::has_head(&member, bounds, &axis))
                // an arrow with a callout ring at its tail is ~3× longer than wide
                || (axis.elongation() >= 2.5
                    && bw.max(bh) >= 20
                    && arrow::thick_part_has_head(&member, bounds)))
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
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn a_badge_with_text_is_an_ellipse_with_content() {
        let mut img = RgbImage::from_pixel(200, 200, Rgb([255, 255, 255]));
        for (x, y, p) in img.enumerate_pixels_mut() {
            let (dx, dy) = (x as f32 - 100.0, y as f32 - 100.0);
            if dx * dx + dy * dy <= 60.0 * 60.0 {
                *p = Rgb([230, 20, 30]);
                // a white "text" bar inside
                if (80..120).contains(&x) && (90..110).contains(&y) {
                    *p = Rgb([255, 255, 255]);
                }
            }
        }
        let blocks = find_blocks(&img, Some([255.0, 255.0, 255.0]), None, 50);
        assert_eq!(blocks.len(), 1, "{blocks:?}");
        let b = &blocks[0];
        assert_eq!(b.shape, Shape::Ellipse);
        assert!(
            b.content_share > 0.05 && b.content_share < 0.2,
            "{}",
            b.content_share
        );
        // the input stands for a 2× reduced picture: boxes come back in full-resolution pixels
        assert!((78..=88).contains(&b.bbox.x), "{:?}", b.bbox);
        assert!((236..=246).contains(&b.bbox.width), "{:?}", b.bbox);
    }

    /// A shaft of width `sw` along `path(t)` (t in 0..1, sampled) ending in a triangular head,
    /// drawn in `rgb` with deterministic per-pixel noise of ±`noise` levels on white.
    fn arrow(path: &dyn Fn(f32) -> (f32, f32), sw: f32, rgb: [u8; 3], noise: i32) -> RgbImage {
        let mut img = RgbImage::from_pixel(200, 200, Rgb([255, 255, 255]));
        let pts: Vec<(f32, f32)> = (0..=200).map(|i| path(i as f32 / 200.0)).collect();
        let (tx, ty) = pts[200];
        let (px, py) = pts[190];
        let (dx, dy) = (tx - px, ty - py);
        let n = (dx * dx + dy * dy).sqrt();
        let (ux, uy) = (dx / n, dy / n);
        let hl = 3.5 * sw;
        for (x, y, p) in img.enumerate_pixels_mut() {
            let (fx, fy) = (x as f32, y as f32);
            let on_shaft = pts
                .iter()
                .any(|&(qx, qy)| (fx - qx).powi(2) + (fy - qy).powi(2) <= (sw / 2.0).powi(2));
            // head: along the direction from tx-hl to tx+0.3hl, half width shrinking to the tip
            let (vx, vy) = (fx - tx, fy - ty);
            let along = vx * ux + vy * uy;
            let across = (-vx * uy + vy * ux).abs();
            let on_head = (-hl..=0.3 * hl).contains(&along)
                && across <= 1.5 * sw * (0.3 * hl - along) / (1.3 * hl);
            if on_shaft || on_head {
                let mut c = rgb;
                for (k, v) in c.iter_mut().enumerate() {
                    let h = (x.wrapping_mul(73_856_093)
                        ^ y.wrapping_mul(19_349_663)
                        ^ (k as u32).wrapping_mul(83_492_791))
                        % (2 * noise as u32 + 1);
                    *v = (*v as i32 + h as i32 - noise).clamp(0, 255) as u8;
                }
                *p = Rgb(c);
            }
        }
        img
    }

    #[test]
    fn a_noisy_red_arrow_is_one_arrow() {
        // JPEG leaves ±9 levels of noise on a saturated fill at half resolution: neighbours then
        // differ by up to 18, over the grey tolerance (10) but inside red's (10 + 210/16).
        let img = arrow(
            &|t| (20.0 + 140.0 * t, 150.0 - 70.0 * t),
            6.0,
            [220, 20, 30],
            9,
        );
        let blocks = find_blocks(&img, Some([255.0, 255.0, 255.0]), None, 50);
        let arrows: Vec<&Block> = blocks.iter().filter(|b| b.shape == Shape::Arrow).collect();
        assert_eq!(arrows.len(), 1, "{blocks:?}");
        assert!(arrows[0].bbox.width >= 280, "{:?}", arrows[0].bbox);
    }

    #[test]
    fn a_bent_stroke_with_a_head_is_not_an_arrow() {
        // a stem or a tail: the same stroke and head along an arc whose middle sags by 25 px
        let img = arrow(
            &|t| (20.0 + 150.0 * t, 90.0 + 100.0 * t * (1.0 - t)),
            6.0,
            [220, 20, 30],
            0,
        );
        let blocks = find_blocks(&img, Some([255.0, 255.0, 255.0]), None, 50);
        assert!(blocks.iter().all(|b| b.shape != Shape::Arrow), "{blocks:?}");
        // the straight one with the same stroke and head is an arrow
        let img = arrow(&|t| (20.0 + 150.0 * t, 100.0), 6.0, [220, 20, 30], 0);
        let blocks = find_blocks(&img, Some([255.0, 255.0, 255.0]), None, 50);
        assert!(blocks.iter().any(|b| b.shape == Shape::Arrow), "{blocks:?}");
    }

    #[test]
    fn an_arrow_with_a_callout_ring_at_its_tail_is_an_arrow() {
        // a straight red arrow whose tail ends in a ring of half the shaft's width: the whole
        // is only ~3× longer than wide and both ends are wide, so only its thick part tells
        let mut img = arrow(&|t| (60.0 + 120.0 * t, 100.0), 8.0, [220, 20, 30], 0);
        for (x, y, p) in img.enumerate_pixels_mut() {
            let d = ((x as f32 - 60.0).powi(2) + (y as f32 - 100.0).powi(2)).sqrt();
            if (22.0..=26.0).contains(&d) {
                *p = Rgb([220, 20, 30]);
            }
        }
        let blocks = find_blocks(&img, Some([255.0, 255.0, 255.0]), None, 50);
        let arrows: Vec<&Block> = blocks.iter().filter(|b| b.shape == Shape::Arrow).collect();
        assert_eq!(arrows.len(), 1, "{blocks:?}");
        // the box is the whole region, ring included (full-resolution pixels)
        assert!(arrows[0].bbox.x <= 2 * 36 + 2, "{:?}", arrows[0].bbox);
        // a plain ring of the same size and stroke is not
        let mut ring = RgbImage::from_pixel(200, 200, Rgb([255, 255, 255]));
        for (x, y, p) in ring.enumerate_pixels_mut() {
            let d = ((x as f32 - 100.0).powi(2) + (y as f32 - 100.0).powi(2)).sqrt();
            if (22.0..=26.0).contains(&d) {
                *p = Rgb([220, 20, 30]);
            }
        }
        let blocks = find_blocks(&ring, Some([255.0, 255.0, 255.0]), None, 50);
        assert!(blocks.iter().all(|b| b.shape != Shape::Arrow), "{blocks:?}");
    }

    /// A straight red shaft from (20, 100) to (170, 100), 6 px wide, with `end` drawn over
    /// its right end: the head shapes that are not an arrowhead.
    fn shaft_with(end: &dyn Fn(f32, f32) -> bool) -> RgbImage {
        let mut img = RgbImage::from_pixel(200, 200, Rgb([255, 255, 255]));
        for (x, y, p) in img.enumerate_pixels_mut() {
            let (fx, fy) = (x as f32, y as f32);
            if ((20.0..=170.0).contains(&fx) && (fy - 100.0).abs() <= 3.0) || end(fx, fy) {
                *p = Rgb([220, 20, 30]);
            }
        }
        img
    }

    #[test]
    fn a_wide_end_to_one_side_or_blunt_is_not_an_arrowhead() {
        let no_arrow = |img: &RgbImage| {
            let blocks = find_blocks(img, Some([255.0, 255.0, 255.0]), None, 50);
            blocks.iter().all(|b| b.shape != Shape::Arrow)
        };
        // a pennant on its pole, a boot's toe: the wide end stands out below the shaft only
        let flag = shaft_with(&|x, y| (140.0..=170.0).contains(&x) && (100.0..=124.0).contains(&y));
        assert!(no_arrow(&flag));
        // a club: as wide on both sides but blunt, widest at the very end
        let club = shaft_with(&|x, y| (150.0..=170.0).contains(&x) && (y - 100.0).abs() <= 12.0);
        assert!(no_arrow(&club));
        // the same shaft with a triangle narrowing to a point is an arrow
        let head = shaft_with(&|x, y| {
            (140.0..=176.0).contains(&x) && (y - 100.0).abs() <= 12.0 * (176.0 - x) / 36.0
        });
        assert!(!no_arrow(&head));
    }

    fn glyph(x: u32, y: u32, w: u32, h: u32, ink_luma: f32) -> Glyph {
        Glyph {
            bbox: PxBox {
                x,
                y,
                width: w,
                height: h,
            },
            cx: (x + w / 2) as f32,
            cy: (y + h / 2) as f32,
            size: w.max(h) as f32,
            stroke: 4.0,
            fill: 0.4,
            ink: [ink_luma; 3],
            ink_luma,
            surround: 20.0,
            under: 20.0,
            light: ink_luma > 128.0,
        }
    }

    #[test]
    fn a_tag_with_a_short_word_is_lettered() {
        // a black rounded tag 276 × 120 with "$9.9" in white: the line finder wants three
        // different letter shapes, "$", "9", "9" are two
        let tag = Block {
            shape: Shape::Rectangle,
            bbox: PxBox {
                x: 454,
                y: 576,
                width: 276,
                height: 120,
            },
            rgb: [20, 20, 20],
            area_px: 25_236,
            content_share: 0.22,
            fit: 0.95,
            on_product: 1.0,
            chroma: 0,
        };
        let word = [
            glyph(480, 600, 40, 70, 250.0),
            glyph(530, 605, 40, 62, 248.0),
            glyph(600, 605, 40, 62, 251.0),
        ];
        assert!(lettered(&tag, &word));
        // the same patch with two dark-grey marks (a window's bars, a face's eyes): no
        assert!(!lettered(
            &tag,
            &[glyph(480, 600, 40, 70, 60.0), glyph(530, 605, 40, 62, 62.0)]
        ));
        // letters of two different inks are not one word
        assert!(!lettered(
            &tag,
            &[
                glyph(480, 600, 40, 70, 250.0),
                glyph(530, 605, 40, 62, 120.0)
            ]
        ));
        // specks a tenth of the tag's height are texture, not letters
        assert!(!lettered(
            &tag,
            &[glyph(480, 600, 8, 8, 250.0), glyph(530, 605, 8, 8, 250.0)]
        ));
        // an arrow carries no lettering
        let arrow = Block {
            shape: Shape::Arrow,
            ..tag.clone()
        };
        assert!(!lettered(&arrow, &word));
    }
}
