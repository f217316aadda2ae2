//! What a copy changed on the part of the original it shows: its colours (hue turned, made
//! grey, brighter, more saturated) and the area drawn over or replaced (stickers, text, a new
//! background). Measured on an alignment (`align`): the copy mapped into the original's frame.
//!
//! Why a fitted colour map: a copy's colour edit is one function of the original's colour
//! (hue rotation, grayscale, brightness/contrast/saturation are all close to an affine map of
//! RGB), while what was drawn over is not a function of what lies under it. So the map is fitted
//! by least squares on the overlap, refitted without the pixels it explains worst, and the
//! blocks it still cannot explain are the overlay. Plain means over the whole overlap would
//! count a new blue background as "saturation +1 600 %".

use image::RgbImage;
use serde::Serialize;

/// Side of the blocks judged drawn over, in working-frame pixels (1 024-px long side).
const BLOCK: usize = 16;
/// Mean colour residual (RGB distance, levels) over a block above which the colour map does not
/// explain it: JPEG and resampling leave 3–10, pasted text and stickers 50 and more.
const OVERLAY_RESIDUAL: f64 = 30.0;
/// Share of the overlap, worst explained first, left out of the refit (overlays up to this share
/// do not bend the map).
const REFIT_DROP: f64 = 0.25;
/// Chroma (max − min channel, levels) an original pixel needs for its hue to be read.
const HUE_CHROMA: f64 = 40.0;

/// What the copy changed, on the overlap with the original.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    /// Hue turned by this many degrees (−180, 180], on the original's colourful pixels
    /// (chroma ≥ 40) that the copy keeps colourful; `None` when too few are (a grey original,
    /// or a grayscale copy).
    pub hue_shift_deg: Option<f64>,
    /// The copy has lost the original's colour (its mean chroma under 15 % of the original's,
    /// which has some).
    pub grayscale: bool,
    /// Change of mean luma, percent, where the copy was not drawn over.
    pub brightness_pct: f64,
    /// Change of mean chroma, percent, where the copy was not drawn over (0 for a grey
    /// original).
    pub saturation_pct: f64,
    /// Share of the overlap drawn over or replaced: 16-px blocks that the colour map from
    /// original to copy does not explain.
    pub overlay_share: f64,
}

