//! FAST-9 corners (the keypoints of `super::local`): a pixel is a corner when 9 consecutive
//! points of the 16 on a radius-3 circle are all brighter, or all darker, than it by more than a
//! threshold; scored by the summed excess, thinned by 3×3 non-maximum suppression.

use image::GrayImage;

/// Brightness difference a circle point needs to count as brighter or darker.
pub const FAST_THRESHOLD: i16 = 12;

const CIRCLE: [(i32, i32); 16] = [
    (0, -3),
    (1, -3),
    (2, -2),
    (3, -1),
    (3, 0),
    (3, 1),
    (2, 2),
    (1, 3),
    (0, 3),
    (-1, 3),
    (-2, 2),
    (-3, 1),
    (-3, 0),
    (-3, -1),
    (-2, -2),
    (-1, -3),
];

/// `true` when the 16-bit circular mask has 9 consecutive set bits.
#[inline(always)]
fn has_arc9(mask: u16) -> bool {
    let m = (mask as u32) | ((mask as u32) << 16);
    let mut run = m;
    for k in 1..9 {
        run &= m >> k;
    }
    run != 0
}

/// One circle point's pass over a row: its bit in the brighter / darker masks and its excess
/// added to the scores. Equal-length slices and an index loop, so the compiler vectorises it.
#[inline(always)]
fn ring_pass(
    centre: &[u8],
    ring: &[u8],
    k: u32,
    mb: &mut [u16],
    md: &mut [u16],
    sb: &mut [i16],
    sd: &mut [i16],
) {
    let n = centre.len();
    let (ring, mb, md, sb, sd) = (
        &ring[..n],
        &mut mb[..n],
        &mut md[..n],
        &mut sb[..n],
        &mut sd[..n],
    );
    for x in 0..n {
        let (c, v) = (centre[x] as i16, ring[x] as i16);
        let (hi, lo) = (c + FAST_THRESHOLD, c - FAST_THRESHOLD);
        let (brighter, darker) = (v > hi, v < lo);
        mb[x] |= (brighter as u16) << k;
        md[x] |= (darker as u16) << k;
        sb[x] += if brighter { v - hi } else { 0 };
        sd[x] += if darker { lo - v } else { 0 };
    }
}

/// A row's FAST scores from its masks and sums: the brighter score where the brighter mask has
/// a 9-point arc, else the darker one where it has, else 0. Branch-free, so it vectorises.
#[inline(always)]
fn arc_scores(mb: &[u16], md: &[u16], sb: &[i16], sd: &[i16], out: &mut [i32]) {
    let n = out.len();
    let (mb, md, sb, sd) = (&mb[..n], &md[..n], &sb[..n], &sd[..n]);
    for x in 0..n {
        let (ab, ad) = (has_arc9(mb[x]), has_arc9(md[x]));
        let b = (sb[x] as i32).max(1);
        let d = (sd[x] as i32).max(1);
        out[x] = if ab {
            b
        } else if ad {
            d
        } else {
            0
        };
    }
}

/// FAST-9 corners with a sum-of-differences score, 3×3 non-maximum suppression.
///
/// Row at a time, as plain slice arithmetic the compiler vectorises: for each of the 16 circle
/// points, one pass over the row sets its bit in the brighter / darker masks and adds its
/// excess to the two scores; then each pixel's masks are tested for a 9-point arc. Same corners
/// and scores as testing pixel by pixel (the classic four-compass-point pre-test is not needed:
/// any 9 consecutive circle points include two compass points, so it never rejected a corner).
///
/// On x86-64 CPUs with AVX2 the same safe code runs compiled for AVX2 (sixteen 16-bit lanes
/// instead of SSE2's eight), chosen at run time; [`fast_portable`] is the baseline build,
/// tested equal.
pub fn fast(img: &GrayImage, margin: i32) -> Vec<(i32, i32, i32)> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        return avx2::fast(img, margin);
    }
    fast_impl(img, margin)
}

/// The baseline build of [`fast`] (the twin its AVX2 instance is tested against).
pub fn fast_portable(img: &GrayImage, margin: i32) -> Vec<(i32, i32, i32)> {
    fast_impl(img, margin)
}

/// The third place `unsafe` is allowed: one call into the AVX2 instance of [`fast_impl`].
/// Earned by measurement (docs/benchmarks.md): FAST was the largest single cost of a
/// catalogue scan's analysis (13 % of a `--hashes-only` scan's CPU).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod avx2 {
    use image::GrayImage;

    #[target_feature(enable = "avx2")]
    fn fast_avx2(img: &GrayImage, margin: i32) -> Vec<(i32, i32, i32)> {
        super::fast_impl(img, margin)
    }

    pub fn fast(img: &GrayImage, margin: i32) -> Vec<(i32, i32, i32)> {
        assert!(
            std::arch::is_x86_feature_detected!("avx2"),
            "AVX2 kernel called on a CPU without AVX2"
        );
        // SAFETY: `fast_avx2` only requires AVX2, checked at run time on the line above; it
        // has no other preconditions (safe Rust inside).
        unsafe { fast_avx2(img, margin) }
    }
}

