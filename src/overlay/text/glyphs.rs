//! Glyph candidates: connected components of ink from a local-contrast binarisation, one pass
//! per polarity (dark ink, light ink), kept when their size, fill, aspect and stroke width are a
//! letter's and their ink is one colour with crisp edges. The parent module links them into
//! lines.

use image::RgbImage;

use crate::overlay::raster::{colour_regions, Plane, PxBox};

/// Contrast (grey levels) a pixel needs against its 41×41 neighbourhood mean to count as ink.
/// 30 %-opaque grey text on white differs by ~38 levels; JPEG noise on flat areas stays < 8.
const INK_CONTRAST: i32 = 18;
/// One glyph candidate (a connected component of ink).
#[derive(Debug, Clone)]
pub struct Glyph {
    pub bbox: PxBox,
    pub cx: f32,
    pub cy: f32,
    pub size: f32,
    pub stroke: f32,
    pub fill: f32,
    pub ink: [f32; 3],
    pub ink_luma: f32,
    /// Mean neighbourhood luma around the glyph (the surface it sits on, ink included).
    pub surround: f32,
    /// Mean luma of the surface right beside the glyph (2–3 px outside its box, ink left out): what a translucent glyph is blended onto. Unlike `surround` it holds no
    /// ink, so across a watermark laid over several surfaces `ink ≈ (1 − a)·under + a·colour`.
    pub under: f32,
    pub light: bool,
}

impl Glyph {
    /// Length of the stroke path over the glyph's size (area / stroke width / longest side):
    /// ≈ 1 for a single stroke ('l', a whisker, a hair, a wire), 2–4 for most letters and
    /// higher for Chinese characters, whose strokes cross and turn.
    pub fn path_ratio(&self) -> f32 {
        let area = self.fill * (self.bbox.width * self.bbox.height) as f32;
        area / (self.stroke.max(0.5) * self.size.max(1.0))
    }
}

/// Glyph candidates of one polarity.
fn glyphs(img: &RgbImage, luma: &Plane, means: &Plane, light: bool, out: &mut Vec<Glyph>) {
    let (w, h) = (luma.w, luma.h);
    let means = &means.data;
    let mask: Vec<bool> = luma
        .data
        .iter()
        .zip(means)
        .map(|(&v, &m)| {
            if light {
                v as i32 >= m as i32 + INK_CONTRAST
            } else {
                v as i32 <= m as i32 - INK_CONTRAST
            }
        })
        .collect();
    let raw = img.as_raw();
    let (labels, comps) = colour_regions(&mask, w, h, raw, 45);
    let max_size = (w.max(h) / 4) as u32;
    let keep: Vec<bool> = comps
        .iter()
        .map(|c| {
            let (cw, ch) = (c.width(), c.height());
            let size = cw.max(ch);
            let fill = c.area as f32 / (cw * ch) as f32;
            let aspect = size as f32 / cw.min(ch) as f32;
            let sw = c.stroke_width();
            c.area >= 10
                && (6..=max_size).contains(&size)
                && (0.08..=0.92).contains(&fill)
                && aspect <= 4.5
                && sw >= 1.0
                && sw <= 0.45 * cw.min(ch) as f32 + 1.0
        })
        .collect();
    // Per kept component: ink colour, interior luma spread, surround, edge sharpness.
    let n = comps.len();
    let mut acc = vec![
        Acc {
            rgb: [0; 3],
            extreme: if light { 0 } else { 255 },
            core_n: 0,
            core_l: 0,
            core_rgb: [0; 3],
            sur: 0,
            lum: 0,
            lum2: 0,
            edge: 0,
            edge_n: 0,
        };
        n
    ];
    let ld = &luma.data;
    // Each kept component is visited inside its own box (its label picks its pixels out of
    // any neighbour's): glyphs are small, so this reads a few per cent of the image instead of
    // all of it twice. The sums are integers, so the order of the visit changes nothing.
    for (k, c) in comps.iter().enumerate() {
        if !keep[k] {
            continue;
        }
        let l = k as u32 + 1;
        let a = &mut acc[k];
        let (x0, x1) = (c.x0 as usize, c.x1 as usize + 1);
        for y in c.y0 as usize..=c.y1 as usize {
            for x in x0..x1 {
                let i = y * w + x;
                if labels[i] != l {
                    continue;
                }
                let v = ld[i] as u64;
                a.rgb[0] += raw[3 * i] as u64;
                a.rgb[1] += raw[3 * i + 1] as u64;
                a.rgb[2] += raw[3 * i + 2] as u64;
                a.sur += means[i] as u64;
                a.lum += v;
                a.lum2 += v * v;
                a.extreme = if light {
                    a.extreme.max(ld[i])
                } else {
                    a.extreme.min(ld[i])
                };
                // boundary pixel: central-difference gradient across the edge
                let border = x == 0 || y == 0 || x + 1 == w || y + 1 == h;
                if !border
                    && (labels[i - 1] != l
                        || labels[i + 1] != l
                        || labels[i - w] != l
                        || labels[i + w] != l)
                {
                    let gx = (ld[i + 1] as i32 - ld[i - 1] as i32).abs();
                    let gy = (ld[i + w] as i32 - ld[i - w] as i32).abs();
                    a.edge += gx.max(gy) as u64;
                    a.edge_n += 1;
                }
            }
        }
        // Core ink: the pixels within a third of the contrast of the component's extreme
        // value. Thin strokes are mostly anti-aliased edge, so the plain mean would drift with
        // glyph shape; the core is the colour the text was drawn in.
        let surround = a.sur as f32 / c.area as f32;
        let reach = (a.extreme as f32 - surround).abs() / 3.0;
        for y in c.y0 as usize..=c.y1 as usize {
            for x in x0..x1 {
                let i = y * w + x;
                if labels[i] != l {
                    continue;
                }
                if (ld[i] as f32 - a.extreme as f32).abs() <= reach {
                    a.core_n += 1;
                    a.core_l += ld[i] as u64;
                    for c in 0..3 {
                        a.core_rgb[c] += raw[3 * i + c] as u64;
                    }
                }
            }
        }
    }
    for (k, c) in comps.iter().enumerate() {
        if !keep[k] {
            continue;
        }
        let a = &acc[k];
        let area = c.area as f32;
        let surround = a.sur as f32 / area;
        let core = a.core_n.max(1) as f32;
        let ink_luma = a.core_l as f32 / core;
        let mean_luma = a.lum as f32 / area;
        let contrast = (ink_luma - surround).abs();
        let spread = (a.lum2 as f32 / area - mean_luma * mean_luma)
            .max(0.0)
            .sqrt();
        let sharp = a.edge as f32 / a.edge_n.max(1) as f32 / contrast.max(1.0);
        // Rendered ink is one colour with crisp edges; texture blobs are neither.
        if spread > 0.45 * contrast + 6.0 || sharp < 0.45 {
            continue;
        }
        let under = ring_luma(&mask, ld, w, h, &c.bbox()).unwrap_or(surround);
        out.push(Glyph {
            bbox: c.bbox(),
            cx: c.cx(),
            cy: c.cy(),
            size: c.width().max(c.height()) as f32,
            stroke: c.stroke_width(),
            fill: area / (c.width() * c.height()) as f32,
            ink: [
                a.core_rgb[0] as f32 / core,
                a.core_rgb[1] as f32 / core,
                a.core_rgb[2] as f32 / core,
            ],
            ink_luma,
            surround,
            under,
            light,
        });
    }
}

