//! Small raster tools the overlay detectors share: a grey plane, local means, masks and (in
//! `regions`) connected components. Plain loops over plain vectors; no allocation per pixel.

use image::RgbImage;

mod regions;
pub use regions::{colour_regions, components, components_by, Component};

/// An 8-bit single-channel image, row-major.
#[derive(Debug, Clone)]
pub struct Plane {
    pub w: usize,
    pub h: usize,
    pub data: Vec<u8>,
}

impl Plane {
    #[inline]
    pub fn at(&self, x: usize, y: usize) -> u8 {
        self.data[y * self.w + x]
    }
}

/// BT.601 luma of one pixel, rounded (integer weights 77/150/29 of 256: within 1 level of the
/// float form).
pub fn pixel_luma(p: [u8; 3]) -> u8 {
    ((77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32 + 128) >> 8) as u8
}

/// BT.601 luma plane of a picture ([`pixel_luma`] of every pixel).
pub fn luma(img: &RgbImage) -> Plane {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let data = img
        .as_raw()
        .chunks_exact(3)
        .map(|p| pixel_luma([p[0], p[1], p[2]]))
        .collect();
    Plane { w, h, data }
}

/// Mean of the `(2r + 1)²` window around every pixel (clipped at the borders), rounded down:
/// the local reference text and finder binarisation compare against.
///
/// Running sums rather than a summed-area table (one column-sum update and one row-sum update
/// per pixel, no scattered reads), and the division by the window's pixel count as a multiply
/// by an exact reciprocal ([`div_exact`]): 4.3 → 1.3 ms on a 1000² plane, the same values.
pub fn local_means(p: &Plane, r: usize) -> Plane {
    let (w, h) = (p.w, p.h);
    let mut data = vec![0u8; w * h];
    if w == 0 || h == 0 {
        return Plane { w, h, data };
    }
    // cols[x]: sum of the window's rows y0..y1 in column x, kept current as y advances.
    let mut cols = vec![0u32; w];
    let (mut y0, mut y1) = (0, 0);
    // Window widths per x (clipped at the borders): the same for every row.
    let spans: Vec<(usize, usize)> = (0..w)
        .map(|x| (x.saturating_sub(r), (x + r + 1).min(w)))
        .collect();
    for y in 0..h {
        let (ny0, ny1) = (y.saturating_sub(r), (y + r + 1).min(h));
        while y1 < ny1 {
            for (c, &v) in cols.iter_mut().zip(&p.data[y1 * w..(y1 + 1) * w]) {
                *c += v as u32;
            }
            y1 += 1;
        }
        while y0 < ny0 {
            for (c, &v) in cols.iter_mut().zip(&p.data[y0 * w..(y0 + 1) * w]) {
                *c -= v as u32;
            }
            y0 += 1;
        }
        let rows = (y1 - y0) as u32;
        let out = &mut data[y * w..(y + 1) * w];
        let (mut s, mut a, mut b) = (0u32, 0usize, 0usize);
        let mut last_n = 0u32;
        let mut recip = 0u64;
        for (x, o) in out.iter_mut().enumerate() {
            let (x0, x1) = spans[x];
            while b < x1 {
                s += cols[b];
                b += 1;
            }
            while a < x0 {
                s -= cols[a];
                a += 1;
            }
            let n = (x1 - x0) as u32 * rows;
            if n != last_n {
                last_n = n;
                recip = reciprocal(n);
            }
            *o = div_exact(s, n, recip) as u8;
        }
    }
    Plane { w, h, data }
}

/// `⌊2^40 / n⌋ + 1`: with it, [`div_exact`] gives `⌊s / n⌋` exactly for every `s < 2^20`
/// and `n < 2^20` (the error `s·ε/2^40 < 2^-20` never reaches the next multiple of `1/n`).
fn reciprocal(n: u32) -> u64 {
    (1u64 << 40) / n.max(1) as u64 + 1
}

