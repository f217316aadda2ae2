//! The product's outline on a picture with a plain background: what the overlay detectors
//! place their findings against (on the background, across the outline, on the product).

use image::RgbImage;

use super::{raster, Placement};
use crate::compliance::background::Background;
use raster::PxBox;

/// The product's outline at half resolution (holes filled), when the picture has a plain
/// background.
pub struct ProductMask {
    pub w: usize,
    pub h: usize,
    pub mask: Vec<bool>,
    /// Foreground pixels outside frames and banners.
    fg: Vec<bool>,
    /// Set pixels in `mask`.
    pub area: usize,
    /// Foreground pixels (not background-coloured, outside frames and banners) that are
    /// 8-connected to the product's body: thin parts of the product (legs, antlers, a
    /// string, a stem) that the opening left out of `mask` are still attached to it, while
    /// letters pasted on the background stand apart.
    attached: Vec<bool>,
}

impl ProductMask {
    /// Share of the box's area (full-resolution coordinates) that lies on the product.
    pub fn share(&self, b: &PxBox) -> f32 {
        let (x0, y0, x1, y1) = self.half_bounds(b);
        if x1 <= x0 || y1 <= y0 {
            return 0.0;
        }
        let mut n = 0usize;
        for y in y0..y1 {
            n += self.mask[y * self.w + x0..y * self.w + x1]
                .iter()
                .filter(|&&v| v)
                .count();
        }
        n as f32 / ((x1 - x0) * (y1 - y0)) as f32
    }