/// Mean luma of the ring 2–3 px outside the component's box, leaving out ink of the same
/// polarity (`mask`: a neighbouring letter, or the glyph's own strokes where they touch the
/// box). The first pixel out is skipped: it is the stroke's anti-aliased rim and JPEG's
/// ringing. A box ring rather than one following the strokes: it reads only the box's
/// perimeter (a contour ring cost 8 % of the whole overlay analysis). `None` when the ring
/// lies outside the picture.
fn ring_luma(mask: &[bool], ld: &[u8], w: usize, h: usize, b: &PxBox) -> Option<f32> {
    let (x0, y0, x1, y1) = (b.x as i64, b.y as i64, b.x1() as i64, b.y1() as i64);
    let (mut sum, mut n) = (0u64, 0u32);
    for y in (y0 - 3).max(0)..(y1 + 3).min(h as i64) {
        let inner_row = y >= y0 - 1 && y < y1 + 1;
        let mut x = (x0 - 3).max(0);
        while x < (x1 + 3).min(w as i64) {
            if inner_row && x >= x0 - 1 && x < x1 + 1 {
                x = x1 + 1;
                continue;
            }
            let i = y as usize * w + x as usize;
            if !mask[i] {
                sum += ld[i] as u64;
                n += 1;
            }
            x += 1;
        }
    }
    (n > 0).then(|| sum as f32 / n as f32)
}

#[derive(Clone)]
struct Acc {
    rgb: [u64; 3],
    extreme: u8,
    core_n: u32,
    core_l: u64,
    core_rgb: [u64; 3],
    sur: u64,
    lum: u64,
    lum2: u64,
    edge: u64,
    edge_n: u64,
}

/// Every glyph candidate on `img` (both polarities); exposed for the probe example.
pub fn glyph_candidates(img: &RgbImage, luma: &Plane, means: &Plane) -> Vec<Glyph> {
    let mut gs = Vec::new();
    glyphs(img, luma, means, false, &mut gs);
    glyphs(img, luma, means, true, &mut gs);
    gs
}
