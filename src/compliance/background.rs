//! Measuring the background: the colour of the flat region around the subject, read from a
//! ring along the image border (after skipping a uniform frame of another colour, such as a
//! promotional border), and the foreground mask of everything that differs from it.

use image::RgbImage;
use serde::Serialize;

/// A uniform frame around the image that was skipped before measuring the background.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frame {
    pub rgb: [u8; 3],
    pub thickness_px: u32,
}

/// The measured background of one image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Background {
    /// Mean colour of the ring pixels that agree with the ring's dominant colour.
    pub rgb: [f64; 3],
    /// Share of the ring's pixels within tolerance of that colour.
    pub agreement: f64,
    /// `agreement` ≥ the policy's minimum: the image has a flat background.
    pub flat: bool,
    /// The ring measured: `width_px` wide, starting `inset_px` from every edge.
    pub inset_px: u32,
    pub width_px: u32,
    /// Number of pixels averaged into `rgb`.
    pub pixels_used: u64,
    pub frame: Option<Frame>,
    /// Share of ring pixels that disagree, per side (top, right, bottom, left): where the
    /// subject or an overlay touches the border.
    pub disagreement_by_side: [f64; 4],
}

impl Background {
    /// A short description of which pixels were used, for messages.
    pub fn pixels_description(&self) -> String {
        let frame = match &self.frame {
            Some(f) => format!(
                " after skipping a {}-px frame of RGB({},{},{})",
                f.thickness_px, f.rgb[0], f.rgb[1], f.rgb[2]
            ),
            None => String::new(),
        };
        format!(
            "{} pixels of a {}-px ring along the border{frame} ({:.0} % of the ring agreed)",
            self.pixels_used,
            self.width_px,
            self.agreement * 100.0
        )
    }
}

fn within(a: &[u8; 3], b: &[f64; 3], tol: f64) -> bool {
    (0..3).all(|c| (a[c] as f64 - b[c]).abs() <= tol)
}

/// Visit the pixels of the ring `[inset, inset + width)` from each edge, with a side index
/// and the pixel's coordinates
/// (0 top, 1 right, 2 bottom, 3 left). Corners belong to top/bottom. Only ring pixels are
/// touched: the interior is never visited.
fn for_ring_at(
    img: &RgbImage,
    inset: u32,
    width: u32,
    mut f: impl FnMut(usize, u32, u32, &[u8; 3]),
) {
    let (w, h) = img.dimensions();
    if w <= 2 * inset || h <= 2 * inset {
        return;
    }
    let (x0, y0, x1, y1) = (
        inset as usize,
        inset as usize,
        (w - inset) as usize,
        (h - inset) as usize,
    );
    let width = (width as usize)
        .min((x1 - x0) / 2)
        .min((y1 - y0) / 2)
        .max(1);
    let raw = img.as_raw();
    let stride = w as usize * 3;
    let px = |x: usize, y: usize| -> [u8; 3] {
        let i = y * stride + x * 3;
        [raw[i], raw[i + 1], raw[i + 2]]
    };
    for y in y0..y1 {
        let side = if y < y0 + width {
            Some(0)
        } else if y >= y1 - width {
            Some(2)
        } else {
            None
        };
        match side {
            Some(s) => {
                for x in x0..x1 {
                    f(s, x as u32, y as u32, &px(x, y));
                }
            }
            None => {
                for x in x0..x0 + width {
                    f(3, x as u32, y as u32, &px(x, y));
                }
                for x in x1 - width..x1 {
                    f(1, x as u32, y as u32, &px(x, y));
                }
            }
        }
    }
}

/// Pixels left out of a measurement (e.g. where the main image differs from the hidden image:
/// its overlays).
pub type Skip<'a> = &'a dyn Fn(u32, u32) -> bool;

