//! Lossless metadata removal: EXIF (and with it GPS), XMP and other text blocks are removed by
//! re-muxing JPEG segments / PNG chunks; the compressed pixel data is copied byte for byte, so the
//! decoded pixels cannot change. Orientation survives (as a 26-byte EXIF block holding only the
//! Orientation tag), because dropping it would rotate the photo on screen.

use std::path::{Path, PathBuf};

use img_parts::{jpeg::Jpeg, png::Png, Bytes};
use serde::Serialize;

use crate::decode::{self, ColourSpace, Format};
use crate::error::{Error, Result};
use crate::policy::Limits;

/// What to remove.
#[derive(Debug, Clone, Copy, Default)]
pub struct StripOptions {
    /// Also remove comments, timestamps and an sRGB ICC profile. A non-sRGB profile is always kept:
    /// removing it would change the colours people see.
    pub all: bool,
}

/// What one strip did; verified facts, not intentions.
#[derive(Debug, Clone, Serialize)]
pub struct StripReport {
    pub input: PathBuf,
    pub output: PathBuf,
    pub format: Format,
    pub bytes_before: u64,
    pub bytes_after: u64,
    /// Human-readable list of the blocks removed (e.g. "APP1 Exif (1 204 bytes)").
    pub removed: Vec<String>,
    /// Blocks deliberately kept and why.
    pub kept: Vec<String>,
    pub gps_before: bool,
    pub gps_after: bool,
    /// Orientation preserved in a minimal EXIF block (when it was not 1).
    pub orientation_kept: Option<u8>,
    /// Decoded pixels of input and output compared equal, byte for byte.
    pub pixels_identical: bool,
    pub sha256_after: String,
}

/// A minimal big-endian TIFF/EXIF block holding only IFD0 Orientation.
pub fn orientation_only_exif(orientation: u8) -> Vec<u8> {
    let mut v = Vec::with_capacity(26);
    v.extend_from_slice(b"MM\0*\0\0\0\x08");
    v.extend_from_slice(&[0, 1]); // one entry
    v.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0]);
    v.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
    v
}

fn is_srgb_or_untagged(cs: &ColourSpace) -> bool {
    cs.is_srgb_compatible()
}

/// New file bytes, blocks removed, blocks deliberately kept.
pub type Stripped = (Vec<u8>, Vec<String>, Vec<String>);

/// Strip metadata from bytes already known to decode (call [`decode::decode_bytes`] first).
/// Returns the new file bytes and the list of removed / kept blocks.
pub fn strip_bytes(
    format: Format,
    bytes: &[u8],
    orientation: u8,
    colour: &ColourSpace,
    opts: StripOptions,
) -> std::result::Result<Stripped, String> {
    let block = (orientation != 1).then(|| orientation_only_exif(orientation));
    let (out, removed, mut kept) = strip_bytes_with(format, bytes, block.as_deref(), colour, opts)?;
    if orientation != 1 {
        kept.push(format!(
            "EXIF Orientation = {orientation} (only this tag, so the photo stays upright)"
        ));
    }
    Ok((out, removed, kept))
}

/// EXIF tags a seller may keep when the rest (GPS first) goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeepTag {
    /// IFD0 Artist.
    Artist,
    /// IFD0 Copyright.
    Copyright,
    /// IFD0 Make and Model.
    Camera,
    /// DateTimeOriginal and OffsetTimeOriginal (Exif IFD).
    CaptureTime,
}

/// A TIFF/EXIF block holding the orientation (when not 1) and the `keep` tags the summary has,
/// or `None` when that is nothing. Written by kamadak-exif's writer, big-endian.
pub fn kept_exif(
    orientation: u8,
    exif: Option<&decode::exif::ExifSummary>,
    keep: &[KeepTag],
) -> Option<Vec<u8>> {
    use exif::{Field, In, Tag, Value};
    let ascii = |tag: Tag, v: &Option<String>| {
        v.as_ref().map(|t| Field {
            tag,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![t.as_bytes().to_vec()]),
        })
    };
    let mut fields: Vec<Field> = Vec::new();
    if orientation != 1 {
        fields.push(Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![orientation as u16]),
        });
    }
    if let Some(e) = exif {
        for k in keep {
            let f = match k {
                KeepTag::Artist => vec![ascii(Tag::Artist, &e.artist)],
                KeepTag::Copyright => vec![ascii(Tag::Copyright, &e.copyright)],
                KeepTag::Camera => vec![ascii(Tag::Make, &e.make), ascii(Tag::Model, &e.model)],
                KeepTag::CaptureTime => vec![
                    ascii(Tag::DateTimeOriginal, &e.date_time_original),
                    ascii(Tag::OffsetTimeOriginal, &e.offset_time_original),
                ],
            };
            fields.extend(f.into_iter().flatten());
        }
    }
    if fields.is_empty() {
        return None;
    }
    let mut w = exif::experimental::Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    w.write(&mut out, false).ok()?;
    Some(out.into_inner())
}

