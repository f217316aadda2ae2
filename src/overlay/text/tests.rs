//! Whiskers are strokes, not letters: the single-stroke rule on drawn shapes.
use super::*;
use crate::overlay::raster::{local_means, luma};
use image::{Rgb, RgbImage};

/// Grey `ink` drawn with a 1-px anti-aliased rim along the polyline through `pts`, `width` px
/// wide, on `img`.
fn stroke(img: &mut RgbImage, pts: &[(f32, f32)], width: f32, ink: u8) {
    let (w, h) = img.dimensions();
    for y in 0..h {
        for x in 0..w {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let d = pts
                .windows(2)
                .map(|s| {
                    let ((ax, ay), (bx, by)) = (s[0], s[1]);
                    let (vx, vy) = (bx - ax, by - ay);
                    let t =
                        (((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)).clamp(0.0, 1.0);
                    ((px - ax - t * vx).powi(2) + (py - ay - t * vy).powi(2)).sqrt()
                })
                .fold(f32::MAX, f32::min);
            let cover = (width / 2.0 + 0.5 - d).clamp(0.0, 1.0);
            if cover > 0.0 {
                let p = img.get_pixel_mut(x, y);
                let v = (p.0[0] as f32 * (1.0 - cover) + ink as f32 * cover).round() as u8;
                *p = Rgb([v, v, v]);
            }
        }
    }
}

fn glyphs_of(img: &RgbImage) -> (Vec<Glyph>, Plane) {
    let l = luma(img);
    let m = local_means(&l, WINDOW_R);
    (glyph_candidates(img, &l, &m), l)
}

#[test]
fn a_fan_of_whiskers_on_white_is_not_text() {
    let mut img = RgbImage::from_pixel(320, 240, Rgb([255, 255, 255]));
    // Five whiskers fanning out from one muzzle, slightly bent, 3 px wide, grey. Without the
    // single-stroke rule they read as a cluster of text on a plain surface.
    for k in 0..5 {
        let a = (-40.0 + 20.0 * k as f32).to_radians();
        let (c, s) = (a.cos(), a.sin());
        let pts = [
            (40.0 + 20.0 * c, 120.0 + 20.0 * s),
            (40.0 + 50.0 * c, 120.0 + 50.0 * s + 3.0),
            (40.0 + 100.0 * c, 120.0 + 100.0 * s + 10.0),
        ];
        stroke(&mut img, &pts, 3.0, 150);
    }
    let (gs, l) = glyphs_of(&img);
    let whiskers: Vec<&Glyph> = gs
        .iter()
        .filter(|g| !g.light && g.size >= STROKE_TEST_PX)
        .collect();
    // The rule is only tested if the whiskers pass as glyph candidates in the first place.
    assert!(whiskers.len() >= 3, "{gs:?}");
    for g in &whiskers {
        assert!(g.path_ratio() < 1.4, "{g:?}: {}", g.path_ratio());
    }
    assert!(lines(&gs, &l).is_empty(), "{:?}", lines(&gs, &l));
}

#[test]
fn a_letter_with_a_bowl_is_not_a_single_stroke() {
    // An 'O' and a 'Z' 40 px tall: a closed bowl and two turns.
    let mut img = RgbImage::from_pixel(200, 100, Rgb([255, 255, 255]));
    let ring: Vec<(f32, f32)> = (0..=32)
        .map(|i| {
            let t = i as f32 / 32.0 * std::f32::consts::TAU;
            (50.0 + 15.0 * t.cos(), 50.0 + 20.0 * t.sin())
        })
        .collect();
    stroke(&mut img, &ring, 4.0, 40);
    stroke(
        &mut img,
        &[(110.0, 30.0), (140.0, 30.0), (110.0, 70.0), (140.0, 70.0)],
        4.0,
        40,
    );
    let (gs, _) = glyphs_of(&img);
    let big: Vec<&Glyph> = gs.iter().filter(|g| g.size >= STROKE_TEST_PX).collect();
    assert_eq!(big.len(), 2, "{gs:?}");
    for g in big {
        assert!(g.path_ratio() >= 2.0, "{g:?}: {}", g.path_ratio());
    }
}

/// Letter-like polylines (strokes of one glyph) in a box `w` wide and 40 tall at (x, y).
fn letter(k: usize, x: f32, y: f32) -> Vec<Vec<(f32, f32)>> {
    let p = |pts: &[(f32, f32)]| pts.iter().map(|&(a, b)| (x + a, y + b)).collect::<Vec<_>>();
    match k % 6 {
        0 => vec![p(&[(0.0, 0.0), (0.0, 40.0), (20.0, 40.0)])], // L
        1 => vec![p(&[(0.0, 0.0), (30.0, 0.0), (0.0, 40.0), (30.0, 40.0)])], // Z
        2 => vec![p(&[(0.0, 40.0), (0.0, 0.0), (26.0, 40.0), (26.0, 0.0)])], // N
        3 => vec![p(&[(0.0, 0.0), (17.0, 40.0), (34.0, 0.0)])], // V
        4 => vec![
            p(&[(22.0, 0.0), (0.0, 0.0), (0.0, 40.0), (22.0, 40.0)]),
            p(&[(0.0, 20.0), (16.0, 20.0)]),
        ], // E
        _ => vec![p(&[(0.0, 0.0), (0.0, 40.0), (24.0, 40.0), (24.0, 0.0)])], // U
    }
}

/// Draw `ink` at `opacity` over what is there (a translucent overlay), 6-px strokes.
fn blend_letters(img: &mut RgbImage, xs: &[f32], y: f32, ink: f32, opacity: f32) {
    let mut layer = RgbImage::from_pixel(img.width(), img.height(), Rgb([255, 255, 255]));
    for (k, &x) in xs.iter().enumerate() {
        for s in letter(k, x, y) {
            stroke(&mut layer, &s, 6.0, 0);
        }
    }
    for (o, l) in img.pixels_mut().zip(layer.pixels()) {
        let cover = opacity * (1.0 - l.0[0] as f32 / 255.0);
        for c in 0..3 {
            o.0[c] = (o.0[c] as f32 * (1.0 - cover) + ink * cover).round() as u8;
        }
    }
}

/// White, with a product on the left: a smooth ramp from 70 to 200 levels.
fn ramp_product() -> RgbImage {
    RgbImage::from_fn(520, 160, |x, _| {
        if x < 260 {
            let v = (70.0 + 130.0 * x as f32 / 260.0) as u8;
            Rgb([v, v, v])
        } else {
            Rgb([255, 255, 255])
        }
    })
}

#[test]
fn a_translucent_word_across_two_surfaces_is_one_blended_line() {
    // Black at 45 % over the ramp and the white: the ink steps with the surface (from 39 to
    // 140 levels), so no one ink and no plain surface; the first pass finds no line.
    let mut img = ramp_product();
    // six letters on the ramp, one on its edge, one on the white
    let xs: Vec<f32> = (0..8).map(|k| 10.0 + 42.0 * k as f32).collect();
    blend_letters(&mut img, &xs, 60.0, 0.0, 0.45);
    let (gs, l) = glyphs_of(&img);
    let found = lines(&gs, &l);
    let blended: Vec<&TextLine> = found.iter().filter(|t| t.blended).collect();
    assert_eq!(blended.len(), 1, "{found:?}");
    let t = blended[0];
    // the line spans both surfaces: from the ramp (x < 260) to the white
    assert!(t.bbox.x < 60 && t.bbox.x1() > 300, "{t:?}");
    // slope of ink on surface: 1 − opacity = 0.55, read steeper on the ramp (see ROW_SLOPE)
    assert!(
        t.blend_slope.is_some_and(|s| (0.45..=0.85).contains(&s)),
        "{t:?}"
    );
}

#[test]
fn letters_whose_inks_no_blend_explains_are_no_blended_line() {
    // The same row, but each letter in its own opaque grey, unrelated to the surface under it
    // (print of several colours): inks step by 40–90 levels where the surface steps by ~12.
    let mut img = ramp_product();
    for (k, ink) in [40.0f32, 130.0, 60.0, 150.0, 30.0, 120.0, 50.0, 140.0]
        .into_iter()
        .enumerate()
    {
        blend_letters(&mut img, &[10.0 + 42.0 * k as f32], 60.0, ink, 1.0);
    }
    let (gs, l) = glyphs_of(&img);
    assert!(
        lines(&gs, &l).iter().all(|t| !t.blended),
        "{:?}",
        lines(&gs, &l)
    );
}

/// A coiled string seen side on (ten light 11×4 px arcs, 5 px apart, on grey) lines up like a
/// word, but it is one mark over and over; six different letters of one stroke are writing.
#[test]
fn a_row_of_one_repeated_mark_is_not_text_and_a_word_is() {
    let mut coil = RgbImage::from_pixel(240, 240, Rgb([130, 130, 130]));
    for k in 0..10 {
        let y = 60.0 + 5.0 * k as f32;
        stroke(
            &mut coil,
            &[(110.0, y), (115.0, y + 2.5), (120.0, y)],
            1.5,
            210,
        );
    }
    let (gs, l) = glyphs_of(&coil);
    assert!(
        gs.len() >= 6,
        "the coil's marks are glyph candidates: {gs:?}"
    );
    assert!(lines(&gs, &l).is_empty(), "{:?}", lines(&gs, &l));

    let mut word = RgbImage::from_pixel(400, 200, Rgb([255, 255, 255]));
    for k in 0..6 {
        for s in letter(k, 30.0 + 55.0 * k as f32, 80.0) {
            stroke(&mut word, &s, 4.0, 20);
        }
    }
    let (gs, l) = glyphs_of(&word);
    // capitals of one height, but 24–38 px wide: the dark row of all six is one line
    let found = lines(&gs, &l);
    let rows = found.iter().filter(|t| !t.light_ink && t.glyphs.len() == 6);
    assert_eq!(rows.count(), 1, "{found:?}");
}
