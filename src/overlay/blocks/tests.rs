//! Flat-region and stroke classification on synthetic drawings.

use super::*;
use image::Rgb;

/// Flat blocks of a drawing on white.
fn blocks_on_white(img: &RgbImage, min_area: u32) -> Vec<Block> {
    find_blocks(&Neighbours::count(img), Some([255.0; 3]), None, min_area)
}

/// Thin strokes of a drawing on white.
fn strokes_on_white(img: &RgbImage, min_area: u32) -> Vec<Block> {
    find_strokes(&Neighbours::count(img), Some([255.0; 3]), None, min_area)
}

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
    let blocks = blocks_on_white(&img, 50);
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
    let blocks = blocks_on_white(&img, 50);
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
    let blocks = blocks_on_white(&img, 50);
    assert!(blocks.iter().all(|b| b.shape != Shape::Arrow), "{blocks:?}");
    // the straight one with the same stroke and head is an arrow
    let img = arrow(&|t| (20.0 + 150.0 * t, 100.0), 6.0, [220, 20, 30], 0);
    let blocks = blocks_on_white(&img, 50);
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
    let blocks = blocks_on_white(&img, 50);
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
    let blocks = blocks_on_white(&ring, 50);
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
        let blocks = blocks_on_white(img, 50);
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

/// A 60-px arrow with a 3-px shaft drawn in `rgb` along the outline between white (above)
/// and blue (below), at half resolution as the detectors see it.
fn arrow_on_outline(rgb: [u8; 3]) -> RgbImage {
    let line = |x: f32| 100.0 + 0.3 * (x - 20.0);
    let mut img = arrow(&|t| (20.0 + 60.0 * t, line(20.0 + 60.0 * t)), 3.0, rgb, 0);
    for (x, y, p) in img.enumerate_pixels_mut() {
        if y as f32 > line(x as f32) + 1.0 && p.0 == [255, 255, 255] {
            *p = Rgb(BLUE);
        }
    }
    img
}

const BLUE: [u8; 3] = [40, 80, 200];

#[test]
fn a_thin_arrow_is_found_by_the_stroke_pass() {
    let img = arrow_on_outline([220, 20, 30]);
    let strokes = strokes_on_white(&img, 30);
    assert_eq!(strokes.len(), 1, "{strokes:?}");
    // boxes are in full-resolution pixels, twice the drawing's: the arrow spans x 20..80 plus
    // its head's overhang, and nothing of the blue surface joins it
    let b = strokes[0].bbox;
    assert!((110..=140).contains(&b.width), "{b:?}");
}

#[test]
fn an_outline_band_of_the_two_sides_mixed_is_not_an_arrow() {
    // The same shape in the colour halfway between white and blue is what blur and JPEG leave
    // along an outline: its colour lies on the segment between its two sides (is_edge_blend).
    let mix = [0, 1, 2].map(|c| ((255 + BLUE[c] as u32) / 2) as u8);
    let img = arrow_on_outline(mix);
    let strokes = strokes_on_white(&img, 30);
    assert!(strokes.is_empty(), "{strokes:?}");
}

#[test]
fn tiny_pictures_have_no_blocks_or_strokes() {
    for (w, h) in [(0, 0), (1, 5), (2, 2), (7, 40), (40, 7)] {
        let img = RgbImage::from_pixel(w, h, Rgb([220, 20, 30]));
        assert!(find_blocks(&Neighbours::count(&img), None, None, 1).is_empty());
        assert!(find_strokes(&Neighbours::count(&img), None, None, 1).is_empty());
    }
}

#[test]
fn neighbours_are_counted_per_pixel_and_zero_on_the_frame_edge() {
    let mut img = RgbImage::from_pixel(5, 5, Rgb([255, 255, 255]));
    img.put_pixel(2, 2, Rgb([220, 20, 30]));
    let nb = Neighbours::count(&img);
    let at = |x: usize, y: usize| nb.counts[y * 5 + x];
    assert_eq!(
        at(2, 2),
        0,
        "a lone red dot shares its colour with no neighbour"
    );
    for (x, y) in [(1, 2), (3, 2), (2, 1), (2, 3)] {
        assert_eq!(at(x, y), 3, "beside the dot at ({x}, {y})");
    }
    assert_eq!(at(1, 1), 4);
    assert!((0..5).all(|i| at(i, 0) == 0 && at(i, 4) == 0 && at(0, i) == 0 && at(4, i) == 0));
    assert_eq!(nb.at_least(4).iter().filter(|&&v| v).count(), 4); // (1,1) (3,1) (1,3) (3,3)
}
