//! A bounded walk over JPEG markers: header facts we need *before* decoding (dimensions,
//! coding process), metadata blocks (EXIF, ICC, Adobe transform), quantisation tables for the
//! quality estimate, and where the image really ends (EOI) so truncation and trailing data are
//! reported rather than silently papered over by a lenient decoder.

use serde::Serialize;

/// How the frame is coded (from the SOF marker).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coding {
    Baseline,
    ExtendedSequential,
    Progressive,
    Lossless,
    Arithmetic,
    Hierarchical,
}

/// Everything the marker walk found.
#[derive(Debug, Clone, Default)]
pub struct JpegInfo {
    pub width: u32,
    pub height: u32,
    pub components: u8,
    pub precision: u8,
    pub coding: Option<Coding>,
    /// Raw TIFF bytes of the first APP1 "Exif" block (without the `Exif\0\0` prefix).
    pub exif: Option<Vec<u8>>,
    /// ICC profile reassembled from APP2 chunks, when complete.
    pub icc: Option<Vec<u8>>,
    /// `true` when APP2 ICC chunks were present but inconsistent.
    pub icc_broken: bool,
    /// Adobe APP14 transform flag (0 = none/CMYK, 1 = YCbCr, 2 = YCCK).
    pub adobe_transform: Option<u8>,
    /// Quantisation tables by id (0..=3), in zig-zag order, as coded.
    pub quant_tables: [Option<[u16; 64]>; 4],
    /// Quant table id used by each frame component, in component order.
    pub component_tables: Vec<u8>,
    /// Byte offset just past the EOI marker, if one was found.
    pub end_of_image: Option<usize>,
    /// Number of scans (SOS markers) seen.
    pub scans: u32,
}

/// A malformed stream, with where it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkError {
    Truncated(String),
    Corrupt(String),
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_be_bytes([s[0], s[1]]))
}

/// Walk the markers of `bytes` (which start with SOI).
pub fn walk(bytes: &[u8]) -> Result<JpegInfo, WalkError> {
    let mut info = JpegInfo::default();
    let mut icc_chunks: Vec<(u8, u8, &[u8])> = Vec::new();
    let mut pos = 2usize; // after SOI
    let n = bytes.len();
    loop {
        // Find the next marker: 0xFF followed by a non-0xFF byte (0xFF fill bytes are allowed).
        if pos >= n {
            return Err(WalkError::Truncated(format!(
                "stream ends at byte {n} before the end-of-image marker"
            )));
        }
        if bytes[pos] != 0xFF {
            return Err(WalkError::Corrupt(format!(
                "expected a marker at byte {pos}, found 0x{:02x}",
                bytes[pos]
            )));
        }
        while pos < n && bytes[pos] == 0xFF {
            pos += 1;
        }
        if pos >= n {
            return Err(WalkError::Truncated("stream ends inside a marker".into()));
        }
        let marker = bytes[pos];
        pos += 1;
        match marker {
            0xD9 => {
                info.end_of_image = Some(pos);
                break;
            }
            0xD0..=0xD7 | 0x01 => continue, // stand-alone markers
            _ => {}
        }
        let len = match be16(bytes, pos) {
            Some(l) if l >= 2 => l as usize,
            Some(l) => {
                return Err(WalkError::Corrupt(format!(
                    "segment 0xFF{marker:02X} at byte {} declares length {l}",
                    pos - 2
                )))
            }
            None => {
                return Err(WalkError::Truncated(
                    "stream ends inside a segment header".into(),
                ))
            }
        };
        let body_start = pos + 2;
        let body_end = pos + len;
        if body_end > n {
            return Err(WalkError::Truncated(format!(
                "segment 0xFF{marker:02X} at byte {} declares {len} bytes, only {} remain",
                pos - 2,
                n - pos
            )));
        }
        let body = &bytes[body_start..body_end];
        match marker {
            0xC0..=0xCF
                if marker != 0xC4 && marker != 0xC8 && marker != 0xCC && info.coding.is_none() =>
            {
                parse_sof(marker, body, &mut info)?;
            }
            0xDB => parse_dqt(body, &mut info)?,
            0xE1 if body.starts_with(b"Exif\0\0") && info.exif.is_none() => {
                info.exif = Some(body[6..].to_vec());
            }
            0xE2 if body.starts_with(b"ICC_PROFILE\0") && body.len() >= 14 => {
                icc_chunks.push((body[12], body[13], &body[14..]));
            }
            0xEE if body.starts_with(b"Adobe") && body.len() >= 12 => {
                info.adobe_transform = Some(body[11]);
            }
            _ => {}
        }
        pos = body_end;
        if marker == 0xDA {
            info.scans += 1;
            // Entropy-coded data: skip to the next marker that is not a stuffed byte or RSTn.
            loop {
                match bytes[pos..].iter().position(|&b| b == 0xFF) {
                    None => {
                        return Err(WalkError::Truncated(format!(
                            "scan {} is cut off: no end-of-image marker in {n} bytes",
                            info.scans
                        )))
                    }
                    Some(off) => {
                        let at = pos + off;
                        match bytes.get(at + 1) {
                            None => {
                                return Err(WalkError::Truncated(
                                    "stream ends inside the entropy-coded data".into(),
                                ))
                            }
                            Some(0x00) | Some(0xD0..=0xD7) => pos = at + 2,
                            Some(0xFF) => pos = at + 1,
                            Some(_) => {
                                pos = at;
                                break;
                            }
                        }
                    }
                }
            }
        }
    }
    if info.coding.is_none() {
        return Err(WalkError::Corrupt("no start-of-frame marker".into()));
    }
    if info.scans == 0 {
        return Err(WalkError::Truncated(
            "no image data (no start-of-scan marker)".into(),
        ));
    }
    assemble_icc(&mut icc_chunks, &mut info);
    Ok(info)
}

