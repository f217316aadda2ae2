//! Safe fixes for a pair's mechanical failures: what a seller would otherwise redo by hand in an
//! editor, applied only where the result is the same photo. Content failures (SSIM, the
//! product's outline, the background, anything left on the hidden image) need a new photo and
//! are reported, never "fixed".
//!
//! The flow is one way: check the pair, plan per image from the failed rules, change pixels
//! (colour conversion, size) or bytes (GPS removal), encode, write both images into a new
//! folder, and check the written pair again. The report states what was done and what still
//! fails; the inputs are never touched.

use std::path::{Path, PathBuf};

use image::{imageops, RgbImage};
use serde::Serialize;

use crate::check::{self, CheckOptions, PairReport, Verdict};
use crate::compliance::Status;
use crate::decode::{self, ColourSpace, Decoded, Format};
use crate::error::{Error, Result};
use crate::metadata::{self, KeepTag, StripOptions};
use crate::policy::{Limits, Policy};
use crate::report::schema;

mod pixels;
use pixels::{
    convert_to_srgb, encode_png, highest_quality_under, offsets, place, source_profiles,
    MAX_JPEG_QUALITY, MIN_JPEG_QUALITY,
};

/// How far (pixels per side) a hidden image's size may be from the main's to be cropped or
/// padded: an export rounding or a 1-px canvas slip, not a different framing.
const MAX_CROP_PAD_PX: u32 = 2;

/// Which image of the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Main,
    Hidden,
}

/// Options of [`fix_pair`].
#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    /// Replace files already in the output folder (the inputs are never replaced).
    pub force: bool,
    /// EXIF tags carried over when EXIF goes (GPS removal, re-encoding); the rest is dropped.
    pub keep: Vec<KeepTag>,
}

/// One change made to one image.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Colours converted from the embedded profile to sRGB (the file is written untagged,
    /// which browsers and the platform read as sRGB).
    ConvertedToSrgb { role: Role, from: String },
    /// The hidden image cropped or padded (edge pixels repeated) to the main image's size;
    /// `offset` is where the old picture's top-left corner now lies.
    CroppedOrPadded {
        role: Role,
        from: [u32; 2],
        to: [u32; 2],
        offset: [i32; 2],
    },
    /// The hidden image scaled to the main image's size (same proportions, Lanczos filter).
    Resized {
        role: Role,
        from: [u32; 2],
        to: [u32; 2],
    },
    /// Metadata removed losslessly (the compressed pixels are copied byte for byte): EXIF with
    /// its GPS block; orientation kept, and the `kept` tags the seller chose.
    GpsRemoved { role: Role, kept: Vec<KeepTag> },
    /// Pixels encoded again: EXIF (GPS with it) is not carried over, except the `kept` tags.
    Reencoded {
        role: Role,
        kept: Vec<KeepTag>,
        format: Format,
        /// JPEG quality used (the highest that fits the size limit), none for PNG.
        quality: Option<u8>,
        bytes_before: u64,
        bytes_after: u64,
    },
}

/// A rule that still fails after the fixes, with the platform's words for why.
#[derive(Debug, Clone, Serialize)]
pub struct Left {
    pub id: &'static str,
    pub message: String,
    pub fix: Option<String>,
}

/// The `pairproof.fix/1` document.
#[derive(Debug, Clone, Serialize)]
pub struct FixReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub main_path: PathBuf,
    pub hidden_path: PathBuf,
    pub main_out: PathBuf,
    pub hidden_out: PathBuf,
    pub before: Verdict,
    pub after: Verdict,
    /// Rules that failed before the fixes.
    pub failed_before: Vec<&'static str>,
    pub actions: Vec<Action>,
    /// What still fails on the written pair: these need a new photo or editing by hand.
    pub needs_new_photo: Vec<Left>,
    /// The check of the written pair.
    pub check: PairReport,
}

