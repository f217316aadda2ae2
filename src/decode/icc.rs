//! Colour space from an embedded ICC profile: read the header's colour space and the profile
//! description (`desc`, v2 textDescriptionType or v4 multiLocalizedUnicode). No colour
//! management library is needed to *name* a profile, and naming is what the `color.srgb` rule
//! needs.

use serde::Serialize;

/// The colour space an image declares.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColourSpace {
    /// sRGB, declared by an ICC profile (description given) or a PNG sRGB chunk.
    Srgb {
        declared_by: String,
    },
    /// No colour information: browsers and the platform treat it as sRGB.
    Untagged,
    AdobeRgb {
        description: String,
    },
    DisplayP3 {
        description: String,
    },
    /// An RGB or grey ICC profile we do not recognise as sRGB.
    OtherIcc {
        description: String,
    },
    /// CMYK or YCCK JPEG (Adobe). Pixels are converted to RGB for measuring, but the file is
    /// not sRGB and the platform will reject or mis-render it.
    Cmyk {
        ycck: bool,
    },
    /// An ICC profile was present but could not be read.
    CorruptIcc {
        detail: String,
    },
}

impl ColourSpace {
    pub fn is_srgb_compatible(&self) -> bool {
        matches!(self, ColourSpace::Srgb { .. } | ColourSpace::Untagged)
    }

    /// A short human label.
    pub fn label(&self) -> String {
        match self {
            ColourSpace::Srgb { declared_by } => format!("sRGB ({declared_by})"),
            ColourSpace::Untagged => "untagged (treated as sRGB)".into(),
            ColourSpace::AdobeRgb { description } => format!("Adobe RGB ({description})"),
            ColourSpace::DisplayP3 { description } => format!("Display P3 ({description})"),
            ColourSpace::OtherIcc { description } => format!("ICC profile \"{description}\""),
            ColourSpace::Cmyk { ycck: false } => "CMYK".into(),
            ColourSpace::Cmyk { ycck: true } => "YCCK (CMYK)".into(),
            ColourSpace::CorruptIcc { detail } => format!("unreadable ICC profile ({detail})"),
        }
    }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// Header colour space signature (e.g. `RGB `, `CMYK`, `GRAY`) and description.
pub fn describe(profile: &[u8]) -> Result<(String, String), String> {
    if profile.len() < 132 || &profile[36..40] != b"acsp" {
        return Err("not an ICC profile (no 'acsp' signature)".into());
    }
    let space = String::from_utf8_lossy(&profile[16..20]).trim().to_string();
    let count = be32(profile, 128).ok_or("tag table missing")? as usize;
    if count > 1000 {
        return Err(format!("tag table declares {count} tags"));
    }
    for i in 0..count {
        let e = 132 + 12 * i;
        let sig = profile.get(e..e + 4).ok_or("tag table truncated")?;
        if sig != b"desc" {
            continue;
        }
        let off = be32(profile, e + 4).ok_or("tag table truncated")? as usize;
        let len = be32(profile, e + 8).ok_or("tag table truncated")? as usize;
        let tag = profile
            .get(off..off.saturating_add(len))
            .ok_or("desc tag points outside the profile")?;
        return Ok((space, read_desc(tag)?));
    }
    Ok((space, String::new()))
}

fn read_desc(tag: &[u8]) -> Result<String, String> {
    match tag.get(0..4) {
        Some(b"desc") => {
            let n = be32(tag, 8).ok_or("desc tag truncated")? as usize;
            let s = tag
                .get(12..12 + n.min(tag.len().saturating_sub(12)))
                .unwrap_or(&[]);
            Ok(String::from_utf8_lossy(s)
                .trim_end_matches('\0')
                .trim()
                .to_string())
        }
        Some(b"mluc") => {
            let records = be32(tag, 8).ok_or("mluc tag truncated")?;
            if records == 0 {
                return Ok(String::new());
            }
            let len = be32(tag, 20).ok_or("mluc record truncated")? as usize;
            let off = be32(tag, 24).ok_or("mluc record truncated")? as usize;
            let raw = tag
                .get(off..off.saturating_add(len))
                .ok_or("mluc string outside the tag")?;
            let units: Vec<u16> = raw
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            Ok(String::from_utf16_lossy(&units)
                .trim_end_matches('\0')
                .trim()
                .to_string())
        }
        _ => Err("desc tag has an unknown type".into()),
    }
}

/// Classify a profile by its description.
pub fn classify(profile: &[u8]) -> ColourSpace {
    match describe(profile) {
        Err(detail) => ColourSpace::CorruptIcc { detail },
        Ok((space, description)) => {
            let d = description.to_ascii_lowercase();
            if space == "CMYK" {
                ColourSpace::Cmyk { ycck: false }
            } else if d.contains("srgb") || d.contains("iec61966-2") || d.contains("iec 61966-2") {
                ColourSpace::Srgb {
                    declared_by: format!("ICC \"{description}\""),
                }
            } else if d.contains("adobe rgb") || d.contains("adobergb") || d.contains("a98") {
                ColourSpace::AdobeRgb { description }
            } else if d.contains("p3") {
                ColourSpace::DisplayP3 { description }
            } else {
                ColourSpace::OtherIcc { description }
            }
        }
    }
}

/// Build a minimal, syntactically valid ICC v2 profile carrying only a header and a `desc`
/// tag. Used by fixtures and tests to tag images with a named colour space; it is not a
/// usable colour transform.
pub fn minimal_profile(space: &[u8; 4], description: &str) -> Vec<u8> {
    let text = description.as_bytes();
    let mut desc = Vec::new();
    desc.extend_from_slice(b"desc\0\0\0\0");
    desc.extend_from_slice(&((text.len() + 1) as u32).to_be_bytes());
    desc.extend_from_slice(text);
    desc.push(0);
    desc.extend_from_slice(&[0u8; 12 + 67]); // empty Unicode + ScriptCode parts
    while desc.len() % 4 != 0 {
        desc.push(0);
    }
    let tag_off = 128 + 4 + 12;
    let total = tag_off + desc.len();
    let mut p = vec![0u8; 128];
    p[0..4].copy_from_slice(&(total as u32).to_be_bytes());
    p[8..12].copy_from_slice(&[2, 0x10, 0, 0]);
    p[12..16].copy_from_slice(b"mntr");
    p[16..20].copy_from_slice(space);
    p[20..24].copy_from_slice(b"XYZ ");
    p[36..40].copy_from_slice(b"acsp");
    p.extend_from_slice(&1u32.to_be_bytes());
    p.extend_from_slice(b"desc");
    p.extend_from_slice(&(tag_off as u32).to_be_bytes());
    p.extend_from_slice(&(desc.len() as u32).to_be_bytes());
    p.extend_from_slice(&desc);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_profiles_classify() {
        assert!(matches!(
            classify(&minimal_profile(b"RGB ", "Adobe RGB (1998)")),
            ColourSpace::AdobeRgb { .. }
        ));
        assert!(matches!(
            classify(&minimal_profile(b"RGB ", "sRGB IEC61966-2.1")),
            ColourSpace::Srgb { .. }
        ));
        assert!(matches!(
            classify(&minimal_profile(b"RGB ", "Display P3")),
            ColourSpace::DisplayP3 { .. }
        ));
        assert!(matches!(
            classify(&minimal_profile(b"CMYK", "U.S. Web Coated (SWOP) v2")),
            ColourSpace::Cmyk { .. }
        ));
        assert!(matches!(
            classify(b"garbage"),
            ColourSpace::CorruptIcc { .. }
        ));
    }
}
