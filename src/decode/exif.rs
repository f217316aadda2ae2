//! EXIF summary from raw TIFF-structured bytes (JPEG APP1 or PNG eXIf), primary IFD only
//! (`In::PRIMARY`): the thumbnail IFD's claims never override the image's own.

use serde::Serialize;

/// Where the photo claims it was taken, in decimal degrees.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpsPosition {
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub altitude_m: Option<f64>,
}

/// The EXIF facts pairproof reports. Strings are trimmed of trailing NULs and spaces; the raw
/// value is kept where normalisation could hide something (evidence shows both).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExifSummary {
    pub date_time_original: Option<String>,
    pub offset_time_original: Option<String>,
    /// IFD0 DateTime (last modification, per the spec).
    pub date_time: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub lens_model: Option<String>,
    pub software: Option<String>,
    /// IFD0 Artist: who made the picture, as the camera or editor wrote it.
    pub artist: Option<String>,
    /// IFD0 Copyright; its photographer and editor parts joined by " / ".
    pub copyright: Option<String>,
    /// 1–8; `None` when absent or out of range.
    pub orientation: Option<u8>,
    /// `Some` when a GPS IFD with any field is present (even if coordinates are unreadable).
    pub gps: Option<GpsPosition>,
    /// Number of fields in the block (primary + thumbnail IFDs).
    pub field_count: usize,
}

/// Copyright holds up to two NUL-separated parts (photographer, editor); an empty part is a
/// space by the spec.
fn copyright(exif: &exif::Exif) -> Option<String> {
    let f = exif.get_field(exif::Tag::Copyright, exif::In::PRIMARY)?;
    let exif::Value::Ascii(parts) = &f.value else {
        return None;
    };
    let parts: Vec<String> = parts
        .iter()
        .flat_map(|p| p.split(|&b| b == 0))
        .map(|p| String::from_utf8_lossy(p).trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" / "))
}

fn ascii(exif: &exif::Exif, tag: exif::Tag) -> Option<String> {
    let f = exif.get_field(tag, exif::In::PRIMARY)?;
    match &f.value {
        exif::Value::Ascii(parts) => {
            let joined: Vec<u8> = parts.iter().flat_map(|p| p.iter().copied()).collect();
            let s = String::from_utf8_lossy(&joined);
            let t = s.trim_end_matches(['\0', ' ']).trim().to_string();
            (!t.is_empty()).then_some(t)
        }
        _ => None,
    }
}

fn rational_triplet_to_degrees(v: &exif::Value) -> Option<f64> {
    match v {
        exif::Value::Rational(r) if r.len() >= 3 => {
            let parts: Vec<f64> = r.iter().take(3).map(|x| x.to_f64()).collect();
            if parts.iter().any(|p| !p.is_finite()) {
                return None;
            }
            Some(parts[0] + parts[1] / 60.0 + parts[2] / 3600.0)
        }
        _ => None,
    }
}

fn coordinate(exif: &exif::Exif, value: exif::Tag, reference: exif::Tag, neg: u8) -> Option<f64> {
    let deg = rational_triplet_to_degrees(&exif.get_field(value, exif::In::PRIMARY)?.value)?;
    let sign = match exif
        .get_field(reference, exif::In::PRIMARY)
        .map(|f| &f.value)
    {
        Some(exif::Value::Ascii(p)) if p.first().and_then(|s| s.first()) == Some(&neg) => -1.0,
        _ => 1.0,
    };
    Some(sign * deg)
}

/// Parse an EXIF block. `Err` carries the parser's reason (reported as a warning: pixels are
/// still usable when metadata is broken).
pub fn summarise(tiff: &[u8]) -> Result<ExifSummary, String> {
    let exif = exif::Reader::new()
        .read_raw(tiff.to_vec())
        .map_err(|e| e.to_string())?;
    let gps_present = exif
        .fields()
        .any(|f| f.ifd_num == exif::In::PRIMARY && f.tag.context() == exif::Context::Gps);
    let gps = gps_present.then(|| GpsPosition {
        latitude: coordinate(
            &exif,
            exif::Tag::GPSLatitude,
            exif::Tag::GPSLatitudeRef,
            b'S',
        ),
        longitude: coordinate(
            &exif,
            exif::Tag::GPSLongitude,
            exif::Tag::GPSLongitudeRef,
            b'W',
        ),
        altitude_m: exif
            .get_field(exif::Tag::GPSAltitude, exif::In::PRIMARY)
            .and_then(|f| match &f.value {
                exif::Value::Rational(r) => r.first().map(|x| x.to_f64()),
                _ => None,
            })
            .filter(|a| a.is_finite()),
    });
    let orientation = exif
        .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .filter(|o| (1..=8).contains(o))
        .map(|o| o as u8);
    let field_count = exif.fields().len();
    let summary = ExifSummary {
        date_time_original: ascii(&exif, exif::Tag::DateTimeOriginal),
        offset_time_original: ascii(&exif, exif::Tag::OffsetTimeOriginal),
        date_time: ascii(&exif, exif::Tag::DateTime),
        make: ascii(&exif, exif::Tag::Make),
        model: ascii(&exif, exif::Tag::Model),
        lens_model: ascii(&exif, exif::Tag::LensModel),
        software: ascii(&exif, exif::Tag::Software),
        artist: ascii(&exif, exif::Tag::Artist),
        copyright: copyright(&exif),
        orientation,
        gps,
        field_count,
    };
    Ok(summary)
}