/// [`strip_bytes`] with the EXIF block to put back (`None`: no EXIF at all).
pub fn strip_bytes_with(
    format: Format,
    bytes: &[u8],
    exif_block: Option<&[u8]>,
    colour: &ColourSpace,
    opts: StripOptions,
) -> std::result::Result<Stripped, String> {
    let mut removed = Vec::new();
    let mut kept = Vec::new();
    let keep_icc = !opts.all || !is_srgb_or_untagged(colour);
    let out = match format {
        Format::Jpeg => {
            let mut jpeg =
                Jpeg::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|e| e.to_string())?;
            let segs = jpeg.segments_mut();
            segs.retain(|s| {
                let m = s.marker();
                let c = s.contents();
                let label = match m {
                    0xE1 if c.starts_with(b"Exif\0\0") => Some("APP1 Exif"),
                    0xE1 => Some("APP1 XMP/other"),
                    0xED => Some("APP13 Photoshop/IPTC"),
                    0xE2 if c.starts_with(b"ICC_PROFILE\0") => {
                        if keep_icc {
                            None
                        } else {
                            Some("APP2 ICC profile (sRGB)")
                        }
                    }
                    0xFE if opts.all => Some("COM comment"),
                    0xE3..=0xEC | 0xEF if opts.all => Some("APPn vendor block"),
                    _ => None,
                };
                match label {
                    Some(l) => {
                        removed.push(format!("{l} ({} bytes)", c.len()));
                        false
                    }
                    None => true,
                }
            });
            if let Some(block) = exif_block {
                let mut body = b"Exif\0\0".to_vec();
                body.extend_from_slice(block);
                let at = segs.iter().position(|s| s.marker() != 0xE0).unwrap_or(0);
                segs.insert(
                    at,
                    img_parts::jpeg::JpegSegment::new_with_contents(0xE1, Bytes::from(body)),
                );
            }
            let mut v = Vec::with_capacity(bytes.len());
            jpeg.encoder().write_to(&mut v).map_err(|e| e.to_string())?;
            v
        }
        Format::Png => {
            let mut png =
                Png::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|e| e.to_string())?;
            let chunks = png.chunks_mut();
            chunks.retain(|c| {
                let k = c.kind();
                let drop = match &k {
                    b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" => true,
                    b"tIME" => opts.all,
                    b"iCCP" => !keep_icc,
                    _ => false,
                };
                if drop {
                    removed.push(format!(
                        "{} chunk ({} bytes)",
                        String::from_utf8_lossy(&k),
                        c.contents().len()
                    ));
                }
                !drop
            });
            if let Some(block) = exif_block {
                let at = chunks
                    .iter()
                    .position(|c| &c.kind() == b"IDAT")
                    .unwrap_or(1);
                chunks.insert(
                    at,
                    img_parts::png::PngChunk::new(*b"eXIf", Bytes::copy_from_slice(block)),
                );
            }
            let mut v = Vec::with_capacity(bytes.len());
            png.encoder().write_to(&mut v).map_err(|e| e.to_string())?;
            v
        }
        other => {
            return Err(format!(
                "{} files cannot be stripped losslessly; convert to JPEG or PNG",
                other.name().to_uppercase()
            ))
        }
    };
    if keep_icc
        && !matches!(colour, ColourSpace::Untagged)
        && !matches!(colour, ColourSpace::Srgb { .. })
    {
        kept.push(format!(
            "colour profile: {} (removing it would change the colours; convert to sRGB instead)",
            colour.label()
        ));
    }
    Ok((out, removed, kept))
}

