//! The diff heatmap: local SSIM on a fixed, labelled, colour-blind-safe scale (viridis:
//! perceptually uniform, monotonic lightness, readable with red–green colour blindness).
//! The scale is fixed — SSIM 1.0 is always the darkest colour and 0.0 (or below) the brightest —
//! so two heatmaps can be compared by eye. A legend strip with tick labels is drawn below.

use image::{Rgb, RgbImage};

use super::ssim::SsimMap;

/// Viridis, as the 6th-order polynomial fit widely used for shaders (error < 1/255 per channel).
pub fn viridis(t: f32) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    let c: [[f32; 3]; 7] = [
        [0.277_727_33, 0.005_407_344_5, 0.334_099_8],
        [0.105_093_04, 1.404_613_5, 1.384_590_2],
        [-0.330_861_83, 0.214_847_56, 0.095_095_16],
        [-4.634_230_5, -5.799_101, -19.332_441],
        [6.228_27, 14.179_933, 56.690_55],
        [4.776_385, -13.745_145, -65.353_03],
        [-5.435_456, 4.645_852_6, 26.312_435],
    ];
    let mut out = [0u8; 3];
    for (ch, o) in out.iter_mut().enumerate() {
        let mut v = c[6][ch];
        for k in (0..6).rev() {
            v = c[k][ch] + t * v;
        }
        *o = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    }
    out
}

/// Colour for a local SSIM value: 1.0 → t = 0 (dark), ≤ 0.0 → t = 1 (bright yellow).
pub fn colour_for_ssim(s: f32) -> [u8; 3] {
    viridis(1.0 - s.clamp(0.0, 1.0))
}

/// How the heatmap is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeatmapStyle {
    /// Blend the colours over a greyscale copy of the main image with this opacity (0 = map
    /// only). 0.65 keeps the product recognisable under the colours.
    pub blend_over_main: Option<f32>,
    /// Leave out the legend strip (the web page draws its own legend beside an overlay that
    /// must be exactly the image's size).
    pub no_legend: bool,
}

const LEGEND_H: u32 = 28;

/// Render the heatmap for an image of `width × height` (the map's border pixels take their
/// nearest valid value), with a legend strip below.
pub fn render(
    map: &SsimMap,
    width: u32,
    height: u32,
    main: Option<&RgbImage>,
    style: HeatmapStyle,
) -> RgbImage {
    let legend_h = if style.no_legend { 0 } else { LEGEND_H };
    let mut out = RgbImage::new(width, height + legend_h);
    for y in 0..height {
        for x in 0..width {
            let s = map.at_image(x as usize, y as usize);
            let mut c = colour_for_ssim(s);
            if let (Some(alpha), Some(m)) = (style.blend_over_main, main) {
                let p = m.get_pixel(x.min(m.width() - 1), y.min(m.height() - 1));
                let grey = 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32;
                for ch in &mut c {
                    *ch = (alpha * *ch as f32 + (1.0 - alpha) * grey).round() as u8;
                }
            }
            out.put_pixel(x, y, Rgb(c));
        }
    }
    if !style.no_legend {
        draw_legend(&mut out, height, width);
    }
    out
}

fn draw_legend(img: &mut RgbImage, top: u32, width: u32) {
    for y in top..top + LEGEND_H {
        for x in 0..width {
            img.put_pixel(x, y, Rgb([255, 255, 255]));
        }
    }
    // Colour bar: left = SSIM 1.0, right = 0.0.
    let (bx0, bx1) = (4u32, width.saturating_sub(4).max(5));
    for x in bx0..bx1 {
        let s = 1.0 - (x - bx0) as f32 / (bx1 - bx0 - 1).max(1) as f32;
        let c = colour_for_ssim(s);
        for y in top + 2..top + 12 {
            img.put_pixel(x, y, Rgb(c));
        }
    }
    let label_at = |s: f32| bx0 + ((1.0 - s) * (bx1 - bx0 - 1) as f32).round() as u32;
    for (s, text) in [(1.0, "1.0"), (0.92, "0.92"), (0.5, "0.5"), (0.0, "0.0")] {
        let x = label_at(s);
        for y in top + 12..top + 15 {
            if x < width {
                img.put_pixel(x, y, Rgb([0, 0, 0]));
            }
        }
        // End labels align inwards so they are never clipped; inner labels centre on their tick.
        let tw = text_width(text);
        let tx = if s >= 1.0 {
            bx0
        } else if s <= 0.0 {
            bx1.saturating_sub(tw)
        } else {
            x.saturating_sub(tw / 2)
        };
        draw_text(img, tx.min(width.saturating_sub(tw)), top + 17, text);
    }
    // Title between the 0.92 and 0.5 ticks, clear of both labels.
    if width > 200 {
        let tx = (label_at(0.92) + label_at(0.5)) / 2;
        draw_text(
            img,
            tx.saturating_sub(text_width("SSIM") / 2),
            top + 17,
            "SSIM",
        );
    }
}

/// 3×5 bitmap glyphs for the legend (digits, '.', and the letters of "SSIM").
fn glyph(c: char) -> [u8; 5] {
    match c {
        '0' => [0b111, 0b101, 0b101, 0b101, 0b111],
        '1' => [0b010, 0b110, 0b010, 0b010, 0b111],
        '2' => [0b111, 0b001, 0b111, 0b100, 0b111],
        '5' => [0b111, 0b100, 0b111, 0b001, 0b111],
        '9' => [0b111, 0b101, 0b111, 0b001, 0b111],
        '.' => [0b000, 0b000, 0b000, 0b000, 0b010],
        'S' => [0b111, 0b100, 0b111, 0b001, 0b111],
        'I' => [0b111, 0b010, 0b010, 0b010, 0b111],
        'M' => [0b101, 0b111, 0b111, 0b101, 0b101],
        _ => [0; 5],
    }
}

fn text_width(t: &str) -> u32 {
    t.chars().count() as u32 * 4 * 2
}

/// Draw `t` at 2× scale (6×10 px glyphs) in black.
fn draw_text(img: &mut RgbImage, x0: u32, y0: u32, t: &str) {
    for (i, ch) in t.chars().enumerate() {
        let g = glyph(ch);
        for (gy, row) in g.iter().enumerate() {
            for gx in 0..3 {
                if row & (0b100 >> gx) != 0 {
                    for dy in 0..2 {
                        for dx in 0..2 {
                            let x = x0 + i as u32 * 8 + gx * 2 + dx;
                            let y = y0 + gy as u32 * 2 + dy;
                            if x < img.width() && y < img.height() {
                                img.put_pixel(x, y, Rgb([0, 0, 0]));
                            }
                        }
                    }
                }
            }
        }
    }
}
