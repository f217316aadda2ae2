//! The pixel and byte work behind the fixes: colour conversion to sRGB, the placement that
//! undoes a 1-px slip, and encoding at the highest quality that fits the size limit.

use image::RgbImage;

use crate::decode::ColourSpace;

/// Highest JPEG quality written: above 95 the file grows fast for no visible change.
pub(super) const MAX_JPEG_QUALITY: u8 = 95;
/// Lowest JPEG quality tried to get under the size limit; below it a new export is better.
pub(super) const MIN_JPEG_QUALITY: u8 = 60;

/// The source profiles to try, best first: the embedded ICC profile when a CMS can read it,
/// then the standard profile its description names (a profile trimmed to its description and
/// header, as some exporters write, has no colorants to convert with, but still says which
/// space the numbers are in).
pub(super) fn source_profiles(cs: &ColourSpace, icc: Option<&[u8]>) -> Vec<moxcms::ColorProfile> {
    let mut out: Vec<moxcms::ColorProfile> = icc
        .and_then(|b| moxcms::ColorProfile::new_from_slice(b).ok())
        .into_iter()
        .collect();
    match cs {
        ColourSpace::AdobeRgb { .. } => out.push(moxcms::ColorProfile::new_adobe_rgb()),
        ColourSpace::DisplayP3 { .. } => out.push(moxcms::ColorProfile::new_display_p3()),
        _ => {}
    }
    out
}

pub(super) fn convert_to_srgb(
    img: &RgbImage,
    src: &moxcms::ColorProfile,
) -> std::result::Result<RgbImage, String> {
    let t = src
        .create_transform_8bit(
            moxcms::Layout::Rgb,
            &moxcms::ColorProfile::new_srgb(),
            moxcms::Layout::Rgb,
            moxcms::TransformOptions::default(),
        )
        .map_err(|e| format!("colour conversion to sRGB: {e}"))?;
    let mut out = RgbImage::new(img.width(), img.height());
    t.transform(img.as_raw(), &mut out)
        .map_err(|e| format!("colour conversion to sRGB: {e}"))?;
    Ok(out)
}

/// The horizontal (or vertical) placements of a side of `from` pixels in `to`: every shift
/// that keeps the old picture covering the new one's whole side (crop) or inside it (pad).
pub(super) fn offsets(from: u32, to: u32) -> Vec<i32> {
    let d = to as i32 - from as i32;
    if d >= 0 {
        (0..=d).collect()
    } else {
        (d..=0).collect()
    }
}

/// `img` placed at (`dx`, `dy`) on a `w`×`h` canvas, edge pixels repeated where it does not
/// reach (a product photo's edge is its background).
pub(super) fn place(img: &RgbImage, w: u32, h: u32, dx: i32, dy: i32) -> RgbImage {
    let (iw, ih) = (img.width() as i32, img.height() as i32);
    RgbImage::from_fn(w, h, |x, y| {
        let sx = (x as i32 - dx).clamp(0, iw - 1);
        let sy = (y as i32 - dy).clamp(0, ih - 1);
        *img.get_pixel(sx as u32, sy as u32)
    })
}

pub(super) fn encode_png(img: &RgbImage) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .map_err(|e| format!("PNG encoding: {e}"))?;
    Ok(out)
}

pub(super) fn encode_jpeg(img: &RgbImage, quality: u8) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .map_err(|e| format!("JPEG encoding: {e}"))?;
    Ok(out)
}

/// The highest JPEG quality in [`MIN_JPEG_QUALITY`]..=`top` whose file fits `limit` bytes
/// (file size grows with quality, so a binary search), with its bytes.
pub(super) fn highest_quality_under(
    img: &RgbImage,
    top: u8,
    limit: u64,
) -> std::result::Result<Option<(u8, Vec<u8>)>, String> {
    let first = encode_jpeg(img, top)?;
    if first.len() as u64 <= limit {
        return Ok(Some((top, first)));
    }
    let (mut lo, mut hi) = (MIN_JPEG_QUALITY, top - 1);
    let mut best = None;
    while lo <= hi {
        let q = lo + (hi - lo) / 2;
        let b = encode_jpeg(img, q)?;
        if b.len() as u64 <= limit {
            best = Some((q, b));
            lo = q + 1;
        } else if q == MIN_JPEG_QUALITY {
            break;
        } else {
            hi = q - 1;
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn a_one_pixel_slip_is_undone_at_the_offset_that_matches() {
        // a 40×30 gradient; the hidden copy lost its first column and gained one at the bottom
        let main = RgbImage::from_fn(40, 30, |x, y| Rgb([(x * 6) as u8, (y * 8) as u8, 90]));
        let hidden = RgbImage::from_fn(39, 31, |x, y| *main.get_pixel(x + 1, y.min(29)));
        let mut best = (f64::MIN, [0, 0]);
        for dy in offsets(31, 30) {
            for dx in offsets(39, 40) {
                let moved = place(&hidden, 40, 30, dx, dy);
                let s = crate::similarity::compare(&main, &moved, false)
                    .map(|s| s.luma)
                    .unwrap_or(f64::MIN);
                if s > best.0 {
                    best = (s, [dx, dy]);
                }
            }
        }
        assert_eq!(best.1, [1, 0]);
        assert_eq!(offsets(39, 40), vec![0, 1]);
        assert_eq!(offsets(31, 30), vec![-1, 0]);
    }

    #[test]
    fn the_highest_quality_under_the_limit_is_chosen() {
        let img = RgbImage::from_fn(64, 64, |x, y| {
            Rgb([(x * 4) as u8, (y * 4) as u8, ((x * y) % 251) as u8])
        });
        let q95 = encode_jpeg(&img, 95).unwrap().len() as u64;
        let q80 = encode_jpeg(&img, 80).unwrap().len() as u64;
        let (q, b) = highest_quality_under(&img, 95, q80).unwrap().unwrap();
        assert!((80..95).contains(&q), "{q}");
        assert!(b.len() as u64 <= q80);
        assert!(encode_jpeg(&img, q + 1).unwrap().len() as u64 > q80);
        assert_eq!(highest_quality_under(&img, 95, q95).unwrap().unwrap().0, 95);
        assert!(highest_quality_under(&img, 95, 10).unwrap().is_none());
    }
}
