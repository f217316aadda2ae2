//! Resampling of 8-bit luma (the feature pyramid) and RGB (the working image), with `fast_image_resize` (SIMD
//! convolution selected at run time).
//!
//! Why not `image::imageops::resize`: on a 1000-px photo it took 17 of the 26 ms of local
//! feature extraction (a scalar two-pass convolution with a libm `round` per output sample);
//! this takes under 1 ms (docs/benchmarks.md). The filters are the same kinds (bilinear /
//! "triangle" when shrinking, Catmull-Rom when enlarging); the results differ from `image`'s
//! by rounding only, which is why the fingerprint algorithm version changed with it.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{GrayImage, ImageBuffer, Pixel, RgbImage};

/// `src` resampled to `width × height` (both ≥ 1): bilinear when shrinking, Catmull-Rom when
/// enlarging.
pub fn gray(src: &GrayImage, width: u32, height: u32) -> GrayImage {
    resample(src, width, height, PixelType::U8)
}

/// `src` (8-bit RGB) resampled the same way (the working image: always a reduction).
pub fn rgb(src: &RgbImage, width: u32, height: u32) -> RgbImage {
    resample(src, width, height, PixelType::U8x3)
}

/// One resampling for both pixel kinds; `kind` is `fast_image_resize`'s name for `P`.
fn resample<P>(
    src: &ImageBuffer<P, Vec<u8>>,
    width: u32,
    height: u32,
    kind: PixelType,
) -> ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8> + 'static,
{
    let (w, h) = src.dimensions();
    if (w, h) == (width, height) {
        return src.clone();
    }
    let shrink = width <= w && height <= h;
    let filter = if shrink {
        FilterType::Bilinear
    } else {
        FilterType::CatmullRom
    };
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(filter));
    let fast = ImageRef::new(w, h, src.as_raw(), kind)
        .ok()
        .and_then(|from| {
            let mut to = Image::new(width, height, kind);
            Resizer::new().resize(&from, &mut to, &options).ok()?;
            ImageBuffer::from_raw(width, height, to.into_vec())
        });
    // The library refuses only sizes it cannot hold (zero, buffer mismatch), which the callers
    // never pass; fall back to `image` rather than fail an analysis.
    fast.unwrap_or_else(|| {
        let kind = if shrink {
            image::imageops::FilterType::Triangle
        } else {
            image::imageops::FilterType::CatmullRom
        };
        image::imageops::resize(src, width, height, kind)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A linear ramp stays a ramp: the bilinear filter preserves linear functions except for
    /// rounding (±1) and edge effects, so interior samples are checked against the exact mean.
    #[test]
    fn shrinking_a_ramp_keeps_it_linear() {
        let src = GrayImage::from_fn(400, 300, |x, _| image::Luma([(x * 255 / 399) as u8]));
        let out = gray(&src, 200, 150);
        assert_eq!(out.dimensions(), (200, 150));
        for x in 2..198u32 {
            // Output pixel x covers source pixels 2x and 2x + 1 (centres at 2x + 0.5).
            let want = (2.0 * x as f32 + 0.5) * 255.0 / 399.0;
            let got = out.get_pixel(x, 75)[0] as f32;
            assert!((got - want).abs() <= 1.5, "x {x}: {got} vs {want}");
        }
    }

    #[test]
    fn enlarging_and_same_size_keep_the_size() {
        let src = GrayImage::from_fn(7, 5, |x, y| image::Luma([(x * 30 + y) as u8]));
        assert_eq!(gray(&src, 7, 5), src);
        let big = gray(&src, 20, 13);
        assert_eq!(big.dimensions(), (20, 13));
        let tiny = gray(&src, 1, 1);
        assert_eq!(tiny.dimensions(), (1, 1));
    }
}
