//! Rules for a hidden (clean) image against its main image. SSIM is measured by
//! [`crate::similarity`]; everything else is measured by [`measure`] (`compliance::measures`)
//! and judged here ([`judge`]) from decode results alone.
//!
//! The main image may carry overlays (banners, badges, price tags, text, frames): the pair
//! difference finds them, and every rule measured on the main leaves them out.

use crate::code::Code;
use serde_json::json;

use super::background::Background;
use super::{mib, rgb_json, round2, Finding, Reason, Status};
use crate::decode::{Decoded, Format};
use crate::policy::Policy;
use crate::similarity::RiskBand;

pub use super::measures::{measure, PairMeasures};

/// Judge a measured pair. `band` is the SSIM risk band when SSIM was computed: the
/// compression advice is only given when SSIM is at risk or failing (it is the cost of
/// re-compressing that the advice is about).
pub fn judge(
    main: &Decoded,
    hidden: &Decoded,
    m: &PairMeasures,
    band: Option<RiskBand>,
    policy: &Policy,
) -> Vec<Finding> {
    let mut out = vec![
        dims_equal(main, hidden),
        dims_aspect(main, hidden, policy),
        format(&[("main", main), ("hidden", hidden)]),
        file_size(&[("main", main), ("hidden", hidden)], policy),
        background_rule(m.bg_main.as_ref(), m.bg_hidden.as_ref(), policy),
        gps(&[("main", main), ("hidden", hidden)]),
        colour(&[("main", main), ("hidden", hidden)]),
        compression(main, hidden, band, policy),
        super::overlap::subject_overlap(main, hidden, m, policy),
        super::clean::main_overlays(m, policy),
    ];
    out.extend(super::clean::hidden_clean(&m.hidden_overlays, policy));
    out
}

/// Measure and judge every non-SSIM pair rule.
pub fn evaluate(main: &Decoded, hidden: &Decoded, policy: &Policy) -> Vec<Finding> {
    judge(main, hidden, &measure(main, hidden, policy), None, policy)
}

fn size(d: &Decoded) -> String {
    format!("{}×{}", d.width(), d.height())
}

pub fn dims_equal(main: &Decoded, hidden: &Decoded) -> Finding {
    let same = main.pixels.dimensions() == hidden.pixels.dimensions();
    let measured =
        json!({"main": [main.width(), main.height()], "hidden": [hidden.width(), hidden.height()]});
    if same {
        Finding::new(
            "dims.equal",
            Status::Pass,
            Reason::SameSize,
            measured,
            json!("equal"),
            format!("both images are {}", size(main)),
        )
    } else {
        Finding::new(
            "dims.equal",
            Status::Fail,
            Reason::SizeDiffers,
            measured,
            json!("equal"),
            format!(
                "hidden image is {}, main image is {}",
                size(hidden),
                size(main)
            ),
        )
        .with_fix(format!(
            "export the hidden image at exactly {} pixels",
            size(main)
        ))
    }
}

/// Aspect error in pixels of hidden height: |hidden_h − main_h × hidden_w / main_w|.
pub fn aspect_error_px(main: (u32, u32), hidden: (u32, u32)) -> f64 {
    let expected = main.1 as f64 * hidden.0 as f64 / main.0 as f64;
    (hidden.1 as f64 - expected).abs()
}

pub fn dims_aspect(main: &Decoded, hidden: &Decoded, policy: &Policy) -> Finding {
    let err = aspect_error_px(main.pixels.dimensions(), hidden.pixels.dimensions());
    let status = if err <= policy.max_aspect_error_px {
        Status::Pass
    } else {
        Status::Fail
    };
    let msg = if status == Status::Pass {
        format!("aspect ratios agree (off by {err:.2} px)")
    } else {
        format!(
            "aspect ratio differs: at {} px wide the hidden image should be {:.0} px tall, it is {} ({err:.1} px off)",
            hidden.width(),
            main.height() as f64 * hidden.width() as f64 / main.width() as f64,
            hidden.height()
        )
    };
    Finding::new(
        "dims.aspect",
        status,
        if status == Status::Pass {
            Reason::AspectAgrees
        } else {
            Reason::AspectDiffers
        },
        json!(round2(err)),
        json!(policy.max_aspect_error_px),
        msg,
    )
    .with_fix("crop or pad the hidden image to the main image's proportions; do not stretch it")
}