fn parse_sof(marker: u8, body: &[u8], info: &mut JpegInfo) -> Result<(), WalkError> {
    if body.len() < 6 {
        return Err(WalkError::Corrupt(
            "start-of-frame segment too short".into(),
        ));
    }
    info.precision = body[0];
    info.height = u16::from_be_bytes([body[1], body[2]]) as u32;
    info.width = u16::from_be_bytes([body[3], body[4]]) as u32;
    info.components = body[5];
    let ncomp = body[5] as usize;
    if body.len() < 6 + 3 * ncomp {
        return Err(WalkError::Corrupt(
            "start-of-frame component list too short".into(),
        ));
    }
    info.component_tables = (0..ncomp).map(|i| body[6 + 3 * i + 2]).collect();
    info.coding = Some(match marker {
        0xC0 => Coding::Baseline,
        0xC1 => Coding::ExtendedSequential,
        0xC2 => Coding::Progressive,
        0xC3 => Coding::Lossless,
        0xC5..=0xC7 => Coding::Hierarchical,
        _ => Coding::Arithmetic, // C9..CB, CD..CF
    });
    Ok(())
}

fn parse_dqt(body: &[u8], info: &mut JpegInfo) -> Result<(), WalkError> {
    let mut p = 0;
    while p < body.len() {
        let pq = body[p] >> 4;
        let tq = (body[p] & 0x0F) as usize;
        p += 1;
        let size = if pq == 0 { 64 } else { 128 };
        if p + size > body.len() || tq > 3 {
            return Err(WalkError::Corrupt("malformed quantisation table".into()));
        }
        let mut t = [0u16; 64];
        for (i, v) in t.iter_mut().enumerate() {
            *v = if pq == 0 {
                body[p + i] as u16
            } else {
                u16::from_be_bytes([body[p + 2 * i], body[p + 2 * i + 1]])
            };
        }
        info.quant_tables[tq] = Some(t);
        p += size;
    }
    Ok(())
}

fn assemble_icc(chunks: &mut [(u8, u8, &[u8])], info: &mut JpegInfo) {
    if chunks.is_empty() {
        return;
    }
    chunks.sort_by_key(|c| c.0);
    let count = chunks[0].1 as usize;
    let ok = count == chunks.len()
        && chunks
            .iter()
            .enumerate()
            .all(|(i, c)| c.0 as usize == i + 1 && c.1 as usize == count);
    if ok {
        info.icc = Some(chunks.iter().flat_map(|c| c.2.iter().copied()).collect());
    } else {
        info.icc_broken = true;
    }
}