/// `⌊s / n⌋` by [`reciprocal`]`(n)` when `s < 2^20` (window sums of 8-bit values up to 4 112
/// pixels), by division otherwise.
#[inline(always)]
fn div_exact(s: u32, n: u32, recip: u64) -> u32 {
    if s < 1 << 20 {
        ((s as u64 * recip) >> 40) as u32
    } else {
        s / n.max(1)
    }
}

/// The value below which a share `p` of a 256-bin histogram's `n` counts lie.
pub fn quantile(hist: &[u32; 256], n: u32, p: f32) -> f32 {
    let target = (p * n as f32) as u32;
    let mut acc = 0;
    for (v, &c) in hist.iter().enumerate() {
        acc += c;
        if acc > target {
            return v as f32;
        }
    }
    255.0
}

/// An axis-aligned box in pixels: `[x0, x1) × [y0, y1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct PxBox {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl PxBox {
    pub fn from_bounds(x0: usize, y0: usize, x1: usize, y1: usize) -> Self {
        PxBox {
            x: x0 as u32,
            y: y0 as u32,
            width: x1.saturating_sub(x0) as u32,
            height: y1.saturating_sub(y0) as u32,
        }
    }
    pub fn x1(&self) -> u32 {
        self.x + self.width
    }
    pub fn y1(&self) -> u32 {
        self.y + self.height
    }
    pub fn area(&self) -> u64 {
        self.width as u64 * self.height as u64
    }
    pub fn union(&self, o: &PxBox) -> PxBox {
        let (x0, y0) = (self.x.min(o.x), self.y.min(o.y));
        let (x1, y1) = (self.x1().max(o.x1()), self.y1().max(o.y1()));
        PxBox::from_bounds(x0 as usize, y0 as usize, x1 as usize, y1 as usize)
    }
    pub fn intersection_area(&self, o: &PxBox) -> u64 {
        let w = self.x1().min(o.x1()).saturating_sub(self.x.max(o.x));
        let h = self.y1().min(o.y1()).saturating_sub(self.y.max(o.y));
        w as u64 * h as u64
    }
    /// Is at least `share` of this box's area inside `o`? (An empty box is inside nothing.)
    pub fn inside(&self, o: &PxBox, share: f32) -> bool {
        self.area() > 0 && self.intersection_area(o) as f32 >= share * self.area() as f32
    }
    /// Scale a box found on a reduced plane back to full-resolution pixels.
    pub fn scaled(&self, f: u32, w: u32, h: u32) -> PxBox {
        PxBox {
            x: (self.x * f).min(w),
            y: (self.y * f).min(h),
            width: (self.width * f).min(w - (self.x * f).min(w)),
            height: (self.height * f).min(h - (self.y * f).min(h)),
        }
    }
}

/// Average `f × f` blocks of an RGB image (the last partial blocks are dropped).
pub fn shrink_rgb(img: &RgbImage, f: u32) -> RgbImage {
    let (w, h) = (img.width() / f, img.height() / f);
    let raw = img.as_raw();
    let stride = img.width() as usize * 3;
    let (f, n) = (f as usize, f * f);
    let mut out = RgbImage::new(w.max(1), h.max(1));
    if w == 0 || h == 0 {
        return out;
    }
    let ow = w as usize;
    // Row by row: the f source rows are summed column-wise into `acc` (contiguous, so the
    // compiler vectorises it), then each output pixel adds f neighbouring sums and rounds.
    // Same integer sums as a per-block loop, without a bounds-checked put_pixel per pixel.
    let mut acc = vec![0u32; ow * f * 3];
    for (y, orow) in out.chunks_exact_mut(ow * 3).enumerate() {
        acc.iter_mut().for_each(|a| *a = 0);
        for dy in 0..f {
            let row = &raw[(y * f + dy) * stride..][..ow * f * 3];
            for (a, &v) in acc.iter_mut().zip(row) {
                *a += v as u32;
            }
        }
        for (x, o) in orow.chunks_exact_mut(3).enumerate() {
            let block = &acc[x * f * 3..(x + 1) * f * 3];
            for (c, o) in o.iter_mut().enumerate() {
                let s: u32 = block.iter().skip(c).step_by(3).sum();
                *o = if n.is_power_of_two() {
                    (s + n / 2) >> n.trailing_zeros()
                } else {
                    (s + n / 2) / n
                } as u8;
            }
        }
    }
    out
}