#[inline(always)]
fn fast_impl(img: &GrayImage, margin: i32) -> Vec<(i32, i32, i32)> {
    let (w, h) = (img.width() as i32, img.height() as i32);
    if w <= 2 * margin || h <= 2 * margin {
        return Vec::new();
    }
    let mut score = vec![0i32; (w * h) as usize];
    let (wu, x0, x1) = (w as usize, margin as usize, (w - margin) as usize);
    let n = x1 - x0;
    let raw = img.as_raw();
    let (mut mb, mut md) = (vec![0u16; n], vec![0u16; n]);
    let (mut sb, mut sd) = (vec![0i16; n], vec![0i16; n]);
    for y in margin..h - margin {
        let yu = y as usize;
        let centre = &raw[yu * wu + x0..yu * wu + x1];
        mb.iter_mut().for_each(|v| *v = 0);
        md.iter_mut().for_each(|v| *v = 0);
        sb.iter_mut().for_each(|v| *v = 0);
        sd.iter_mut().for_each(|v| *v = 0);
        for (k, &(dx, dy)) in CIRCLE.iter().enumerate() {
            let at = (yu as isize + dy as isize) as usize * wu;
            let from = (x0 as isize + dx as isize) as usize;
            let ring = &raw[at + from..at + from + n];
            ring_pass(centre, ring, k as u32, &mut mb, &mut md, &mut sb, &mut sd);
        }
        let out = &mut score[yu * wu + x0..yu * wu + x1];
        arc_scores(&mb, &md, &sb, &sd, out);
    }
    let mut out = Vec::new();
    for y in margin..h - margin {
        for x in margin..w - margin {
            let s = score[(y * w + x) as usize];
            if s == 0 {
                continue;
            }
            let mut is_max = true;
            'n: for dy in -1..=1 {
                for dx in -1..=1 {
                    if (dx, dy) == (0, 0) {
                        continue;
                    }
                    let t = score[((y + dy) * w + x + dx) as usize];
                    // Ties broken by position so the result is deterministic and symmetric enough.
                    if t > s || (t == s && (dy < 0 || (dy == 0 && dx < 0))) {
                        is_max = false;
                        break 'n;
                    }
                }
            }
            if is_max {
                out.push((x, y, s));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row-wise FAST equals the pixel-by-pixel definition (every circle point tested, the
    /// same scores) on noise and on blocky shapes, before non-maximum suppression is applied
    /// (compared after it, which both share).
    #[test]
    fn fast_equals_the_pixel_by_pixel_definition() {
        let mut corners = 0;
        let mut seed = 0x1234_5678u32;
        let mut rnd = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for (w, h) in [(40u32, 40u32), (97, 61), (36, 36), (37, 200)] {
            let blocks: Vec<u8> = (0..64).map(|_| (rnd() >> 24) as u8).collect();
            let img = GrayImage::from_fn(w, h, |x, y| {
                let b = blocks[((x / 7 + 8 * (y / 5)) % 64) as usize];
                image::Luma([b.saturating_add((rnd() >> 29) as u8)])
            });
            let (wi, hi) = (w as i32, h as i32);
            let px = |x: i32, y: i32| img.get_pixel(x as u32, y as u32)[0] as i16;
            let margin = 18; // PATCH + 3, as the features use
            let mut want = Vec::new();
            let mut score = vec![0i32; (w * h) as usize];
            for y in margin..hi - margin {
                for x in margin..wi - margin {
                    let c = px(x, y);
                    let (th, tl) = (c + FAST_THRESHOLD, c - FAST_THRESHOLD);
                    let (mut mb, mut md, mut s_b, mut s_d) = (0u16, 0u16, 0i32, 0i32);
                    for (k, &(dx, dy)) in CIRCLE.iter().enumerate() {
                        let v = px(x + dx, y + dy);
                        if v > th {
                            mb |= 1 << k;
                            s_b += (v - th) as i32;
                        } else if v < tl {
                            md |= 1 << k;
                            s_d += (tl - v) as i32;
                        }
                    }
                    let at = (y * wi + x) as usize;
                    if has_arc9(mb) {
                        score[at] = s_b.max(1);
                    } else if has_arc9(md) {
                        score[at] = s_d.max(1);
                    }
                }
            }
            for y in margin..hi - margin {
                for x in margin..wi - margin {
                    let s = score[(y * wi + x) as usize];
                    let beaten = (-1..=1)
                        .flat_map(|dy| (-1..=1).map(move |dx| (dx, dy)))
                        .any(|(dx, dy)| {
                            let t = score[((y + dy) * wi + x + dx) as usize];
                            (dx, dy) != (0, 0)
                                && (t > s || (t == s && (dy < 0 || (dy == 0 && dx < 0))))
                        });
                    if s != 0 && !beaten {
                        want.push((x, y, s));
                    }
                }
            }
            assert_eq!(fast(&img, margin), want, "{w}×{h}");
            assert_eq!(fast_portable(&img, margin), want, "{w}×{h} portable");
            corners += want.len();
        }
        assert!(corners > 50, "the images must have corners ({corners})");
    }
}
