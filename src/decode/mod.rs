//! Reading seller images safely. The only module that touches image files.
//!
//! Order of operations (each step refuses before the next allocates):
//! 1. open without blocking and `fstat` the handle: regular files only (a FIFO or device never
//!    blocks or streams forever);
//! 2. size checks (`E_FILE_EMPTY`, `E_LIMIT_FILE_BYTES`), then a capped read;
//! 3. format from magic bytes (the extension is a hint, mismatches are warnings);
//! 4. a bounded container walk (JPEG markers / PNG chunks / GIF blocks) gives dimensions, frame
//!    count and metadata; [`Limits`] are enforced on those header numbers;
//! 5. the pixel decode runs with `image::Limits` inside `catch_unwind`;
//! 6. alpha is composited on white, 16-bit is rounded to 8-bit, EXIF orientation is applied.

pub mod container;
pub mod exif;
mod header;
pub mod icc;
pub mod jpeg;
pub mod png;
pub mod sniff;

use crate::code::Code;
use std::io::Read;
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, RgbImage};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use self::exif::{ExifSummary, GpsPosition};
use self::header::{check_limits, read_header};
pub use self::icc::ColourSpace;
pub use self::jpeg::{Coding, QualityEstimate};
pub use self::sniff::Format;
use crate::error::{Error, Result};
use crate::policy::Limits;

/// Where the pixels came from.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub path: PathBuf,
    pub bytes: u64,
    /// SHA-256 of the whole file (trailing data included), lower-case hex.
    pub sha256: String,
}

/// A non-fatal observation about a file, with a stable code (`W_…`, listed in docs/errors.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub code: Code,
    pub message: String,
}

/// Metadata, as declared by the file.
#[derive(Debug, Clone, Serialize)]
pub struct Metadata {
    pub exif: Option<ExifSummary>,
    pub colour_space: ColourSpace,
    pub jpeg_quality: Option<QualityEstimate>,
    pub jpeg_coding: Option<Coding>,
    pub alpha: bool,
    /// Bits per channel as stored (8 or 16 for PNG, 8 for baseline JPEG, 12 for 12-bit JPEG).
    pub bit_depth: u8,
    pub animated: bool,
    pub frames: u64,
    /// Width × height as stored, before EXIF orientation.
    pub stored_size: (u32, u32),
    /// Bytes after the image's end marker (JPEG EOI / PNG IEND).
    pub trailing_bytes: u64,
}

/// One decoded file: pixels (8-bit RGB, orientation applied, alpha composited on white),
/// its source, sniffed format, metadata and warnings.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub source: Source,
    pub format: Format,
    /// The file's extension, if any (lower case).
    pub extension: Option<String>,
    pub pixels: RgbImage,
    pub metadata: Metadata,
    pub warnings: Vec<Warning>,
}

impl Decoded {
    pub fn width(&self) -> u32 {
        self.pixels.width()
    }
    pub fn height(&self) -> u32 {
        self.pixels.height()
    }
    pub fn has_gps(&self) -> bool {
        self.metadata.exif.as_ref().is_some_and(|e| e.gps.is_some())
    }
}

/// The embedded ICC profile of a JPEG or PNG file, when it is whole (for colour conversion;
/// [`Metadata::colour_space`] holds what it declares).
pub fn icc_profile(format: Format, bytes: &[u8], limits: &Limits) -> Option<Vec<u8>> {
    match format {
        Format::Jpeg => jpeg::walk(bytes).ok()?.icc,
        Format::Png => {
            png::walk(bytes, limits.max_exif_bytes, limits.max_icc_bytes)
                .ok()?
                .icc
        }
        _ => None,
    }
}

/// Read and decode one file with the given limits.
pub fn decode_path(path: &Path, limits: &Limits) -> Result<Decoded> {
    let bytes = read_capped(path, limits.max_file_bytes)?;
    decode_bytes(path, &bytes, limits)
}