pub fn format(images: &[(&str, &Decoded)]) -> Finding {
    let bad: Vec<String> = images
        .iter()
        .filter(|(_, d)| !matches!(d.format, Format::Jpeg | Format::Png))
        .map(|(role, d)| format!("{role} image is {}", d.format.name().to_uppercase()))
        .collect();
    let renamed: Vec<String> = images
        .iter()
        .filter(|(_, d)| d.warnings.iter().any(|w| w.code == Code::ExtensionMismatch))
        .map(|(role, d)| {
            format!(
                "{role} image is named .{} but is {}",
                d.extension.as_deref().unwrap_or(""),
                d.format.name().to_uppercase()
            )
        })
        .collect();
    let measured = json!(images
        .iter()
        .map(|(r, d)| (r.to_string(), d.format.name()))
        .collect::<std::collections::BTreeMap<_, _>>());
    if !bad.is_empty() {
        Finding::new(
            "format",
            Status::Fail,
            Reason::NotJpegOrPng,
            measured,
            json!(["jpeg", "png"]),
            bad.join("; "),
        )
        .with_fix("save as JPEG or PNG")
    } else if !renamed.is_empty() {
        Finding::new(
            "format",
            Status::Warn,
            Reason::ExtensionMismatch,
            measured,
            json!(["jpeg", "png"]),
            format!(
                "{} (accepted by content; rename to avoid confusion)",
                renamed.join("; ")
            ),
        )
        .with_fix("give the file the extension of its real format")
    } else {
        Finding::new(
            "format",
            Status::Pass,
            Reason::JpegOrPng,
            measured,
            json!(["jpeg", "png"]),
            "JPEG/PNG by content",
        )
    }
}

pub fn file_size(images: &[(&str, &Decoded)], policy: &Policy) -> Finding {
    let measured = json!(images
        .iter()
        .map(|(r, d)| (r.to_string(), d.source.bytes))
        .collect::<std::collections::BTreeMap<_, _>>());
    let big: Vec<String> = images
        .iter()
        .filter(|(_, d)| d.source.bytes > policy.max_file_bytes)
        .map(|(role, d)| {
            format!(
                "{role} image is {} ({} bytes)",
                mib(d.source.bytes),
                d.source.bytes
            )
        })
        .collect();
    if big.is_empty() {
        Finding::new(
            "file.size",
            Status::Pass,
            Reason::WithinLimit,
            measured,
            json!(policy.max_file_bytes),
            format!("at most {}", mib(policy.max_file_bytes)),
        )
    } else {
        Finding::new(
            "file.size",
            Status::Fail, Reason::OverLimit,
            measured,
            json!(policy.max_file_bytes),
            format!("{}; the limit is {}", big.join("; "), mib(policy.max_file_bytes)),
        )
        .with_fix("re-save with a little more compression, or remove embedded metadata with `pairproof strip --all`")
    }
}

pub fn background_rule(
    main: Option<&Background>,
    hidden: Option<&Background>,
    policy: &Policy,
) -> Finding {
    let limit = json!(policy.max_background_delta_rgb);
    let (Some(m), Some(h)) = (main, hidden) else {
        return Finding::new(
            "background",
            Status::Skipped,
            Reason::ImageTooSmall,
            json!(null),
            limit,
            "image too small to measure a background",
        );
    };
    let delta = (0..3)
        .map(|c| (m.rgb[c] - h.rgb[c]).abs())
        .fold(0.0, f64::max);
    let measured = json!({
        "main_rgb": rgb_json(&m.rgb),
        "hidden_rgb": rgb_json(&h.rgb),
        "max_channel_delta": round2(delta),
        "main_pixels": m.pixels_description(),
        "hidden_pixels": h.pixels_description(),
        "main_flat": m.flat,
        "hidden_flat": h.flat,
    });
    let flat_note = if m.flat && h.flat {
        ""
    } else {
        " (background is not flat: compared the border's dominant colour)"
    };
    if delta <= policy.max_background_delta_rgb {
        Finding::new(
            "background",
            Status::Pass,
            Reason::BackgroundMatches,
            measured,
            limit,
            format!("background colours differ by at most {delta:.1} RGB levels{flat_note}"),
        )
    } else {
        Finding::new(
            "background",
            Status::Fail, Reason::BackgroundDiffers,
            measured,
            limit,
            format!(
                "hidden background RGB({:.0},{:.0},{:.0}) differs from main RGB({:.0},{:.0},{:.0}) by {delta:.1} levels (limit {}){flat_note}",
                h.rgb[0], h.rgb[1], h.rgb[2], m.rgb[0], m.rgb[1], m.rgb[2], policy.max_background_delta_rgb
            ),
        )
        .with_fix("use the same background colour as the main image (no re-tinting or re-exposure)")
    }
}