/// Dominant colour of a ring: the fullest 5-bit-per-channel bin, refined to its mean.
fn ring_mode(img: &RgbImage, inset: u32, width: u32, skip: Option<Skip>) -> Option<[f64; 3]> {
    let mut bins = vec![0u32; 1 << 15];
    let key = |p: &[u8; 3]| {
        ((p[0] as usize >> 3) << 10) | ((p[1] as usize >> 3) << 5) | (p[2] as usize >> 3)
    };
    let keep = |x: u32, y: u32| skip.is_none_or(|s| !s(x, y));
    for_ring_at(img, inset, width, |_, x, y, p| {
        if keep(x, y) {
            bins[key(p)] += 1
        }
    });
    let (best, &count) = bins.iter().enumerate().max_by_key(|(_, &c)| c)?;
    if count == 0 {
        return None;
    }
    let mut sum = [0f64; 3];
    let mut n = 0f64;
    for_ring_at(img, inset, width, |_, x, y, p| {
        if keep(x, y) && key(p) == best {
            for c in 0..3 {
                sum[c] += p[c] as f64;
            }
            n += 1.0;
        }
    });
    Some([sum[0] / n, sum[1] / n, sum[2] / n])
}

/// Thickness of a uniform frame of colour `rgb` (≥ 97 % of each edge line within `tol`).
/// Every other pixel of a line is sampled: a 97 % uniformity test needs no more, and on white
/// product shots the walk runs ~100 lines deep before it meets the product.
fn frame_thickness(img: &RgbImage, rgb: &[f64; 3], tol: f64, max_depth: u32) -> u32 {
    let (w, h) = img.dimensions();
    let raw = img.as_raw();
    let stride = w as usize * 3;
    let px = |x: u32, y: u32| -> [u8; 3] {
        let i = y as usize * stride + x as usize * 3;
        [raw[i], raw[i + 1], raw[i + 2]]
    };
    let line_ok = |d: u32| {
        let mut total = 0u64;
        let mut good = 0u64;
        let mut count = |p: &[u8; 3]| {
            total += 1;
            if within(p, rgb, tol) {
                good += 1;
            }
        };
        for x in (d..w - d).step_by(2) {
            count(&px(x, d));
            count(&px(x, h - 1 - d));
        }
        for y in (d..h - d).step_by(2) {
            count(&px(d, y));
            count(&px(w - 1 - d, y));
        }
        good as f64 >= 0.97 * total as f64
    };
    let mut d = 0;
    while d < max_depth && line_ok(d) {
        d += 1;
    }
    d
}

/// Measure the background of `img`. `tol` is the per-channel tolerance (levels) for "same
/// colour"; `min_agreement` decides `flat`.
pub fn measure(img: &RgbImage, tol: u8, min_agreement: f64) -> Option<Background> {
    measure_skipping(img, tol, min_agreement, None)
}

/// [`measure`] leaving out the ring pixels `skip` names (the main image's overlays, found by
/// the pair difference), so a banner along an edge is not taken for the background. Falls back
/// to all pixels when fewer than a third of the ring would remain.
pub fn measure_skipping(
    img: &RgbImage,
    tol: u8,
    min_agreement: f64,
    skip: Option<Skip>,
) -> Option<Background> {
    if let Some(sk) = skip {
        let (mut kept, mut all) = (0u64, 0u64);
        let (w, h) = img.dimensions();
        let ring_w = (w.min(h) / 50).clamp(2, 24);
        for_ring_at(img, 0, ring_w, |_, x, y, _| {
            all += 1;
            kept += !sk(x, y) as u64;
        });
        if kept * 3 < all {
            return measure_skipping(img, tol, min_agreement, None);
        }
    }
    let (w, h) = img.dimensions();
    let min_side = w.min(h);
    if min_side < 4 {
        return None;
    }
    let tol = tol as f64;
    let ring_w = (min_side / 50).clamp(2, 24);
    let outer = ring_mode(img, 0, ring_w, skip)?;
    // A frame: the border lines are uniform colour A for t px, and the ring inside is uniform
    // in a clearly different colour B.
    let max_depth = min_side / 6;
    let t = frame_thickness(img, &outer, tol, max_depth);
    let mut inset = 0;
    let mut frame = None;
    if t >= 1 && t < max_depth {
        if let Some(inner) = ring_mode(img, t, ring_w, skip) {
            let differs = (0..3).any(|c| (inner[c] - outer[c]).abs() > 3.0 * tol);
            if differs {
                inset = t;
                frame = Some(Frame {
                    rgb: [
                        outer[0].round() as u8,
                        outer[1].round() as u8,
                        outer[2].round() as u8,
                    ],
                    thickness_px: t,
                });
            }
        }
    }
    let mode = if inset > 0 {
        ring_mode(img, inset, ring_w, skip)?
    } else {
        outer
    };
    ring_background(img, (inset, ring_w), mode, tol, min_agreement, skip, frame)
}

