//! The aligned overlay: the suspect mapped onto the original's frame with the transform the
//! verification stage recovered, SSIM on the overlap, coverage, and the transform in numbers.
//! Only a verified pair is aligned; nothing here forces an alignment.

use image::{Rgb, RgbImage};
use serde::Serialize;

use crate::fingerprint::local::{Features, Verification};
use crate::similarity::heatmap;
use crate::similarity::ssim::{self, Signal, SsimMap};

/// Long side of the working frame (the original, downscaled if larger): the overlay and the
/// heatmap are drawn at this size.
pub const WORK_SIDE: u32 = 1024;

/// The recovered transform, in the original's terms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Transform {
    /// The copy is the original mirrored left–right.
    pub mirrored: bool,
    /// Copy pixels per original pixel (1.0 = same size).
    pub scale: f64,
    /// Rotation of the copy, degrees (positive = clockwise on screen).
    pub rotation_deg: f64,
    /// Share of the original cut away on each side (0–1): the part of the original the copy
    /// does not show.
    pub cut_left: f64,
    pub cut_top: f64,
    pub cut_right: f64,
    pub cut_bottom: f64,
    /// Relative change of the copy on the overlap, percent: mean luma, luma standard deviation,
    /// mean chroma.
    pub brightness_pct: f64,
    pub contrast_pct: f64,
    pub saturation_pct: f64,
}

/// The overlay and what it measures.
#[derive(Debug, Clone)]
pub struct Alignment {
    /// The original at working size.
    pub original: RgbImage,
    /// The copy mapped into the original's frame (uncovered pixels light grey).
    pub overlay: RgbImage,
    /// Heatmap of local SSIM on the overlap (uncovered area light grey), with the legend.
    pub heatmap: RgbImage,
    /// Share of the original covered by the copy.
    pub coverage: f64,
    /// Mean luma SSIM over the 11 × 11 windows lying entirely in the overlap; `None` when the
    /// overlap holds no window.
    pub ssim_overlap: Option<f64>,
    pub transform: Transform,
    /// What the copy changed on the overlap: colour, and the area drawn over
    /// ([`super::change`]); `None` when the overlap is too small or the original flat.
    pub change: Option<super::change::Change>,
}

fn downscale(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    let long = w.max(h);
    if long <= WORK_SIDE {
        return img.clone();
    }
    let s = WORK_SIDE as f64 / long as f64;
    let nw = ((w as f64 * s).round() as u32).max(1);
    let nh = ((h as f64 * s).round() as u32).max(1);
    image::imageops::resize(img, nw, nh, image::imageops::FilterType::Triangle)
}

fn bilinear(img: &RgbImage, x: f32, y: f32) -> Option<[f32; 3]> {
    let (w, h) = (img.width() as f32, img.height() as f32);
    if !(x >= 0.0 && y >= 0.0 && x <= w - 1.0 && y <= h - 1.0) {
        return None;
    }
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = (
        (x0 + 1).min(img.width() - 1),
        (y0 + 1).min(img.height() - 1),
    );
    let (tx, ty) = (x - x0 as f32, y - y0 as f32);
    let p = |xx, yy| img.get_pixel(xx, yy).0.map(|v| v as f32);
    let (a, b, c, d) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
    let mut out = [0f32; 3];
    for k in 0..3 {
        let top = a[k] * (1.0 - tx) + b[k] * tx;
        let bot = c[k] * (1.0 - tx) + d[k] * tx;
        out[k] = top * (1.0 - ty) + bot * ty;
    }
    Some(out)
}

fn luma(p: [f32; 3]) -> f64 {
    0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64
}

fn chroma(p: [f32; 3]) -> f64 {
    let mx = p[0].max(p[1]).max(p[2]);
    let mn = p[0].min(p[1]).min(p[2]);
    (mx - mn) as f64
}

const UNCOVERED: Rgb<u8> = Rgb([225, 225, 225]);

