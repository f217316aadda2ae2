//! The working image every fingerprint stage reads: the photo reduced once to at most
//! [`SIDE`] pixels on its long side, and its luma.
//!
//! Why one reduced image: the retrieval PDQ (whole frame and subject crop), the window grid and
//! the feature pyramid each used to read the full-resolution photo and reduce it on their own
//! (three luma conversions and three resamplings of a megapixel per image; docs/benchmarks.md).
//! PDQ reduces the frame to 64 × 64 with box filters anyway, the window grid is 128 × 128 and
//! the features' base level is 512 px, so nothing below needs more than 512 px. The PDQ
//! *conformance* path (`pdq::pdq`, bit-exact with Meta's reference) still reads the full
//! frame; the reduced-image PDQ stays within a few bits of it (tested on Meta's vectors).

use image::RgbImage;

use super::pdq;

/// Long side of the working image, pixels (= the features' base level).
pub const SIDE: u32 = 512;

/// The reduced photo and its PDQ luma.
#[derive(Debug, Clone)]
pub struct Working {
    /// Size of the reduced image (the original's when it is not larger than [`SIDE`]).
    pub width: u32,
    pub height: u32,
    /// The reduced photo itself (the subject box is found on it).
    pub rgb: RgbImage,
    /// BT.601 luma as `pdq::luma` computes it, row-major.
    pub luma: Vec<f32>,
    /// Working pixels per original pixel along x and y (1 when not reduced).
    pub scale_x: f32,
    pub scale_y: f32,
}

/// The working size of a `width × height` image: the long side brought to [`SIDE`] (never
/// enlarged), the other in proportion, at least 1.
pub fn size(width: u32, height: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= SIDE {
        return (width, height);
    }
    let s = SIDE as f32 / long as f32;
    let w = ((width as f32 * s).round() as u32).clamp(1, SIDE);
    let h = ((height as f32 * s).round() as u32).clamp(1, SIDE);
    (w, h)
}

/// Reduce once (bilinear, i.e. area-weighted triangle, on the 8-bit RGB) and convert to luma.
pub fn working(img: &RgbImage) -> Working {
    let (w, h) = img.dimensions();
    let (nw, nh) = size(w, h);
    let rgb = if (nw, nh) == (w, h) {
        img.clone()
    } else {
        super::resample::rgb(img, nw, nh)
    };
    Working {
        width: nw,
        height: nh,
        luma: pdq::luma(&rgb),
        rgb,
        scale_x: if w > 0 { nw as f32 / w as f32 } else { 1.0 },
        scale_y: if h > 0 { nh as f32 / h as f32 } else { 1.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size(1000, 1000), (512, 512));
        assert_eq!(size(2000, 1000), (512, 256));
        assert_eq!(size(300, 200), (300, 200));
        assert_eq!(size(5000, 3), (512, 1));
        assert_eq!(size(0, 0), (0, 0));
    }
}