/// Check `main` + `hidden`, apply the safe fixes, write both images into `out_dir` (created if
/// missing; an input's file name is kept) and check the written pair again.
pub fn fix_pair(
    main: &Path,
    hidden: &Path,
    out_dir: &Path,
    policy: &Policy,
    limits: &Limits,
    opts: &FixOptions,
) -> Result<FixReport> {
    let main_bytes = decode::read_capped(main, limits.max_file_bytes)?;
    let hidden_bytes = decode::read_capped(hidden, limits.max_file_bytes)?;
    let m = decode::decode_bytes(main, &main_bytes, limits)?;
    let h = decode::decode_bytes(hidden, &hidden_bytes, limits)?;
    let before = check::check_decoded(
        main,
        hidden,
        Ok(m.clone()),
        Ok(h.clone()),
        policy,
        CheckOptions::default(),
    )
    .report;
    let failed: Vec<&'static str> = before
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| f.id)
        .collect();
    let fails = |id: &str| failed.contains(&id);

    let mut actions = Vec::new();
    let mut plans = [
        Plan::new(Role::Main, main, m, main_bytes),
        Plan::new(Role::Hidden, hidden, h, hidden_bytes),
    ];
    // 1. Colour: to sRGB before anything reads the pixels.
    if fails("color.srgb") {
        for p in plans.iter_mut() {
            p.convert_colours(limits, &mut actions);
        }
    }
    // 2. Size: the hidden image takes the main image's size.
    if fails("dims.equal") || fails("dims.aspect") {
        let [pm, ph] = &mut plans;
        ph.match_size(&pm.pixels, policy, &mut actions);
    }
    // 3. Format and file size: encode what changed, or what the platform refuses as it is.
    for p in plans.iter_mut() {
        let refused_format = !matches!(p.decoded.format, Format::Jpeg | Format::Png);
        let too_big = p.decoded.source.bytes > policy.max_file_bytes;
        if p.changed || refused_format || too_big {
            p.encode(policy, &opts.keep, &mut actions)?;
        } else if fails("metadata.gps") && p.decoded.has_gps() {
            p.strip_gps(&opts.keep, &mut actions)?;
        }
    }

    let main_out = output_path(out_dir, main, &plans[0])?;
    let hidden_out = output_path(out_dir, hidden, &plans[1])?;
    if main_out == hidden_out {
        return Err(Error::Output {
            path: hidden_out,
            detail: "main and hidden image would be written to the same file name; rename one"
                .into(),
        });
    }
    for out in [&main_out, &hidden_out] {
        if same_file(main, out) || same_file(hidden, out) {
            return Err(Error::Output {
                path: out.clone(),
                detail: "is an input; choose an output folder other than the inputs' folder".into(),
            });
        }
        if out.exists() && !opts.force {
            return Err(metadata::exists_error(out));
        }
    }

    std::fs::create_dir_all(out_dir).map_err(|e| Error::Output {
        path: out_dir.to_path_buf(),
        detail: e.to_string(),
    })?;
    for (p, out) in plans.iter().zip([&main_out, &hidden_out]) {
        write(out, &p.bytes, opts.force)?;
    }
    let after = check::check_pair(
        &main_out,
        &hidden_out,
        policy,
        limits,
        CheckOptions::default(),
    )
    .report;
    let needs_new_photo = after
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| Left {
            id: f.id,
            message: f.message.clone(),
            fix: f.fix.clone(),
        })
        .collect();
    Ok(FixReport {
        schema: schema::FIX,
        tool_version: crate::VERSION,
        main_path: main.to_path_buf(),
        hidden_path: hidden.to_path_buf(),
        main_out,
        hidden_out,
        before: before.verdict,
        after: after.verdict,
        failed_before: failed,
        actions,
        needs_new_photo,
        check: after,
    })
}