/// The background of `img` read on the same ring as `like` (another picture's measurement:
/// same inset, so a frame skipped there is skipped here too) and without the pixels `skip`
/// names. The pair's background rule compares the hidden image with the main image on the
/// same pixels: on a textured border, two different sets of pixels have different dominant
/// colours even in one picture.
pub fn measure_like(
    img: &RgbImage,
    like: &Background,
    tol: u8,
    min_agreement: f64,
    skip: Option<Skip>,
) -> Option<Background> {
    let (w, h) = img.dimensions();
    let min_side = w.min(h);
    let inset = like.inset_px;
    if min_side < 4 || 2 * (inset + 1) >= min_side {
        return None;
    }
    let ring_w = (min_side / 50).clamp(2, 24);
    let mode = ring_mode(img, inset, ring_w, skip)?;
    ring_background(
        img,
        (inset, ring_w),
        mode,
        tol as f64,
        min_agreement,
        skip,
        None,
    )
}

/// Mean colour of the ring pixels within `tol` of `mode`, and how many agree.
fn ring_background(
    img: &RgbImage,
    (inset, ring_w): (u32, u32),
    mode: [f64; 3],
    tol: f64,
    min_agreement: f64,
    skip: Option<Skip>,
    frame: Option<Frame>,
) -> Option<Background> {
    let (w, h) = img.dimensions();
    let mut sum = [0f64; 3];
    let mut used = 0u64;
    let mut total = 0u64;
    let mut side_total = [0u64; 4];
    let mut side_bad = [0u64; 4];
    for_ring_at(img, inset, ring_w, |side, x, y, p| {
        if skip.is_some_and(|s| s(x, y)) {
            return;
        }
        total += 1;
        side_total[side] += 1;
        if within(p, &mode, tol) {
            for c in 0..3 {
                sum[c] += p[c] as f64;
            }
            used += 1;
        } else {
            side_bad[side] += 1;
        }
    });
    if used == 0 {
        return None;
    }
    let agreement = used as f64 / total as f64;
    let mut disagreement_by_side = [0.0; 4];
    for s in 0..4 {
        if side_total[s] > 0 {
            disagreement_by_side[s] = side_bad[s] as f64 / side_total[s] as f64;
        }
    }
    Some(Background {
        rgb: [
            sum[0] / used as f64,
            sum[1] / used as f64,
            sum[2] / used as f64,
        ],
        agreement,
        flat: agreement >= min_agreement,
        inset_px: inset,
        width_px: ring_w
            .min((w - 2 * inset) / 2)
            .min((h - 2 * inset) / 2)
            .max(1),
        pixels_used: used,
        frame,
        disagreement_by_side,
    })
}

/// Foreground mask: a pixel is foreground when some channel differs from the background colour
/// by more than `delta`. Pixels inside a skipped frame are background.
pub fn foreground_mask(img: &RgbImage, bg: &Background, delta: u8) -> Vec<bool> {
    let (w, h) = img.dimensions();
    let (w, h, inset) = (w as usize, h as usize, bg.inset_px as usize);
    // Integer bounds per channel: foreground iff v < lo or v > hi (|v − bg| > delta).
    let d = delta as f64;
    let lo: [i32; 3] = std::array::from_fn(|c| (bg.rgb[c] - d).ceil() as i32);
    let hi: [i32; 3] = std::array::from_fn(|c| (bg.rgb[c] + d).floor() as i32);
    let mut mask = vec![false; w * h];
    let raw = img.as_raw();
    let x1 = w.saturating_sub(inset);
    if x1 <= inset {
        return mask;
    }
    for y in inset..h.saturating_sub(inset) {
        let row = &raw[(y * w + inset) * 3..(y * w + x1) * 3];
        let out = &mut mask[y * w + inset..y * w + x1];
        for (o, p) in out.iter_mut().zip(row.chunks_exact(3)) {
            let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
            *o = (r < lo[0]) | (r > hi[0]) | (g < lo[1]) | (g > hi[1]) | (b < lo[2]) | (b > hi[2]);
        }
    }
    mask
}

