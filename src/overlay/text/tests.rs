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