/// Standard IJG luminance table (Annex K), zig-zag order.
const STD_LUMA_ZZ: [u16; 64] = [
    16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40, 26, 24, 22, 22, 24, 49, 35, 37,
    29, 40, 58, 51, 61, 60, 57, 51, 56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81,
    87, 95, 98, 103, 104, 103, 62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99,
];
/// Standard IJG chrominance table (Annex K), zig-zag order.
const STD_CHROMA_ZZ: [u16; 64] = [
    17, 18, 18, 24, 21, 24, 47, 26, 26, 47, 99, 66, 56, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/// An estimate of the libjpeg "quality" setting that produced a file's tables.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QualityEstimate {
    /// Best-matching IJG quality, 1–100.
    pub quality: u8,
    /// Mean absolute difference between the file's tables and the IJG tables at that quality
    /// (0 = the file was written by libjpeg-compatible code at exactly that quality).
    pub table_error: f64,
}

fn scaled(std: &[u16; 64], q: u32) -> [u16; 64] {
    let s = if q < 50 { 5000 / q } else { 200 - 2 * q };
    let mut out = [0u16; 64];
    for (o, &v) in out.iter_mut().zip(std.iter()) {
        *o = ((v as u32 * s + 50) / 100).clamp(1, 255) as u16;
    }
    out
}

/// Estimate quality by matching the luma (and, if present, chroma) tables against the IJG
/// tables scaled to each quality 1..=100, like ImageMagick's `identify -format %Q` does.
pub fn estimate_quality(info: &JpegInfo) -> Option<QualityEstimate> {
    let luma_id = *info.component_tables.first()? as usize;
    let luma = info.quant_tables.get(luma_id)?.as_ref()?;
    let chroma = info
        .component_tables
        .get(1)
        .and_then(|&id| info.quant_tables.get(id as usize))
        .and_then(|t| t.as_ref());
    let mut best: Option<QualityEstimate> = None;
    for q in 1..=100u32 {
        let sl = scaled(&STD_LUMA_ZZ, q);
        let mut err: f64 = luma
            .iter()
            .zip(sl.iter())
            .map(|(&a, &b)| (a as f64 - b as f64).abs())
            .sum();
        let mut count = 64.0;
        if let Some(c) = chroma {
            let sc = scaled(&STD_CHROMA_ZZ, q);
            err += c
                .iter()
                .zip(sc.iter())
                .map(|(&a, &b)| (a as f64 - b as f64).abs())
                .sum::<f64>();
            count += 64.0;
        }
        let e = err / count;
        if best.is_none_or(|b| e < b.table_error) {
            best = Some(QualityEstimate {
                quality: q as u8,
                table_error: e,
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(q: u8) -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(32, 24, |x, y| image::Rgb([x as u8 * 7, y as u8 * 9, 90]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q)
            .encode_image(&img)
            .unwrap();
        out
    }

    #[test]
    fn walks_a_baseline_file_and_finds_its_end() {
        let bytes = encode(80);
        let info = walk(&bytes).unwrap();
        assert_eq!((info.width, info.height), (32, 24));
        assert_eq!(info.coding, Some(Coding::Baseline));
        assert_eq!(info.end_of_image, Some(bytes.len()));
        assert_eq!(info.scans, 1);
    }

    #[test]
    fn quality_of_image_rs_encoder_is_recovered_exactly() {
        // image's encoder scales the IJG tables like libjpeg does, so the estimate is exact.
        for q in [20u8, 50, 75, 90, 95] {
            let info = walk(&encode(q)).unwrap();
            let est = estimate_quality(&info).unwrap();
            assert_eq!(est.quality, q, "{est:?}");
        }
    }

    #[test]
    fn truncation_is_detected() {
        let bytes = encode(80);
        for cut in [bytes.len() / 10, bytes.len() / 2, bytes.len() - 2] {
            assert!(
                matches!(walk(&bytes[..cut]), Err(WalkError::Truncated(_))),
                "cut {cut}"
            );
        }
    }
}