/// One image on its way to the output folder.
struct Plan {
    role: Role,
    path: PathBuf,
    decoded: Decoded,
    pixels: RgbImage,
    /// Pixels differ from the decoded file's: the image must be encoded again.
    changed: bool,
    /// The bytes to write (the input's until something changes them), and their format.
    bytes: Vec<u8>,
    format: Format,
}

impl Plan {
    fn new(role: Role, path: &Path, decoded: Decoded, bytes: Vec<u8>) -> Self {
        Plan {
            role,
            path: path.to_path_buf(),
            pixels: decoded.pixels.clone(),
            format: decoded.format,
            decoded,
            changed: false,
            bytes,
        }
    }

    /// Convert to sRGB when the image carries another colour space. A profile no CMS reads
    /// and no description names is left alone: the re-check then still lists `color.srgb`.
    fn convert_colours(&mut self, limits: &Limits, actions: &mut Vec<Action>) {
        let cs = &self.decoded.metadata.colour_space;
        if cs.is_srgb_compatible() {
            return;
        }
        let converted = match cs {
            // The decoder already turned CMYK into RGB: those values are what gets written.
            ColourSpace::Cmyk { .. } => Some(self.pixels.clone()),
            _ => source_profiles(
                cs,
                decode::icc_profile(self.decoded.format, &self.bytes, limits).as_deref(),
            )
            .iter()
            .find_map(|p| convert_to_srgb(&self.pixels, p).ok()),
        };
        if let Some(px) = converted {
            self.pixels = px;
            self.changed = true;
            actions.push(Action::ConvertedToSrgb {
                role: self.role,
                from: cs.label(),
            });
        }
    }

    /// Crop or pad to `main`'s size when within [`MAX_CROP_PAD_PX`] per side (choosing the
    /// placement with the highest SSIM against the main), or scale when the proportions agree.
    fn match_size(&mut self, main: &RgbImage, policy: &Policy, actions: &mut Vec<Action>) {
        let (mw, mh) = main.dimensions();
        let (w, h) = self.pixels.dimensions();
        if (mw, mh) == (w, h) {
            return;
        }
        if w.abs_diff(mw) <= MAX_CROP_PAD_PX && h.abs_diff(mh) <= MAX_CROP_PAD_PX {
            let mut best: Option<(f64, [i32; 2], RgbImage)> = None;
            for dy in offsets(h, mh) {
                for dx in offsets(w, mw) {
                    let moved = place(&self.pixels, mw, mh, dx, dy);
                    let score = crate::similarity::compare(main, &moved, false)
                        .map(|s| s.luma)
                        .unwrap_or(f64::MIN);
                    if best.as_ref().is_none_or(|b| score > b.0) {
                        best = Some((score, [dx, dy], moved));
                    }
                }
            }
            if let Some((_, offset, img)) = best {
                actions.push(Action::CroppedOrPadded {
                    role: self.role,
                    from: [w, h],
                    to: [mw, mh],
                    offset,
                });
                self.pixels = img;
                self.changed = true;
            }
        } else if crate::compliance::pair::aspect_error_px((mw, mh), (w, h))
            <= policy.max_aspect_error_px
        {
            self.pixels = imageops::resize(&self.pixels, mw, mh, imageops::FilterType::Lanczos3);
            self.changed = true;
            actions.push(Action::Resized {
                role: self.role,
                from: [w, h],
                to: [mw, mh],
            });
        }
    }