    /// Is what the mask holds around this box (full-resolution coordinates) a piece of its
    /// own: every mask pixel connected to the box's pixels lies within the box (2 half-res
    /// pixels of slack), and the mask holds more outside it? A badge pasted on the background
    /// beside the product is foreground too, so it joins the mask as a second component; it
    /// touches nothing of the product.
    pub fn detached(&self, b: &PxBox) -> bool {
        let (w, h) = (self.w, self.h);
        let x0 = ((b.x / 2) as usize).saturating_sub(2);
        let y0 = ((b.y / 2) as usize).saturating_sub(2);
        let x1 = ((b.x1().div_ceil(2) as usize) + 2).min(w);
        let y1 = ((b.y1().div_ceil(2) as usize) + 2).min(h);
        if x1 <= x0 || y1 <= y0 {
            return false;
        }
        let mut seen = vec![false; w * h];
        let mut stack: Vec<usize> = Vec::new();
        for y in y0..y1 {
            for x in x0..x1 {
                let i = y * w + x;
                if self.mask[i] && !seen[i] {
                    seen[i] = true;
                    stack.push(i);
                }
            }
        }
        let inside = stack.len();
        if inside == 0 {
            return false;
        }
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            if x < x0 || x >= x1 || y < y0 || y >= y1 {
                return false;
            }
            for j in neighbours(i, w, h) {
                if self.mask[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        // the rest of the mask (the product itself) is larger than this piece
        self.area > 2 * inside
    }

    /// Is the box (full-resolution coordinates) drawn with the product's own foreground: at
    /// least half of its foreground pixels are attached to the product's body?
    pub fn attached(&self, b: &PxBox) -> bool {
        let (x0, y0, x1, y1) = self.half_bounds(b);
        let (mut fg, mut on) = (0usize, 0usize);
        for y in y0..y1 {
            for i in y * self.w + x0..y * self.w + x1 {
                fg += self.fg[i] as usize;
                on += self.attached[i] as usize;
            }
        }
        fg > 0 && 2 * on >= fg
    }

    fn half_bounds(&self, b: &PxBox) -> (usize, usize, usize, usize) {
        let (x0, y0) = (
            ((b.x / 2) as usize).min(self.w),
            ((b.y / 2) as usize).min(self.h),
        );
        let (x1, y1) = (
            (b.x1().div_ceil(2) as usize).min(self.w),
            (b.y1().div_ceil(2) as usize).min(self.h),
        );
        (x0, y0, x1.max(x0), y1.max(y0))
    }

    pub(super) fn place(&self, b: &PxBox) -> Placement {
        let s = self.share(b);
        if s <= 0.1 {
            Placement::Background
        } else if s >= 0.97 {
            Placement::OnProduct
        } else {
            Placement::AcrossProduct
        }
    }
}

/// The product outline of a picture with a plain background: the large foreground components
/// (those with at least a quarter of the largest one's area) with their holes filled, leaving
/// out `edges` (frames and banners found along the edges) and `drawn` (glyphs of text that
/// reads as drawn on the picture).
pub fn product_mask(
    small: &RgbImage,
    bg: &Background,
    delta: u8,
    edges: &[PxBox],
    drawn: &[PxBox],
) -> ProductMask {
    let (w, h) = (small.width() as usize, small.height() as usize);
    let clear = |fg: &mut [bool], boxes: &[PxBox]| {
        for b in boxes {
            let (x0, y0, x1, y1) = (
                ((b.x / 2) as usize).min(w),
                (b.y / 2) as usize,
                (b.x1().div_ceil(2) as usize).min(w),
                (b.y1().div_ceil(2) as usize).min(h),
            );
            for y in y0..y1 {
                for v in &mut fg[y * w + x0..y * w + x1.max(x0)] {
                    *v = false;
                }
            }
        }
    };
    let mut all = background_free(small, bg, delta);
    clear(&mut all, edges);
    let mut fg = all.clone();
    clear(&mut fg, drawn);
    // Thin things (text strokes, arrow shafts, hair-thin parts) are not the product's body:
    // an opening by 3 half-res pixels removes anything under ~12 px thick.
    let body = raster::morph(&raster::morph(&fg, w, h, 3, false), w, h, 3, true);
    let (labels, comps) = raster::components(&body, w, h);
    let largest = comps.iter().map(|c| c.area).max().unwrap_or(0);
    let keep: Vec<bool> = comps
        .iter()
        .map(|c| largest > 0 && c.area * 4 >= largest)
        .collect();
    let mut mask: Vec<bool> = labels
        .iter()
        .map(|&l| l > 0 && keep[(l - 1) as usize])
        .collect();
    fill_holes(&mut mask, w, h);
    let area = mask.iter().filter(|&&v| v).count();
    let attached = attached_to(&all, &mask, w, h);
    ProductMask {
        w,
        h,
        mask,
        fg: all,
        area,
        attached,
    }
}

/// The pixels of the 8-connected components of `fg` that touch `body`.
fn attached_to(fg: &[bool], body: &[bool], w: usize, h: usize) -> Vec<bool> {
    let (labels, comps) = raster::components(fg, w, h);
    let mut touches = vec![false; comps.len()];
    for (&l, &b) in labels.iter().zip(body) {
        if l > 0 && b {
            touches[(l - 1) as usize] = true;
        }
    }
    labels
        .iter()
        .map(|&l| l > 0 && touches[(l - 1) as usize])
        .collect()
}

fn background_free(small: &RgbImage, bg: &Background, delta: u8) -> Vec<bool> {
    let d = delta as f64;
    small
        .as_raw()
        .chunks_exact(3)
        .map(|p| (0..3).any(|c| (p[c] as f64 - bg.rgb[c]).abs() > d))
        .collect()
}

/// The 4-connected neighbours of pixel `i` in a `w`×`h` raster.
fn neighbours(i: usize, w: usize, h: usize) -> impl Iterator<Item = usize> {
    let (x, y) = (i % w, i / w);
    [
        (x > 0).then(|| i - 1),
        (x + 1 < w).then(|| i + 1),
        (y > 0).then(|| i - w),
        (y + 1 < h).then(|| i + w),
    ]
    .into_iter()
    .flatten()
}

/// Set every pixel that cannot reach the image border through unset pixels.
fn fill_holes(mask: &mut [bool], w: usize, h: usize) {
    let mut outside = vec![false; w * h];
    let mut stack = Vec::new();
    for x in 0..w {
        for y in [0, h - 1] {
            if !mask[y * w + x] && !outside[y * w + x] {
                outside[y * w + x] = true;
                stack.push(y * w + x);
            }
        }
    }
    for y in 0..h {
        for x in [0, w - 1] {
            if !mask[y * w + x] && !outside[y * w + x] {
                outside[y * w + x] = true;
                stack.push(y * w + x);
            }
        }
    }
    while let Some(i) = stack.pop() {
        for j in neighbours(i, w, h) {
            if !mask[j] && !outside[j] {
                outside[j] = true;
                stack.push(j);
            }
        }
    }
    for (m, o) in mask.iter_mut().zip(outside) {
        *m = !o;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn white() -> Background {
        Background {
            rgb: [255.0; 3],
            agreement: 1.0,
            flat: true,
            inset_px: 0,
            width_px: 4,
            pixels_used: 1,
            frame: None,
            disagreement_by_side: [0.0; 4],
        }
    }

    #[test]
    fn a_thin_leg_is_attached_to_the_product_and_a_letter_beside_it_is_not() {
        // half resolution: a 60×40 body, a 3-px leg hanging from it (thinner than the opening
        // keeps), and a 3-px stroke standing apart on the background
        let mut small = RgbImage::from_pixel(200, 200, Rgb([255, 255, 255]));
        for (x, y, p) in small.enumerate_pixels_mut() {
            let body = (40..100).contains(&x) && (40..80).contains(&y);
            let leg = (60..63).contains(&x) && (80..130).contains(&y);
            let letter = (150..153).contains(&x) && (100..130).contains(&y);
            if body || leg || letter {
                *p = Rgb([90, 60, 30]);
            }
        }
        let m = product_mask(&small, &white(), 24, &[], &[]);
        // full-resolution boxes around the leg's lower part and the letter
        let leg = PxBox::from_bounds(116, 200, 130, 260);
        let letter = PxBox::from_bounds(296, 200, 310, 260);
        assert!(
            m.share(&leg) <= 0.5,
            "the opening leaves the leg out of the body"
        );
        assert!(m.attached(&leg));
        assert!(!m.attached(&letter));
        // a box on the empty background is not attached either
        assert!(!m.attached(&PxBox::from_bounds(10, 300, 40, 340)));
    }
}
