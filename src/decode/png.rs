//! A bounded walk over PNG chunks: header (dimensions, bit depth, colour type), colour
//! information (sRGB, iCCP), EXIF (eXIf), animation (acTL), CRC checks, and where IEND is.
//! Chunk bodies are borrowed from the file bytes already in memory, so a chunk that *declares*
//! 1 GiB never causes an allocation (reliability row 11).

use std::io::Read;

#[derive(Debug, Clone, Default)]
pub struct PngInfo {
    pub width: u32,
    pub height: u32,
    pub bit_depth: u8,
    pub colour_type: u8,
    /// `true` when the sRGB chunk is present.
    pub srgb_chunk: bool,
    /// Inflated ICC profile from iCCP, when it inflated within the limit.
    pub icc: Option<Vec<u8>>,
    /// iCCP present but would not inflate (corrupt or over the limit).
    pub icc_broken: bool,
    pub exif: Option<Vec<u8>>,
    /// Declared eXIf length when it was over the EXIF limit and ignored.
    pub exif_over_limit: Option<usize>,
    /// APNG frame count from acTL.
    pub animation_frames: Option<u32>,
    /// Ancillary chunks whose CRC did not match (tolerated, reported).
    pub bad_ancillary_crc: Vec<String>,
    /// Offset just past IEND.
    pub end_of_image: usize,
    /// tRNS present (palette / colour-key transparency).
    pub has_trns: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkError {
    Truncated(String),
    Corrupt(String),
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn crc32(kind: &[u8], data: &[u8]) -> u32 {
    let mut h = flate2::Crc::new();
    h.update(kind);
    h.update(data);
    h.sum()
}

/// Walk the chunks of a PNG file (signature already checked).
pub fn walk(bytes: &[u8], max_exif: usize, max_icc: usize) -> Result<PngInfo, WalkError> {
    let mut info = PngInfo::default();
    let mut pos = 8usize;
    let mut seen_ihdr = false;
    let mut seen_idat = false;
    loop {
        let len = be32(bytes, pos).ok_or_else(|| {
            WalkError::Truncated(format!("stream ends at byte {pos} without an IEND chunk"))
        })? as usize;
        let kind = bytes
            .get(pos + 4..pos + 8)
            .ok_or_else(|| WalkError::Truncated("stream ends inside a chunk header".into()))?;
        let kind_str = String::from_utf8_lossy(kind).into_owned();
        let data_start = pos + 8;
        let data_end = data_start.saturating_add(len);
        let Some(data) = bytes.get(data_start..data_end) else {
            return Err(WalkError::Truncated(format!(
                "chunk {kind_str} at byte {pos} declares {len} bytes, only {} remain",
                bytes.len().saturating_sub(data_start)
            )));
        };
        let Some(crc) = be32(bytes, data_end) else {
            return Err(WalkError::Truncated(format!(
                "chunk {kind_str} at byte {pos} is cut before its CRC"
            )));
        };
        let critical = kind[0].is_ascii_uppercase();
        if crc != crc32(kind, data) {
            if critical {
                return Err(WalkError::Corrupt(format!(
                    "CRC mismatch in critical chunk {kind_str} at byte {pos}"
                )));
            }
            info.bad_ancillary_crc.push(kind_str.clone());
        } else {
            match kind {
                b"IHDR" => {
                    if data.len() < 13 {
                        return Err(WalkError::Corrupt("IHDR chunk too short".into()));
                    }
                    info.width = be32(data, 0).unwrap_or(0);
                    info.height = be32(data, 4).unwrap_or(0);
                    info.bit_depth = data[8];
                    info.colour_type = data[9];
                    seen_ihdr = true;
                }
                b"sRGB" => info.srgb_chunk = true,
                b"tRNS" => info.has_trns = true,
                b"iCCP" => match inflate_iccp(data, max_icc) {
                    Some(p) => info.icc = Some(p),
                    None => info.icc_broken = true,
                },
                b"eXIf" => {
                    if len > max_exif {
                        info.exif_over_limit = Some(len);
                    } else if info.exif.is_none() {
                        info.exif = Some(data.to_vec());
                    }
                }
                b"acTL" => info.animation_frames = be32(data, 0),
                b"IDAT" => seen_idat = true,
                _ => {}
            }
        }
        if !seen_ihdr {
            return Err(WalkError::Corrupt("first chunk is not IHDR".into()));
        }
        pos = data_end + 4;
        if kind == b"IEND" {
            info.end_of_image = pos;
            break;
        }
    }
    if !seen_idat {
        return Err(WalkError::Truncated("no image data (no IDAT chunk)".into()));
    }
    Ok(info)
}

/// iCCP = name\0 + method(1) + zlib stream. Inflate with a hard output cap.
fn inflate_iccp(data: &[u8], max_icc: usize) -> Option<Vec<u8>> {
    let nul = data.iter().take(80).position(|&b| b == 0)?;
    if data.get(nul + 1) != Some(&0) {
        return None;
    }
    let z = data.get(nul + 2..)?;
    let mut out = Vec::new();
    let mut dec = flate2::read::ZlibDecoder::new(z).take(max_icc as u64 + 1);
    dec.read_to_end(&mut out).ok()?;
    if out.len() > max_icc {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode() -> Vec<u8> {
        let img = image::RgbImage::from_fn(16, 9, |x, y| image::Rgb([x as u8, y as u8, 3]));
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn reads_header_and_end() {
        let b = encode();
        let info = walk(&b, 1 << 20, 1 << 20).unwrap();
        assert_eq!(
            (info.width, info.height, info.bit_depth, info.colour_type),
            (16, 9, 8, 2)
        );
        assert_eq!(info.end_of_image, b.len());
    }

    #[test]
    fn truncated_and_corrupt() {
        let b = encode();
        assert!(matches!(
            walk(&b[..b.len() - 12], 1 << 20, 1 << 20),
            Err(WalkError::Truncated(_))
        ));
        let mut c = b.clone();
        c[20] ^= 0x40; // inside IHDR data
        assert!(matches!(
            walk(&c, 1 << 20, 1 << 20),
            Err(WalkError::Corrupt(_))
        ));
    }
}