/// Align `suspect` onto `original` with the verification's transform (a = original,
/// b = suspect). `None` unless the pair is verified.
pub fn align(
    original: &RgbImage,
    fa: &Features,
    suspect: &RgbImage,
    fb: &Features,
    v: &Verification,
) -> Option<Alignment> {
    let t = v.transform.filter(|_| v.verified())?;
    let work = downscale(original);
    let (ww, wh) = work.dimensions();
    let (sw, sh) = suspect.dimensions();
    let mut overlay = RgbImage::from_pixel(ww, wh, UNCOVERED);
    let mut filled = work.clone();
    let mut mask = vec![false; (ww * wh) as usize];
    let (mut sa, mut sb, mut saa, mut sbb, mut ca, mut cb, mut n) =
        (0f64, 0f64, 0f64, 0f64, 0f64, 0f64, 0u64);
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0u32, 0u32);
    for y in 0..wh {
        for x in 0..ww {
            // Working pixel → original base level → suspect base level (mirrored frame).
            let bx = (x as f32 + 0.5) * fa.width as f32 / ww as f32 - 0.5;
            let by = (y as f32 + 0.5) * fa.height as f32 / wh as f32 - 0.5;
            let mut q = t.apply([bx, by]);
            if v.mirrored {
                q[0] = fb.width as f32 - 1.0 - q[0];
            }
            let sx = (q[0] + 0.5) * sw as f32 / fb.width as f32 - 0.5;
            let sy = (q[1] + 0.5) * sh as f32 / fb.height as f32 - 0.5;
            let Some(p) = bilinear(suspect, sx, sy) else {
                continue;
            };
            let px = Rgb(p.map(|c| c.round().clamp(0.0, 255.0) as u8));
            overlay.put_pixel(x, y, px);
            filled.put_pixel(x, y, px);
            mask[(y * ww + x) as usize] = true;
            let o = work.get_pixel(x, y).0.map(|c| c as f32);
            let (la, lb) = (luma(o), luma(p));
            sa += la;
            sb += lb;
            saa += la * la;
            sbb += lb * lb;
            ca += chroma(o);
            cb += chroma(p);
            n += 1;
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
    }
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let coverage = nf / (ww as f64 * wh as f64);
    let (ma, mb) = (sa / nf, sb / nf);
    let sda = (saa / nf - ma * ma).max(0.0).sqrt();
    let sdb = (sbb / nf - mb * mb).max(0.0).sqrt();
    let pct = |new: f64, old: f64| {
        if old > 1e-6 {
            ((new / old - 1.0) * 1000.0).round() / 10.0
        } else {
            0.0
        }
    };
    // SSIM: the map of the original against the filled overlay, averaged over windows that lie
    // entirely inside the overlap (uncovered pixels were filled with the original's own, but
    // no such window is counted).
    let (ssim_overlap, map) = match ssim::ssim(&work, &filled, Signal::Luma, true) {
        Ok((_, Some(map))) => (
            mean_inside(&map, &mask, ww as usize, wh as usize),
            Some(map),
        ),
        _ => (None, None),
    };
    let heat = match &map {
        Some(m) => render_masked(m, &mask, ww, wh),
        None => RgbImage::from_pixel(ww, wh, UNCOVERED),
    };
    // Rotation in the original's frame: a mirrored match measures it in the mirrored frame,
    // where the sense of rotation is reversed.
    let rot = if v.mirrored {
        -t.rotation_deg()
    } else {
        t.rotation_deg()
    } as f64;
    let longer = |w: u32, h: u32| w.max(h) as f64;
    let scale = t.scale() as f64 * (longer(sw, sh) / longer(fb.width, fb.height))
        / (longer(original.width(), original.height()) / longer(fa.width, fa.height));
    let r3 = |v: f64| (v * 1000.0).round() / 1000.0;
    let change = super::change::measure(&work, &overlay, &mask);
    Some(Alignment {
        change,
        original: work,
        overlay,
        heatmap: heat,
        coverage: r3(coverage),
        ssim_overlap: ssim_overlap.map(|s| (s * 1e6).round() / 1e6),
        transform: Transform {
            mirrored: v.mirrored,
            scale: r3(scale),
            rotation_deg: (rot * 10.0).round() / 10.0,
            cut_left: r3(x0 as f64 / ww as f64),
            cut_top: r3(y0 as f64 / wh as f64),
            cut_right: r3((ww - 1 - x1) as f64 / ww as f64),
            cut_bottom: r3((wh - 1 - y1) as f64 / wh as f64),
            brightness_pct: pct(mb, ma),
            contrast_pct: pct(sdb, sda),
            saturation_pct: pct(cb / nf, ca / nf),
        },
    })
}

/// Mean of the map over windows (11 × 11, centred at map index + 5) entirely inside `mask`.
fn mean_inside(map: &SsimMap, mask: &[bool], w: usize, h: usize) -> Option<f64> {
    // Summed-area table of uncovered pixels.
    let mut sat = vec![0u32; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u32;
        for x in 0..w {
            row += (!mask[y * w + x]) as u32;
            sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1] + row;
        }
    }
    let uncovered = |x0: usize, y0: usize, x1: usize, y1: usize| {
        sat[y1 * (w + 1) + x1] + sat[y0 * (w + 1) + x0]
            - sat[y0 * (w + 1) + x1]
            - sat[y1 * (w + 1) + x0]
    };
    let (mut s, mut n) = (0f64, 0u64);
    for my in 0..map.valid_height {
        for mx in 0..map.valid_width {
            if uncovered(mx, my, mx + 11, my + 11) == 0 {
                s += map.data[my * map.valid_width + mx] as f64;
                n += 1;
            }
        }
    }
    (n > 0).then(|| s / n as f64)
}

fn render_masked(map: &SsimMap, mask: &[bool], w: u32, h: u32) -> RgbImage {
    let mut out = heatmap::render(map, w, h, None, heatmap::HeatmapStyle::default());
    for y in 0..h {
        for x in 0..w {
            if !mask[(y * w + x) as usize] {
                out.put_pixel(x, y, UNCOVERED);
            }
        }
    }
    out
}
