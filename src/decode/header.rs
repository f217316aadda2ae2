//! The container walk before any pixel is decoded (step 4 of `super`): dimensions, frame count,
//! metadata and JPEG facts from the header, and the [`Limits`] checked on those numbers, so a
//! hostile header is refused before the decoder allocates.

use crate::code::Code;
use std::path::Path;

use super::{container, icc, jpeg, png, probe_dimensions};
use super::{Coding, ColourSpace, Format, QualityEstimate, Warning};
use crate::error::{Error, Result};
use crate::policy::Limits;

/// Header facts gathered before decoding.
pub(super) struct Header {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) frames: u64,
    pub(super) animated: bool,
    pub(super) exif_raw: Option<Vec<u8>>,
    pub(super) colour_space: ColourSpace,
    pub(super) jpeg_quality: Option<QualityEstimate>,
    pub(super) jpeg_coding: Option<Coding>,
    pub(super) bit_depth: u8,
    pub(super) end_of_image: Option<usize>,
}

pub(super) fn read_header(
    path: &Path,
    format: Format,
    bytes: &[u8],
    limits: &Limits,
    warnings: &mut Vec<Warning>,
) -> Result<Header> {
    let p = || path.to_path_buf();
    let mut h = Header {
        width: 0,
        height: 0,
        frames: 1,
        animated: false,
        exif_raw: None,
        colour_space: ColourSpace::Untagged,
        jpeg_quality: None,
        jpeg_coding: None,
        bit_depth: 8,
        end_of_image: None,
    };
    match format {
        Format::Jpeg => {
            let info = jpeg::walk(bytes).map_err(|e| match e {
                jpeg::WalkError::Truncated(detail) => Error::DecodeTruncated { path: p(), detail },
                jpeg::WalkError::Corrupt(detail) => Error::DecodeCorrupt { path: p(), detail },
            })?;
            h.width = info.width;
            h.height = info.height;
            h.bit_depth = info.precision;
            h.jpeg_coding = info.coding;
            h.jpeg_quality = jpeg::estimate_quality(&info);
            h.end_of_image = info.end_of_image;
            if let Some(exif) = &info.exif {
                if exif.len() <= limits.max_exif_bytes {
                    h.exif_raw = Some(exif.clone());
                }
            }
            h.colour_space = if info.components == 4 {
                ColourSpace::Cmyk {
                    ycck: info.adobe_transform == Some(2),
                }
            } else if let Some(icc) = &info.icc {
                icc::classify(icc)
            } else if info.icc_broken {
                ColourSpace::CorruptIcc {
                    detail: "ICC_PROFILE chunks are incomplete or out of order".into(),
                }
            } else {
                ColourSpace::Untagged
            };
            match info.coding {
                Some(Coding::Lossless) | Some(Coding::Hierarchical) | Some(Coding::Arithmetic) => {
                    return Err(Error::FormatUnsupported {
                        path: p(),
                        format: "JPEG".into(),
                        detail: format!(
                            "{:?} coding is not supported; re-save as a baseline JPEG",
                            info.coding.unwrap_or(Coding::Lossless)
                        )
                        .to_lowercase(),
                    })
                }
                _ => {}
            }
            if info.precision != 8 {
                return Err(Error::FormatUnsupported {
                    path: p(),
                    format: "JPEG".into(),
                    detail: format!(
                        "{}-bit JPEG is not supported; re-save as an 8-bit JPEG",
                        info.precision
                    ),
                });
            }
        }
        Format::Png => {
            let info = png::walk(bytes, limits.max_exif_bytes, limits.max_icc_bytes).map_err(
                |e| match e {
                    png::WalkError::Truncated(detail) => {
                        Error::DecodeTruncated { path: p(), detail }
                    }
                    png::WalkError::Corrupt(detail) => Error::DecodeCorrupt { path: p(), detail },
                },
            )?;
            h.width = info.width;
            h.height = info.height;
            h.bit_depth = info.bit_depth;
            h.end_of_image = Some(info.end_of_image);
            h.exif_raw = info.exif.clone();
            if let Some(n) = info.exif_over_limit {
                warnings.push(Warning {
                    code: Code::LimitMetadata,
                    message: format!(
                        "eXIf chunk of {n} bytes exceeds the {}-byte limit and was ignored",
                        limits.max_exif_bytes
                    ),
                });
            }
            for kind in &info.bad_ancillary_crc {
                warnings.push(Warning {
                    code: Code::AncillaryCrc,
                    message: format!("ancillary chunk {kind} has a bad CRC and was ignored"),
                });
            }
            if let Some(n) = info.animation_frames {
                h.frames = n as u64;
                h.animated = n > 1;
            }
            h.colour_space = if let Some(icc) = &info.icc {
                icc::classify(icc)
            } else if info.icc_broken {
                ColourSpace::CorruptIcc {
                    detail: "iCCP chunk does not inflate".into(),
                }
            } else if info.srgb_chunk {
                ColourSpace::Srgb {
                    declared_by: "PNG sRGB chunk".into(),
                }
            } else {
                ColourSpace::Untagged
            };
        }
        Format::Gif => {
            if bytes.len() >= 10 {
                h.width = u16::from_le_bytes([bytes[6], bytes[7]]) as u32;
                h.height = u16::from_le_bytes([bytes[8], bytes[9]]) as u32;
            }
            if let Some(n) = container::gif_frame_count(bytes, limits.max_frames) {
                h.frames = n.max(1);
                h.animated = n > 1;
            }
        }
        Format::Webp => {
            let (animated, frames) = container::webp_animation(bytes);
            h.animated = animated;
            h.frames = frames;
        }
        Format::Bmp => {}
    }
    if h.width == 0 || h.height == 0 {
        // Formats without our own walker: ask the decoder for the header only.
        let (w, hh) = probe_dimensions(path, format, bytes, limits)?;
        h.width = w;
        h.height = hh;
    }
    Ok(h)
}

pub(super) fn check_limits(path: &Path, h: &Header, limits: &Limits) -> Result<()> {
    let p = || path.to_path_buf();
    if h.width == 0 || h.height == 0 {
        return Err(Error::DecodeCorrupt {
            path: p(),
            detail: format!("header declares a {}×{} image", h.width, h.height),
        });
    }
    if h.width.max(h.height) > limits.max_side_px {
        return Err(Error::LimitDimensions {
            path: p(),
            width: h.width,
            height: h.height,
            limit: limits.max_side_px,
        });
    }
    let pixels = h.width as u64 * h.height as u64;
    if pixels > limits.max_pixels {
        return Err(Error::LimitPixels {
            path: p(),
            width: h.width,
            height: h.height,
            pixels,
            limit: limits.max_pixels,
        });
    }
    if h.frames > limits.max_frames {
        return Err(Error::LimitFrames {
            path: p(),
            frames: h.frames,
            limit: limits.max_frames,
        });
    }
    Ok(())
}