/// Solve the 4×4 system `a · x = b` (Gaussian elimination, partial pivoting); `None` when
/// singular (a flat original: every pixel one colour).
fn solve4(mut a: [[f64; 4]; 4], mut b: [f64; 4]) -> Option<[f64; 4]> {
    for c in 0..4 {
        let p = (c..4).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-9 {
            return None;
        }
        a.swap(c, p);
        b.swap(c, p);
        for r in c + 1..4 {
            let f = a[r][c] / a[c][c];
            let pivot = a[c];
            for (x, p) in a[r][c..].iter_mut().zip(&pivot[c..]) {
                *x -= f * p;
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = [0.0; 4];
    for r in (0..4).rev() {
        let s: f64 = (r + 1..4).map(|k| a[r][k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

/// Least-squares affine map copy ≈ M·[r, g, b, 1] over the pixels `use_px` selects.
fn fit(o: &[[f64; 3]], c: &[[f64; 3]], use_px: &[bool]) -> Option<[[f64; 4]; 3]> {
    let mut a = [[0.0; 4]; 4];
    let mut rhs = [[0.0; 4]; 3];
    for ((x, y), _) in o.iter().zip(c).zip(use_px).filter(|(_, &u)| u) {
        let v = [x[0], x[1], x[2], 1.0];
        for i in 0..4 {
            for j in 0..4 {
                a[i][j] += v[i] * v[j];
            }
            for k in 0..3 {
                rhs[k][i] += v[i] * y[k];
            }
        }
    }
    let mut m = [[0.0; 4]; 3];
    for k in 0..3 {
        m[k] = solve4(a, rhs[k])?;
    }
    Some(m)
}

fn residual(m: &[[f64; 4]; 3], o: &[f64; 3], c: &[f64; 3]) -> f64 {
    (0..3)
        .map(|k| {
            let p = m[k][0] * o[0] + m[k][1] * o[1] + m[k][2] * o[2] + m[k][3];
            (p - c[k]).powi(2)
        })
        .sum::<f64>()
        .sqrt()
}

fn luma(p: &[f64; 3]) -> f64 {
    0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
}

fn chroma(p: &[f64; 3]) -> f64 {
    p[0].max(p[1]).max(p[2]) - p[0].min(p[1]).min(p[2])
}

/// Hue angle, degrees (HSV hexcone, as atan2 of the opponent axes).
fn hue(p: &[f64; 3]) -> f64 {
    let a = p[0] - 0.5 * (p[1] + p[2]);
    let b = 3f64.sqrt() / 2.0 * (p[1] - p[2]);
    b.atan2(a).to_degrees()
}

/// Measure the change of `copy` against `original` (same size: the alignment's working frame)
/// over the pixels `covered` marks. `None` when fewer than 64 pixels overlap or the original is
/// one flat colour (no map can be fitted).
pub fn measure(original: &RgbImage, copy: &RgbImage, covered: &[bool]) -> Option<Change> {
    let (w, h) = (original.width() as usize, original.height() as usize);
    if copy.dimensions() != original.dimensions() || covered.len() != w * h {
        return None;
    }
    let px = |img: &RgbImage, i: usize| {
        let p = img.get_pixel((i % w) as u32, (i / w) as u32).0;
        [p[0] as f64, p[1] as f64, p[2] as f64]
    };
    let idx: Vec<usize> = (0..w * h).filter(|&i| covered[i]).collect();
    if idx.len() < 64 {
        return None;
    }
    let o: Vec<[f64; 3]> = idx.iter().map(|&i| px(original, i)).collect();
    let c: Vec<[f64; 3]> = idx.iter().map(|&i| px(copy, i)).collect();
    let mut keep = vec![true; idx.len()];
    let mut m = fit(&o, &c, &keep)?;
    // refit without the worst-explained quarter (the overlays, if any)
    let mut res: Vec<f64> = o.iter().zip(&c).map(|(a, b)| residual(&m, a, b)).collect();
    let mut sorted = res.clone();
    sorted.sort_by(f64::total_cmp);
    let cut = sorted[((1.0 - REFIT_DROP) * (sorted.len() - 1) as f64) as usize];
    for (k, r) in keep.iter_mut().zip(&res) {
        *k = *r <= cut;
    }
    if let Some(m2) = fit(&o, &c, &keep) {
        m = m2;
        res = o.iter().zip(&c).map(|(a, b)| residual(&m, a, b)).collect();
    }
    // blocks the map does not explain
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let mut sum = vec![0.0f64; bw * bh];
    let mut cnt = vec![0u32; bw * bh];
    for (&i, r) in idx.iter().zip(&res) {
        let b = (i / w / BLOCK) * bw + (i % w) / BLOCK;
        sum[b] += r;
        cnt[b] += 1;
    }
    let drawn: Vec<bool> = sum
        .iter()
        .zip(&cnt)
        .map(|(s, &n)| n > 0 && s / n as f64 > OVERLAY_RESIDUAL)
        .collect();
    let (mut over_px, mut all_px) = (0u64, 0u64);
    for (d, &n) in drawn.iter().zip(&cnt) {
        all_px += n as u64;
        over_px += if *d { n as u64 } else { 0 };
    }
    // colour statistics where the copy was not drawn over
    let (mut lo, mut lc, mut co, mut cc, mut n) = (0.0, 0.0, 0.0, 0.0, 0.0f64);
    let (mut hs, mut hc, mut hn) = (0.0f64, 0.0f64, 0usize);
    for (k, &i) in idx.iter().enumerate() {
        if drawn[(i / w / BLOCK) * bw + (i % w) / BLOCK] {
            continue;
        }
        let (a, b) = (&o[k], &c[k]);
        lo += luma(a);
        lc += luma(b);
        co += chroma(a);
        cc += chroma(b);
        n += 1.0;
        if chroma(a) >= HUE_CHROMA && chroma(b) >= HUE_CHROMA / 2.0 {
            let d = (hue(b) - hue(a)).to_radians();
            let wgt = chroma(a);
            hs += wgt * d.sin();
            hc += wgt * d.cos();
            hn += 1;
        }
    }
    let pct = |new: f64, old: f64| {
        if old > 1e-6 {
            // + 0.0: no "-0.0" in the JSON
            ((new / old - 1.0) * 1000.0).round() / 10.0 + 0.0
        } else {
            0.0
        }
    };
    let n = n.max(1.0);
    let (mean_co, mean_cc) = (co / n, cc / n);
    // a hue read on under 1 % of the overlap says nothing
    let hue_shift_deg = (hn * 100 >= idx.len()).then(|| {
        let d = hs.atan2(hc).to_degrees();
        (d * 10.0).round() / 10.0 + 0.0
    });
    Some(Change {
        hue_shift_deg,
        grayscale: mean_co >= 10.0 && mean_cc < 0.15 * mean_co,
        brightness_pct: pct(lc / n, lo / n),
        saturation_pct: if mean_co >= 10.0 {
            pct(mean_cc, mean_co)
        } else {
            0.0
        },
        overlay_share: (over_px as f64 / all_px.max(1) as f64 * 1000.0).round() / 1000.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    /// A colourful test card: hue across, value down, a little texture.
    fn card() -> RgbImage {
        RgbImage::from_fn(256, 192, |x, y| {
            let h = x as f64 / 256.0 * 360.0;
            let v = 0.45 + 0.5 * y as f64 / 192.0;
            let s = 0.8;
            let c = v * s;
            let hp = h / 60.0;
            let xx = c * (1.0 - (hp % 2.0 - 1.0).abs());
            let (r, g, b) = match hp as u32 {
                0 => (c, xx, 0.0),
                1 => (xx, c, 0.0),
                2 => (0.0, c, xx),
                3 => (0.0, xx, c),
                4 => (xx, 0.0, c),
                _ => (c, 0.0, xx),
            };
            let m = v - c;
            let t = ((x * 7 + y * 13) % 9) as f64;
            Rgb([r, g, b].map(|k| ((k + m) * 255.0 + t).round().clamp(0.0, 255.0) as u8))
        })
    }

    fn all(img: &RgbImage) -> Vec<bool> {
        vec![true; (img.width() * img.height()) as usize]
    }

    #[test]
    fn the_same_picture_changed_nothing() {
        let a = card();
        let c = measure(&a, &a, &all(&a)).expect("a card has colour");
        assert_eq!(c.hue_shift_deg, Some(0.0));
        assert!(!c.grayscale);
        assert_eq!(
            (c.brightness_pct, c.saturation_pct, c.overlay_share),
            (0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn a_hue_rotation_reads_as_its_angle_and_not_as_saturation() {
        // Turn every colour by +60° about the grey axis (Rodrigues, axis (1, 1, 1)/√3): red
        // moves towards yellow.
        let a = card();
        let mut b = a.clone();
        let (cs, sn) = (60f64.to_radians().cos(), 60f64.to_radians().sin());
        let k = 1.0 / 3f64.sqrt();
        for p in b.pixels_mut() {
            let [r, g, bl] = p.0.map(|v| v as f64);
            let v = [r, g, bl];
            let cross = [k * (bl - g), k * (r - bl), k * (g - r)];
            let grey = (r + g + bl) / 3.0;
            p.0 = [0, 1, 2].map(|i| {
                (v[i] * cs + cross[i] * sn + grey * (1.0 - cs))
                    .round()
                    .clamp(0.0, 255.0) as u8
            });
        }
        let c = measure(&a, &b, &all(&a)).expect("colour");
        let h = c.hue_shift_deg.expect("colourful");
        // 8°: the rotation clips at the gamut's edge and hexcone hue is not the rotation's angle
        assert!((h - 60.0).abs() <= 8.0, "{c:?}");
        assert!(c.saturation_pct.abs() <= 15.0, "{c:?}");
        assert!(c.overlay_share <= 0.02, "{c:?}");
    }

    #[test]
    fn a_grey_copy_is_grayscale_and_a_sticker_is_drawn_over() {
        let a = card();
        let mut g = a.clone();
        for p in g.pixels_mut() {
            let l = (0.299 * p.0[0] as f64 + 0.587 * p.0[1] as f64 + 0.114 * p.0[2] as f64).round()
                as u8;
            p.0 = [l, l, l];
        }
        let c = measure(&a, &g, &all(&a)).expect("colour");
        assert!(c.grayscale, "{c:?}");
        assert_eq!(c.hue_shift_deg, None, "{c:?}");
        assert!(c.brightness_pct.abs() <= 2.0, "{c:?}");
        // a white sticker with black text over 64 × 48 of 256 × 192 (6.25 %), block-aligned
        let mut s = a.clone();
        for y in 64..112 {
            for x in 96..160 {
                let ink = (x / 6 + y / 8) % 3 == 0;
                s.put_pixel(
                    x,
                    y,
                    if ink {
                        Rgb([0, 0, 0])
                    } else {
                        Rgb([255, 255, 255])
                    },
                );
            }
        }
        let c = measure(&a, &s, &all(&a)).expect("colour");
        assert!((c.overlay_share - 0.0625).abs() <= 0.01, "{c:?}");
        assert!(!c.grayscale && c.brightness_pct.abs() <= 2.0, "{c:?}");
        assert_eq!(c.hue_shift_deg, Some(0.0), "{c:?}");
    }
}