    /// Encode the pixels: PNG stays PNG when it fits the limit, everything else is JPEG at the
    /// highest quality (≤ 95, never above the source's own) that fits.
    fn encode(
        &mut self,
        policy: &Policy,
        keep: &[KeepTag],
        actions: &mut Vec<Action>,
    ) -> Result<()> {
        let before = self.bytes.len() as u64;
        let limit = policy.max_file_bytes;
        let lossless = matches!(self.decoded.format, Format::Png | Format::Gif | Format::Bmp);
        let mut out = None;
        if lossless {
            let png = encode_png(&self.pixels).map_err(|d| self.output_error(d))?;
            if png.len() as u64 <= limit {
                out = Some((Format::Png, None, png));
            }
        }
        if out.is_none() {
            let top = self
                .decoded
                .metadata
                .jpeg_quality
                .as_ref()
                .map(|q| q.quality.clamp(MIN_JPEG_QUALITY, MAX_JPEG_QUALITY))
                .unwrap_or(MAX_JPEG_QUALITY);
            out = highest_quality_under(&self.pixels, top, limit)
                .map_err(|d| self.output_error(d))?
                .map(|(q, b)| (Format::Jpeg, Some(q), b));
        }
        let Some((format, quality, mut bytes)) = out else {
            return Err(self.output_error(format!(
                "does not fit in {limit} bytes even as a JPEG of quality {MIN_JPEG_QUALITY}; export it smaller"
            )));
        };
        // The pixels are upright already: only the chosen tags go back in.
        let exif = self.decoded.metadata.exif.as_ref();
        let kept = present(keep, exif);
        if let Some(block) = metadata::kept_exif(1, exif, &kept) {
            bytes = metadata::strip_bytes_with(
                format,
                &bytes,
                Some(&block),
                &ColourSpace::Untagged,
                StripOptions::default(),
            )
            .map_err(|d| self.output_error(d))?
            .0;
        }
        actions.push(Action::Reencoded {
            role: self.role,
            kept,
            format,
            quality,
            bytes_before: before,
            bytes_after: bytes.len() as u64,
        });
        self.bytes = bytes;
        self.format = format;
        Ok(())
    }

    fn strip_gps(&mut self, keep: &[KeepTag], actions: &mut Vec<Action>) -> Result<()> {
        let exif = self.decoded.metadata.exif.as_ref();
        let orientation = exif.and_then(|e| e.orientation).unwrap_or(1);
        let kept = present(keep, exif);
        let block = metadata::kept_exif(orientation, exif, &kept);
        let (bytes, _, _) = metadata::strip_bytes_with(
            self.decoded.format,
            &self.bytes,
            block.as_deref(),
            &self.decoded.metadata.colour_space,
            StripOptions::default(),
        )
        .map_err(|d| self.output_error(d))?;
        self.bytes = bytes;
        actions.push(Action::GpsRemoved {
            role: self.role,
            kept,
        });
        Ok(())
    }

    fn output_error(&self, detail: String) -> Error {
        Error::Output {
            path: self.path.clone(),
            detail,
        }
    }
}

/// The tags of `keep` that the image's EXIF has.
fn present(keep: &[KeepTag], exif: Option<&decode::exif::ExifSummary>) -> Vec<KeepTag> {
    let Some(e) = exif else {
        return vec![];
    };
    keep.iter()
        .copied()
        .filter(|k| match k {
            KeepTag::Artist => e.artist.is_some(),
            KeepTag::Copyright => e.copyright.is_some(),
            KeepTag::Camera => e.make.is_some() || e.model.is_some(),
            KeepTag::CaptureTime => e.date_time_original.is_some(),
        })
        .collect()
}

/// `out_dir/<input's file name>`; the extension follows the format written when it changed
/// (a PNG saved as JPEG to fit the size limit is named `.jpg`).
fn output_path(out_dir: &Path, input: &Path, p: &Plan) -> Result<PathBuf> {
    let name = input.file_name().ok_or_else(|| Error::Output {
        path: input.to_path_buf(),
        detail: "has no file name".into(),
    })?;
    let mut out = out_dir.join(name);
    if p.format != p.decoded.format {
        out.set_extension(match p.format {
            Format::Png => "png",
            _ => "jpg",
        });
    }
    Ok(out)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn write(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    if force {
        metadata::write_atomically(path, bytes)
    } else {
        metadata::write_atomically_new(path, bytes)
    }
}