pub fn gps(images: &[(&str, &Decoded)]) -> Finding {
    let with: Vec<&str> = images
        .iter()
        .filter(|(_, d)| d.has_gps())
        .map(|(r, _)| *r)
        .collect();
    let unknown: Vec<&str> = images
        .iter()
        .filter(|(_, d)| {
            d.warnings
                .iter()
                .any(|w| matches!(w.code, Code::ExifUnreadable | Code::LimitMetadata))
        })
        .map(|(r, _)| *r)
        .collect();
    let measured = json!(images
        .iter()
        .map(|(r, d)| (r.to_string(), d.has_gps()))
        .collect::<std::collections::BTreeMap<_, _>>());
    if !with.is_empty() {
        Finding::new(
            "metadata.gps",
            Status::Fail,
            Reason::GpsPresent,
            measured,
            json!(false),
            format!(
                "EXIF location (GPS) found in the {} image",
                with.join(" and ")
            ),
        )
        .with_fix("remove it without re-encoding: `pairproof strip IMAGE --out DIR`")
    } else if !unknown.is_empty() {
        Finding::new(
            "metadata.gps",
            Status::Warn,
            Reason::ExifUnreadable,
            measured,
            json!(false),
            format!(
                "EXIF of the {} image is unreadable, so GPS presence is unknown",
                unknown.join(" and ")
            ),
        )
        .with_fix("remove the broken EXIF block: `pairproof strip IMAGE --out DIR`")
    } else {
        Finding::new(
            "metadata.gps",
            Status::Pass,
            Reason::NoGps,
            measured,
            json!(false),
            "no EXIF location",
        )
    }
}

pub fn colour(images: &[(&str, &Decoded)]) -> Finding {
    use crate::decode::ColourSpace;
    let measured = json!(images
        .iter()
        .map(|(r, d)| (r.to_string(), d.metadata.colour_space.label()))
        .collect::<std::collections::BTreeMap<_, _>>());
    let bad: Vec<String> = images
        .iter()
        .filter(|(_, d)| {
            !d.metadata.colour_space.is_srgb_compatible()
                && !matches!(d.metadata.colour_space, ColourSpace::CorruptIcc { .. })
        })
        .map(|(r, d)| format!("{r} image is {}", d.metadata.colour_space.label()))
        .collect();
    let corrupt: Vec<String> = images
        .iter()
        .filter(|(_, d)| matches!(d.metadata.colour_space, ColourSpace::CorruptIcc { .. }))
        .map(|(r, d)| format!("{r} image has an {}", d.metadata.colour_space.label()))
        .collect();
    if !bad.is_empty() {
        Finding::new(
            "color.srgb",
            Status::Fail,
            Reason::NotSrgb,
            measured,
            json!("sRGB or untagged"),
            bad.join("; "),
        )
        .with_fix("convert to sRGB in your editor (Export → Convert to sRGB)")
    } else if !corrupt.is_empty() {
        Finding::new(
            "color.srgb",
            Status::Warn,
            Reason::IccUnreadable,
            measured,
            json!("sRGB or untagged"),
            corrupt.join("; "),
        )
        .with_fix("re-export the image as sRGB")
    } else {
        Finding::new(
            "color.srgb",
            Status::Pass,
            Reason::Srgb,
            measured,
            json!("sRGB or untagged"),
            "sRGB colour",
        )
    }
}

/// Estimated JPEG quality, with lossless formats counted as 100.
fn quality(d: &Decoded) -> Option<f64> {
    match d.format {
        Format::Png | Format::Bmp => Some(100.0),
        _ => d.metadata.jpeg_quality.map(|q| q.quality as f64),
    }
}

pub fn compression(
    main: &Decoded,
    hidden: &Decoded,
    band: Option<RiskBand>,
    policy: &Policy,
) -> Finding {
    compression_finding(main, hidden, band, policy).advice()
}

fn compression_finding(
    main: &Decoded,
    hidden: &Decoded,
    band: Option<RiskBand>,
    policy: &Policy,
) -> Finding {
    let limit = json!(policy.max_jpeg_quality_drop);
    let (Some(qm), Some(qh)) = (quality(main), quality(hidden)) else {
        return Finding::new(
            "compression",
            Status::Skipped,
            Reason::QualityUnknown,
            json!(null),
            limit,
            "JPEG quality could not be estimated",
        );
    };
    let measured = json!({"main_quality": qm, "hidden_quality": qh, "drop": qm - qh});
    let harder = qm - qh > policy.max_jpeg_quality_drop;
    if harder && band == Some(RiskBand::Pass) {
        return Finding::new(
            "compression",
            Status::Pass,
            Reason::CompressionHarmless,
            measured,
            limit,
            format!("hidden image compressed harder (quality ≈{qh:.0} vs ≈{qm:.0}), but SSIM stays clear of the gate"),
        );
    }
    if harder {
        Finding::new(
            "compression",
            Status::Warn, Reason::CompressionCostsSsim,
            measured,
            limit,
            format!("hidden image was compressed harder than the main image (JPEG quality ≈{qh:.0} vs ≈{qm:.0}); this costs SSIM"),
        )
        .with_fix("export the hidden image from the original at the main image's quality (or as PNG)")
    } else {
        Finding::new(
            "compression",
            Status::Pass,
            Reason::CompressionComparable,
            measured,
            limit,
            format!("compression comparable (quality ≈{qh:.0} hidden vs ≈{qm:.0} main)"),
        )
    }
}