/// Open without blocking, check the handle is a regular file, and read at most `cap` bytes.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO with no writer would otherwise block forever.
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path).map_err(|e| Error::from_io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::from_io(path, e))?;
    if !meta.is_file() {
        return Err(Error::NotRegularFile {
            path: path.to_path_buf(),
            kind: file_kind(&meta),
        });
    }
    if meta.len() == 0 {
        return Err(Error::FileEmpty {
            path: path.to_path_buf(),
        });
    }
    if meta.len() > cap {
        return Err(Error::LimitFileBytes {
            path: path.to_path_buf(),
            bytes: meta.len(),
            limit: cap,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::from_io(path, e))?;
    if bytes.len() as u64 > cap {
        return Err(Error::LimitFileBytes {
            path: path.to_path_buf(),
            bytes: bytes.len() as u64,
            limit: cap,
        });
    }
    if bytes.is_empty() {
        return Err(Error::FileEmpty {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// SHA-256 as lower-case hex.
pub fn sha256_bytes(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// SHA-256 as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of any bytes (digests, catalogue keys).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A SHA-256 from its 64-digit hex form; `None` for anything else.
pub fn sha256_from_hex(h: &str) -> Option<[u8; 32]> {
    if h.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(h.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Decode bytes already in memory; `path` is used for messages and the extension hint.
pub fn decode_bytes(path: &Path, bytes: &[u8], limits: &Limits) -> Result<Decoded> {
    let p = || path.to_path_buf();
    if bytes.is_empty() {
        return Err(Error::FileEmpty { path: p() });
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(Error::LimitFileBytes {
            path: p(),
            bytes: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    let format = match sniff::sniff(bytes) {
        sniff::Sniffed::Supported(f) => f,
        sniff::Sniffed::Unsupported(name, detail) => {
            return Err(Error::FormatUnsupported {
                path: p(),
                format: name.into(),
                detail: detail.into(),
            })
        }
        sniff::Sniffed::Unrecognized(looks_like) => {
            return Err(Error::FormatUnrecognized {
                path: p(),
                looks_like,
            })
        }
    };
    let mut warnings = Vec::new();
    let extension = sniff::extension_of(path);
    if let Some(ext) = &extension {
        if !format.extensions().contains(&ext.as_str()) {
            warnings.push(Warning {
                code: Code::ExtensionMismatch,
                message: format!(
                    "named .{ext} but the content is {}; judged by content",
                    format.name().to_uppercase()
                ),
            });
        }
    }
    let header = read_header(path, format, bytes, limits, &mut warnings)?;
    check_limits(path, &header, limits)?;
    if let Some(end) = header.end_of_image {
        let trailing = bytes.len().saturating_sub(end);
        if trailing > 0 {
            warnings.push(Warning {
                code: Code::TrailingData,
                message: format!(
                    "{trailing} bytes follow the end of the image (appended data; the SHA-256 covers them)"
                ),
            });
        }
    }
    let exif = match &header.exif_raw {
        None => None,
        Some(raw) => match exif::summarise(raw) {
            Ok(s) => Some(s),
            Err(reason) => {
                warnings.push(Warning {
                    code: Code::ExifUnreadable,
                    message: format!("EXIF block could not be read ({reason}); GPS status unknown"),
                });
                None
            }
        },
    };
    if let ColourSpace::CorruptIcc { detail } = &header.colour_space {
        warnings.push(Warning {
            code: Code::IccUnreadable,
            message: format!("embedded ICC profile could not be read ({detail})"),
        });
    }
    let decoded = decode_pixels(path, format, bytes, limits)?;
    let alpha = decoded.color().has_alpha();
    if header.animated {
        warnings.push(Warning {
            code: Code::Animated,
            message: format!(
                "animated image with {} frames; only the first frame is used",
                header.frames
            ),
        });
    }
    let bit_depth = header.bit_depth;
    if bit_depth > 8 {
        warnings.push(Warning {
            code: Code::HighBitDepth,
            message: format!("{bit_depth}-bit channels were rounded to 8 bits for measuring"),
        });
    }
    let stored_size = (decoded.width(), decoded.height());
    let mut pixels = to_rgb8_on_white(decoded);
    if alpha {
        warnings.push(Warning {
            code: Code::AlphaComposited,
            message: "transparent pixels were composited on white for measuring".into(),
        });
    }
    let orientation = exif.as_ref().and_then(|e| e.orientation).unwrap_or(1);
    if orientation != 1 {
        pixels = apply_orientation(pixels, orientation);
    }
    let trailing_bytes = header
        .end_of_image
        .map(|e| bytes.len().saturating_sub(e) as u64)
        .unwrap_or(0);
    Ok(Decoded {
        source: Source {
            path: p(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        },
        format,
        extension,
        pixels,
        metadata: Metadata {
            exif,
            colour_space: header.colour_space,
            jpeg_quality: header.jpeg_quality,
            jpeg_coding: header.jpeg_coding,
            alpha,
            bit_depth,
            animated: header.animated,
            frames: header.frames,
            stored_size,
            trailing_bytes,
        },
        warnings,
    })
}

fn image_limits(limits: &Limits) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_side_px);
    l.max_image_height = Some(limits.max_side_px);
    l.max_alloc = Some(limits.max_decode_alloc_bytes);
    l
}

fn probe_dimensions(
    path: &Path,
    format: Format,
    bytes: &[u8],
    limits: &Limits,
) -> Result<(u32, u32)> {
    guarded(path, || {
        let mut reader =
            image::ImageReader::with_format(std::io::Cursor::new(bytes), format.image_format());
        reader.limits(image_limits(limits));
        let dec = reader
            .into_decoder()
            .map_err(|e| map_image_error(path, e))?;
        Ok(dec.dimensions())
    })
}

fn decode_pixels(
    path: &Path,
    format: Format,
    bytes: &[u8],
    limits: &Limits,
) -> Result<DynamicImage> {
    guarded(path, || {
        let mut reader =
            image::ImageReader::with_format(std::io::Cursor::new(bytes), format.image_format());
        reader.limits(image_limits(limits));
        let dec = reader
            .into_decoder()
            .map_err(|e| map_image_error(path, e))?;
        // `from_decoder` does not check the output buffer against `max_alloc` (image's own
        // `ImageReader::decode` reserves it by hand too): reserve it here so an oversized buffer
        // is refused, never allocated. (`from_decoder` never applies EXIF orientation; we do.)
        let mut budget = image_limits(limits);
        budget
            .reserve(dec.total_bytes())
            .map_err(|e| map_image_error(path, e))?;
        DynamicImage::from_decoder(dec).map_err(|e| map_image_error(path, e))
    })
}

/// Run decoder code, turning a panic into `E_DECODER_PANIC`.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::DecoderPanic {
                path: path.to_path_buf(),
                detail,
            })
        }
    }
}

fn map_image_error(path: &Path, e: image::ImageError) -> Error {
    let p = path.to_path_buf();
    match e {
        image::ImageError::Limits(l) => Error::LimitMemory {
            path: p,
            detail: l.to_string(),
        },
        image::ImageError::Unsupported(u) => Error::FormatUnsupported {
            path: p,
            format: "this variant".into(),
            detail: u.to_string(),
        },
        image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::DecodeTruncated {
                path: p,
                detail: io.to_string(),
            }
        }
        other => {
            let detail = other.to_string();
            let l = detail.to_ascii_lowercase();
            if l.contains("eof")
                || l.contains("end of")
                || l.contains("truncat")
                || l.contains("no more data")
            {
                Error::DecodeTruncated { path: p, detail }
            } else {
                Error::DecodeCorrupt { path: p, detail }
            }
        }
    }
}

/// 8-bit RGB with alpha composited over white (reliability row 16: transparent product shots
/// are judged as they appear on the white listing page). 16-bit values are rounded.
pub fn to_rgb8_on_white(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    for (o, px) in out.pixels_mut().zip(rgba.pixels()) {
        let a = px[3] as u32;
        for c in 0..3 {
            // Integer blend with rounding: exact for a = 0 and a = 255.
            o[c] = ((px[c] as u32 * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    out
}

/// Apply EXIF orientation 1–8 (TIFF 6.0 semantics).
pub fn apply_orientation(img: RgbImage, orientation: u8) -> RgbImage {
    use image::imageops;
    match orientation {
        2 => imageops::flip_horizontal(&img),
        3 => imageops::rotate180(&img),
        4 => imageops::flip_vertical(&img),
        5 => imageops::flip_horizontal(&imageops::rotate90(&img)),
        6 => imageops::rotate90(&img),
        7 => imageops::flip_horizontal(&imageops::rotate270(&img)),
        8 => imageops::rotate270(&img),
        _ => img,
    }
}

/// Exercise the panic guard with a panicking "decoder" (tests and the bad-input matrix use it;
/// there is no known input that makes our pinned decoders panic).
#[doc(hidden)]
pub fn guarded_for_tests(path: &Path) -> Result<Decoded> {
    guarded(path, || -> Result<Decoded> {
        panic!("simulated decoder panic")
    })
}
