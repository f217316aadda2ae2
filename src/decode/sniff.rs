//! Format by content: magic bytes decide, the file extension is only a hint.

use serde::Serialize;

/// A container format recognised from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
    Bmp,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Webp => "webp",
            Format::Bmp => "bmp",
        }
    }

    /// Extensions a file of this format is normally given.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            Format::Png => &["png"],
            Format::Gif => &["gif"],
            Format::Webp => &["webp"],
            Format::Bmp => &["bmp", "dib"],
        }
    }

    pub(crate) fn image_format(self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::Gif => image::ImageFormat::Gif,
            Format::Webp => image::ImageFormat::WebP,
            Format::Bmp => image::ImageFormat::Bmp,
        }
    }
}

/// Result of looking at a file's first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// A format we decode.
    Supported(Format),
    /// A known image format we do not decode (name, detail).
    Unsupported(&'static str, &'static str),
    /// Not an image we know; a short description of what it looks like.
    Unrecognized(String),
}

/// Identify a file from its magic bytes.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    let starts = |m: &[u8]| bytes.len() >= m.len() && &bytes[..m.len()] == m;
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Supported(Format::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Supported(Format::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Sniffed::Supported(Format::Gif);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Sniffed::Supported(Format::Webp);
    }
    if bytes.len() >= 26 && starts(b"BM") {
        return Sniffed::Supported(Format::Bmp);
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Sniffed::Unsupported("TIFF", "save the image as JPEG or PNG");
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        return match brand {
            b"avif" | b"avis" => Sniffed::Unsupported("AVIF", "save the image as JPEG or PNG"),
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"mif1" | b"msf1" | b"heim" | b"heis" => {
                Sniffed::Unsupported("HEIC", "iPhone photo format; export it as JPEG")
            }
            _ => Sniffed::Unrecognized("an ISO media file (video?)".into()),
        };
    }
    if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return Sniffed::Unsupported("JPEG XL", "save the image as JPEG or PNG");
    }
    if starts(b"8BPS") {
        return Sniffed::Unsupported("Photoshop PSD", "export the image as JPEG or PNG");
    }
    Sniffed::Unrecognized(describe_unknown(bytes))
}

fn describe_unknown(bytes: &[u8]) -> String {
    let starts = |m: &[u8]| bytes.len() >= m.len() && &bytes[..m.len()] == m;
    let what = if starts(b"PK\x03\x04") {
        "a ZIP archive"
    } else if starts(b"\x7fELF") {
        "an ELF executable"
    } else if starts(b"%PDF") {
        "a PDF document"
    } else if starts(b"<!DOCTYPE html") || starts(b"<html") || starts(b"<HTML") {
        "an HTML page (a failed download?)"
    } else if starts(b"<svg") || starts(b"<?xml") {
        "an XML/SVG document"
    } else if starts(&[0xFF, 0xD8]) {
        "a JPEG start marker without a following segment"
    } else if bytes
        .iter()
        .take(512)
        .all(|&b| b == b'\n' || b == b'\r' || b == b'\t' || (0x20..0x7f).contains(&b))
    {
        "plain text"
    } else {
        "unknown binary data"
    };
    let head: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("looks like {what}; first bytes {}", head.join(" "))
}

/// The lower-case extension of a path, if any.
pub fn extension_of(path: &std::path::Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Sniffed::Supported(Format::Jpeg)
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n...."),
            Sniffed::Supported(Format::Png)
        );
        assert_eq!(sniff(b"GIF89a..."), Sniffed::Supported(Format::Gif));
        assert_eq!(
            sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Sniffed::Supported(Format::Webp)
        );
        assert!(matches!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Sniffed::Unsupported("HEIC", _)
        ));
        assert!(matches!(
            sniff(b"\0\0\0\x18ftypavif\0\0\0\0"),
            Sniffed::Unsupported("AVIF", _)
        ));
        match sniff(b"PK\x03\x04rest") {
            Sniffed::Unrecognized(s) => assert!(s.contains("ZIP"), "{s}"),
            other => panic!("{other:?}"),
        }
        match sniff(b"hello world\n") {
            Sniffed::Unrecognized(s) => assert!(s.contains("plain text"), "{s}"),
            other => panic!("{other:?}"),
        }
    }
}