/// Bounding box (x, y, width, height) of the mask, ignoring rows/columns with fewer than
/// `min_count` foreground pixels (isolated JPEG speckles).
pub fn bounding_box(mask: &[bool], w: u32, h: u32, min_count: u32) -> Option<(u32, u32, u32, u32)> {
    let mut rows = vec![0u32; h as usize];
    let mut cols = vec![0u32; w as usize];
    for y in 0..h as usize {
        for x in 0..w as usize {
            if mask[y * w as usize + x] {
                rows[y] += 1;
                cols[x] += 1;
            }
        }
    }
    let y0 = rows.iter().position(|&c| c >= min_count)? as u32;
    let y1 = rows.iter().rposition(|&c| c >= min_count)? as u32;
    let x0 = cols.iter().position(|&c| c >= min_count)? as u32;
    let x1 = cols.iter().rposition(|&c| c >= min_count)? as u32;
    Some((x0, y0, x1 - x0 + 1, y1 - y0 + 1))
}

/// Intersection over union of two masks over the common top-left `w × h` area.
pub fn iou(a: &[bool], aw: u32, b: &[bool], bw: u32, w: u32, h: u32) -> Option<f64> {
    let mut inter = 0u64;
    let mut union = 0u64;
    for y in 0..h as usize {
        for x in 0..w as usize {
            let pa = a[y * aw as usize + x];
            let pb = b[y * bw as usize + x];
            inter += (pa && pb) as u64;
            union += (pa || pb) as u64;
        }
    }
    (union > 0).then(|| inter as f64 / union as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn product(w: u32, h: u32, bg: [u8; 3]) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
            let r = ((x as f64 - cx).powi(2) + (y as f64 - cy).powi(2)).sqrt();
            if r < w.min(h) as f64 * 0.3 {
                Rgb([40, 90, 160])
            } else {
                Rgb(bg)
            }
        })
    }

    #[test]
    fn white_background_is_measured_exactly() {
        let bg = measure(&product(200, 100, [255, 255, 255]), 12, 0.6).unwrap();
        assert_eq!(bg.rgb, [255.0, 255.0, 255.0]);
        assert_eq!(bg.agreement, 1.0);
        assert!(bg.flat);
        assert!(bg.frame.is_none());
    }

    #[test]
    fn a_red_frame_is_skipped() {
        let mut img = product(300, 300, [250, 250, 250]);
        for (x, y, p) in img.enumerate_pixels_mut() {
            if x < 10 || y < 10 || x >= 290 || y >= 290 {
                *p = Rgb([200, 0, 0]);
            }
        }
        let bg = measure(&img, 12, 0.6).unwrap();
        assert_eq!(bg.rgb, [250.0, 250.0, 250.0]);
        assert_eq!(
            bg.frame,
            Some(Frame {
                rgb: [200, 0, 0],
                thickness_px: 10
            })
        );
        assert_eq!(bg.inset_px, 10);
    }

    #[test]
    fn mask_iou_and_bbox() {
        let img = product(100, 100, [255, 255, 255]);
        let bg = measure(&img, 12, 0.6).unwrap();
        let m = foreground_mask(&img, &bg, 24);
        let (x, y, w, h) = bounding_box(&m, 100, 100, 1).unwrap();
        assert_eq!((x, y, w, h), (21, 21, 59, 59));
        assert_eq!(iou(&m, 100, &m, 100, 100, 100), Some(1.0));
    }
}