/// Dilate (`grow = true`) or erode a mask by a square of half-size `r` (separable, two passes).
pub fn morph(mask: &[bool], w: usize, h: usize, r: usize, grow: bool) -> Vec<bool> {
    if r == 0 || w == 0 || h == 0 {
        return mask.to_vec();
    }
    // Both passes slide a window count along rows in memory order (the vertical one keeps a
    // count per column), so every read is sequential.
    let keep = |count: u16, n: usize| if grow { count > 0 } else { count as usize == n };
    let mut a = vec![false; w * h];
    for y in 0..h {
        let src = &mask[y * w..(y + 1) * w];
        let out = &mut a[y * w..(y + 1) * w];
        let mut count = src[..r.min(w)].iter().filter(|&&b| b).count() as u16;
        for x in 0..w {
            if x + r < w {
                count += src[x + r] as u16;
            }
            if x > r {
                count -= src[x - r - 1] as u16;
            }
            let n = (x + r).min(w - 1) - x.saturating_sub(r) + 1;
            out[x] = keep(count, n);
        }
    }
    let mut out = vec![false; w * h];
    let mut counts = vec![0u16; w];
    for y in 0..r.min(h) {
        for (c, &b) in counts.iter_mut().zip(&a[y * w..(y + 1) * w]) {
            *c += b as u16;
        }
    }
    for y in 0..h {
        if y + r < h {
            for (c, &b) in counts.iter_mut().zip(&a[(y + r) * w..(y + r + 1) * w]) {
                *c += b as u16;
            }
        }
        if y > r {
            for (c, &b) in counts.iter_mut().zip(&a[(y - r - 1) * w..(y - r) * w]) {
                *c -= b as u16;
            }
        }
        let n = (y + r).min(h - 1) - y.saturating_sub(r) + 1;
        for (o, &c) in out[y * w..(y + 1) * w].iter_mut().zip(&counts) {
            *o = keep(c, n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Summed-area table of a plane: `(w + 1) × (h + 1)` sums, so any box mean is four reads.
    /// The reference definition [`local_means`] is tested against (it was the implementation
    /// before the running sums).
    struct Integral {
        w: usize,
        sums: Vec<u32>,
    }

    impl Integral {
        fn new(p: &Plane) -> Self {
            let w1 = p.w + 1;
            let mut sums = vec![0u32; w1 * (p.h + 1)];
            for y in 0..p.h {
                let mut row = 0u32;
                for x in 0..p.w {
                    row += p.data[y * p.w + x] as u32;
                    sums[(y + 1) * w1 + x + 1] = sums[y * w1 + x + 1] + row;
                }
            }
            Integral { w: w1, sums }
        }

        /// Sum over `[x0, x1) × [y0, y1)`.
        #[inline]
        fn sum(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> u32 {
            let w = self.w;
            self.sums[y1 * w + x1] + self.sums[y0 * w + x0]
                - self.sums[y0 * w + x1]
                - self.sums[y1 * w + x0]
        }

        /// Mean over the square of half-size `r` around (x, y), clipped to the image.
        #[inline]
        fn mean_around(&self, x: usize, y: usize, r: usize, pw: usize, ph: usize) -> u32 {
            let (x0, y0) = (x.saturating_sub(r), y.saturating_sub(r));
            let (x1, y1) = ((x + r + 1).min(pw), (y + r + 1).min(ph));
            let n = ((x1 - x0) * (y1 - y0)) as u32;
            self.sum(x0, y0, x1, y1) / n.max(1)
        }
    }

    /// The row-wise reduction equals the block-mean definition (rounded half up).
    #[test]
    fn shrink_rgb_equals_block_means() {
        let img = RgbImage::from_fn(37, 23, |x, y| {
            image::Rgb([(x * 7 + y * 3) as u8, (x * y) as u8, (255 - x * 5) as u8])
        });
        for f in [1u32, 2, 3, 4] {
            let got = shrink_rgb(&img, f);
            assert_eq!(got.dimensions(), (37 / f, 23 / f));
            for (x, y, p) in got.enumerate_pixels() {
                for c in 0..3 {
                    let mut s = 0u32;
                    for dy in 0..f {
                        for dx in 0..f {
                            s += img.get_pixel(x * f + dx, y * f + dy).0[c] as u32;
                        }
                    }
                    assert_eq!(p.0[c] as u32, (s + f * f / 2) / (f * f), "f{f} at {x},{y}");
                }
            }
        }
    }

    /// The running-sum means equal the summed-area definition (four reads and a division).
    #[test]
    fn local_means_equal_the_summed_area_definition() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for &(w, h, r) in &[
            (1, 1, 3),
            (7, 5, 1),
            (64, 48, 20),
            (37, 90, 20),
            (200, 3, 41),
            (50, 50, 0),
        ] {
            let data = (0..w * h)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 56) as u8
                })
                .collect();
            let p = Plane { w, h, data };
            let ii = Integral::new(&p);
            let got = local_means(&p, r);
            for y in 0..h {
                for x in 0..w {
                    assert_eq!(
                        got.data[y * w + x] as u32,
                        ii.mean_around(x, y, r, w, h),
                        "{w}x{h} r{r} at {x},{y}"
                    );
                }
            }
        }
        for n in 1..5000u32 {
            let m = reciprocal(n);
            for s in [
                0,
                1,
                n - 1,
                n,
                n + 1,
                255 * n,
                (1 << 20) - 1,
                1 << 20,
                u32::MAX / 2,
            ] {
                assert_eq!(div_exact(s, n, m), s / n, "{s}/{n}");
            }
        }
    }

    #[test]
    fn components_are_eight_connected_with_stats() {
        // two diagonal pixels touch (8-connected); a separate 2x2 block
        let (w, h) = (6, 4);
        let mut m = vec![false; w * h];
        m[0] = true;
        m[w + 1] = true;
        for (x, y) in [(4, 2), (5, 2), (4, 3), (5, 3)] {
            m[y * w + x] = true;
        }
        let (labels, comps) = components(&m, w, h);
        assert_eq!(comps.len(), 2);
        assert_eq!(labels[0], labels[w + 1]);
        assert_eq!(comps[0].area, 2);
        assert_eq!(comps[1].area, 4);
        assert_eq!(
            (comps[1].x0, comps[1].y0, comps[1].x1, comps[1].y1),
            (4, 2, 5, 3)
        );
    }

    #[test]
    fn u_shape_merges_into_one_component() {
        // a U whose arms are first seen as two runs
        let rows = ["x.x", "x.x", "xxx"];
        let m: Vec<bool> = rows
            .iter()
            .flat_map(|r| r.chars().map(|c| c == 'x'))
            .collect();
        let (_, comps) = components(&m, 3, 3);
        assert_eq!(comps.len(), 1);
        assert_eq!(comps[0].area, 7);
    }

    #[test]
    fn integral_box_sums() {
        let p = Plane {
            w: 3,
            h: 2,
            data: vec![1, 2, 3, 4, 5, 6],
        };
        let ii = Integral::new(&p);
        assert_eq!(ii.sum(0, 0, 3, 2), 21);
        assert_eq!(ii.sum(1, 1, 3, 2), 11);
        assert_eq!(ii.mean_around(1, 0, 1, 3, 2), 21 / 6);
    }

    #[test]
    fn morphology_grows_and_shrinks() {
        let (w, h) = (7, 7);
        let mut m = vec![false; w * h];
        m[3 * w + 3] = true;
        let d = morph(&m, w, h, 1, true);
        assert_eq!(d.iter().filter(|&&b| b).count(), 9);
        let e = morph(&d, w, h, 1, false);
        assert_eq!(e.iter().filter(|&&b| b).count(), 1);
    }
}