/// Strip `input` into `out_dir/<file name>`, verifying pixels are identical and GPS is gone
/// before the output appears (written to a temporary file, then renamed).
pub fn strip_file(
    input: &Path,
    out_dir: &Path,
    opts: StripOptions,
    limits: &Limits,
) -> Result<StripReport> {
    let bytes = decode::read_capped(input, limits.max_file_bytes)?;
    let name = input.file_name().ok_or_else(|| Error::Usage {
        path: input.to_path_buf(),
        detail: "input has no file name".into(),
    })?;
    let output = out_dir.join(name);
    let same = match (std::fs::canonicalize(input), std::fs::canonicalize(&output)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(Error::Usage {
            path: output,
            detail: "output would overwrite the input; choose another --out directory".into(),
        });
    }
    let (new_bytes, report) = strip_verified(input, &output, &bytes, opts, limits)?;
    write_atomically(&output, &new_bytes)?;
    Ok(report)
}

/// Strip `bytes` (read from `input`) and verify the result before anyone writes it: it
/// decodes, its pixels equal the input's, and it carries no GPS. `output` only names the result
/// in messages and the report. Used by `strip` (which then writes the file) and by `serve`
/// (which sends the bytes back).
pub fn strip_verified(
    input: &Path,
    output: &Path,
    bytes: &[u8],
    opts: StripOptions,
    limits: &Limits,
) -> Result<(Vec<u8>, StripReport)> {
    let before = decode::decode_bytes(input, bytes, limits)?;
    let output = output.to_path_buf();
    let orientation = before
        .metadata
        .exif
        .as_ref()
        .and_then(|e| e.orientation)
        .unwrap_or(1);
    let stripped = std::panic::catch_unwind(|| {
        strip_bytes(
            before.format,
            bytes,
            orientation,
            &before.metadata.colour_space,
            opts,
        )
    })
    .map_err(|_| Error::DecoderPanic {
        path: input.to_path_buf(),
        detail: "metadata re-muxer panicked".into(),
    })?;
    let (new_bytes, removed, kept) = stripped.map_err(|detail| Error::FormatUnsupported {
        path: input.to_path_buf(),
        format: before.format.name().to_uppercase(),
        detail,
    })?;
    let after = decode::decode_bytes(&output, &new_bytes, limits).map_err(|e| Error::Output {
        path: output.clone(),
        detail: format!("stripped file does not decode ({e}); nothing written"),
    })?;
    let pixels_identical = after.pixels.as_raw() == before.pixels.as_raw();
    if !pixels_identical {
        return Err(Error::Output {
            path: output,
            detail: "stripped pixels differ from the input; nothing written".into(),
        });
    }
    if after.has_gps() {
        return Err(Error::Output {
            path: output,
            detail: "GPS still present after stripping; nothing written".into(),
        });
    }
    let report = StripReport {
        input: input.to_path_buf(),
        output,
        format: before.format,
        bytes_before: bytes.len() as u64,
        bytes_after: new_bytes.len() as u64,
        removed,
        kept,
        gps_before: before.has_gps(),
        gps_after: false,
        orientation_kept: (orientation != 1).then_some(orientation),
        pixels_identical,
        sha256_after: decode::sha256_hex(&new_bytes),
    };
    Ok((new_bytes, report))
}

/// Write via a temporary file in the same directory and rename: readers never see half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_via_temp(path, bytes, true)
}

/// [`write_atomically`], but never replacing an existing file: the finished temporary file is
/// hard-linked to `path`, which fails when `path` exists (no window in which another writer's
/// file could be clobbered). Where hard links are not supported, an existence check and a
/// rename.
pub fn write_atomically_new(path: &Path, bytes: &[u8]) -> Result<()> {
    write_via_temp(path, bytes, false)
}

/// The error for an output that exists and may not be replaced (`--force` replaces it).
pub fn exists_error(path: &Path) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        detail: "already exists; choose another name or pass --force to replace it".to_string(),
    }
}

fn write_via_temp(path: &Path, bytes: &[u8], replace: bool) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let err = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::AlreadyExists => exists_error(path),
        _ => Error::Output {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
    };
    if !replace && path.exists() {
        return Err(exists_error(path));
    }
    std::fs::create_dir_all(dir).map_err(err)?;
    let tmp = dir.join(format!(
        ".{}.pairproof-tmp-{}",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let res = (|| {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if replace {
            return std::fs::rename(&tmp, path);
        }
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => std::fs::remove_file(&tmp),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
            Err(_) if !path.exists() => std::fs::rename(&tmp, path),
            Err(e) => Err(e),
        }
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    Ok(())
}
