//! Main-image lint: the rules for the listing's first image (or the live-stream cover).

use serde::Serialize;
use serde_json::json;

use super::background;
use super::pair;
use super::{mib, rgb_json, round2, Finding, Reason, Status};
use crate::decode::Decoded;
use crate::policy::Policy;

/// Which set of main-image rules applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// The listing's main image: white background, 800–2000 px, subject fills the frame.
    #[default]
    Main,
    /// Live-stream cover: exactly 1080×1920 (9:16), ≤ 5 MB; no background or fill rules.
    LiveCover,
}

const SIDES: [&str; 4] = ["top", "right", "bottom", "left"];

/// Evaluate the lint rules for one image.
pub fn evaluate(img: &Decoded, policy: &Policy, profile: Profile) -> Vec<Finding> {
    let one = [("image", img)];
    let mut out = vec![
        pair::format(&one),
        pair::file_size(&one, policy),
        file_size_recommended(img, policy),
    ];
    match profile {
        Profile::Main => {
            out.push(min_size(img, policy));
            out.push(max_side(img, policy));
            let bg = background::measure(
                &img.pixels,
                policy.background_tolerance_rgb,
                policy.min_background_agreement,
            );
            out.push(background_white(bg.as_ref(), policy));
            out.push(subject_fill(img, bg.as_ref(), policy));
        }
        Profile::LiveCover => out.push(live_cover_size(img, policy)),
    }
    out.push(pair::colour(&one));
    out.push(pair::gps(&one));
    out
}

fn file_size_recommended(img: &Decoded, policy: &Policy) -> Finding {
    let b = img.source.bytes;
    let (lo, hi) = (
        policy.recommended_min_file_bytes,
        policy.recommended_max_file_bytes,
    );
    let limit = json!([lo, hi]);
    // A small file is a problem only when it is small because it was compressed hard: a clean
    // 1000² product shot on white is 150–400 KB at JPEG q95 and looks as sharp as it gets.
    let quality = match img.format {
        crate::decode::Format::Jpeg => img.metadata.jpeg_quality.map(|q| q.quality as f64),
        _ => Some(100.0),
    };
    let soft = quality.is_some_and(|q| q < policy.min_sharp_jpeg_quality);
    if b < lo && !soft {
        return Finding::new(
            "lint.file_size_recommended",
            Status::Pass,
            Reason::SmallButSharp,
            json!(b),
            limit,
            format!(
                "{} is below the 500 KB the platform recommends, but it is not compressed hard (quality ≈{:.0}): fine",
                mib(b),
                quality.unwrap_or(100.0)
            ),
        )
        .advice();
    }
    if b < lo {
        Finding::new(
            "lint.file_size_recommended",
            Status::Warn,
            Reason::SmallAndCompressed,
            json!(b),
            limit,
            format!(
                "{} is below the recommended 500 KB and compressed hard (JPEG quality ≈{:.0}); the platform may show it soft",
                mib(b),
                quality.unwrap_or(0.0)
            ),
        )
        .with_fix("export at a higher JPEG quality (90+)")
    } else if b > hi {
        Finding::new(
            "lint.file_size_recommended",
            Status::Warn,
            Reason::OverRecommended,
            json!(b),
            limit,
            format!(
                "{} is above the recommended 2 MB; pages load slower",
                mib(b)
            ),
        )
        .with_fix("export at JPEG quality 85–90")
    } else {
        Finding::new(
            "lint.file_size_recommended",
            Status::Pass,
            Reason::InRange,
            json!(b),
            limit,
            "file size in the recommended 500 KB – 2 MB",
        )
        .advice()
    }
}

fn min_size(img: &Decoded, policy: &Policy) -> Finding {
    let (w, h) = img.pixels.dimensions();
    let short = w.min(h);
    let measured = json!([w, h]);
    if short < policy.min_side_px {
        Finding::new(
            "lint.min_size",
            Status::Fail,
            Reason::BelowMinimum,
            measured,
            json!(policy.min_side_px),
            format!(
                "{w}×{h} is smaller than the required {0}×{0}",
                policy.min_side_px
            ),
        )
        .with_fix(format!(
            "use a photo of at least {0}×{0} (ideally {1}×{1}); do not upscale a small one",
            policy.min_side_px, policy.recommended_side_px
        ))
    } else if short < policy.recommended_side_px {
        Finding::new(
            "lint.min_size",
            Status::Warn,
            Reason::BelowRecommended,
            measured,
            json!(policy.min_side_px),
            format!(
                "{w}×{h} meets the minimum but {0}×{0} is recommended (zoom works from 1000 px)",
                policy.recommended_side_px
            ),
        )
        .with_fix(format!("export at {0}×{0}", policy.recommended_side_px))
    } else {
        Finding::new(
            "lint.min_size",
            Status::Pass,
            Reason::BigEnough,
            measured,
            json!(policy.min_side_px),
            format!("{w}×{h}"),
        )
    }
}

fn max_side(img: &Decoded, policy: &Policy) -> Finding {
    let (w, h) = img.pixels.dimensions();
    let long = w.max(h);
    if long > policy.max_long_side_px {
        Finding::new(
            "lint.max_side",
            Status::Fail,
            Reason::OverLimit,
            json!(long),
            json!(policy.max_long_side_px),
            format!("long side {long} px exceeds {} px", policy.max_long_side_px),
        )
        .with_fix(format!(
            "resize so the long side is at most {} px",
            policy.max_long_side_px
        ))
    } else {
        Finding::new(
            "lint.max_side",
            Status::Pass,
            Reason::WithinLimit,
            json!(long),
            json!(policy.max_long_side_px),
            format!("long side {long} px"),
        )
    }
}

fn background_white(bg: Option<&background::Background>, policy: &Policy) -> Finding {
    let limit = json!(policy.max_white_deviation_rgb);
    let Some(bg) = bg else {
        return Finding::new(
            "lint.background_white",
            Status::Skipped,
            Reason::ImageTooSmall,
            json!(null),
            limit,
            "image too small to measure",
        );
    };
    let deviation = bg.rgb.iter().map(|c| 255.0 - c).fold(0.0, f64::max);
    let where_: Vec<String> = SIDES
        .iter()
        .zip(bg.disagreement_by_side.iter())
        .filter(|(_, &d)| d > 0.02)
        .map(|(s, d)| format!("{s} {:.0} %", d * 100.0))
        .collect();
    let measured = json!({
        "rgb": rgb_json(&bg.rgb),
        "max_deviation": round2(deviation),
        "flat": bg.flat,
        "pixels": bg.pixels_description(),
        "non_background_share_by_side": {"top": round2(bg.disagreement_by_side[0]), "right": round2(bg.disagreement_by_side[1]), "bottom": round2(bg.disagreement_by_side[2]), "left": round2(bg.disagreement_by_side[3])},
        "frame": bg.frame,
    });
    let where_note = if where_.is_empty() {
        String::new()
    } else {
        format!(
            "; off-background pixels on the border: {}",
            where_.join(", ")
        )
    };
    if bg.frame.is_some() {
        let f = bg
            .frame
            .as_ref()
            .map(|f| (f.thickness_px, f.rgb))
            .unwrap_or_default();
        return Finding::new(
            "lint.background_white",
            Status::Fail, Reason::FrameAround,
            measured,
            limit,
            format!("a {}-px border of RGB({},{},{}) surrounds the image; main images need a plain white background", f.0, f.1[0], f.1[1], f.1[2]),
        )
        .with_fix("remove the border");
    }
    if !bg.flat {
        return Finding::new(
            "lint.background_white",
            Status::Fail,
            Reason::NotFlat,
            measured,
            limit,
            format!(
                "no uniform background: only {:.0} % of the border is one colour{where_note}",
                bg.agreement * 100.0
            ),
        )
        .with_fix("photograph or cut out the product on pure white (255,255,255)");
    }
    if deviation <= policy.max_white_deviation_rgb {
        Finding::new(
            "lint.background_white",
            Status::Pass,
            Reason::White,
            measured,
            limit,
            format!("white background (within {deviation:.1} levels of 255){where_note}"),
        )
    } else {
        Finding::new(
            "lint.background_white",
            Status::Fail, Reason::NotWhite,
            measured,
            limit,
            format!(
                "background is RGB({:.0},{:.0},{:.0}), {deviation:.1} levels from pure white{where_note}",
                bg.rgb[0], bg.rgb[1], bg.rgb[2]
            ),
        )
        .with_fix("set the background to pure white (255,255,255): levels/curves, or re-cut the product")
    }
}

fn subject_fill(img: &Decoded, bg: Option<&background::Background>, policy: &Policy) -> Finding {
    let limit = json!(policy.min_subject_fill);
    let Some(bg) = bg.filter(|b| b.flat) else {
        return Finding::new(
            "lint.subject_fill",
            Status::Skipped,
            Reason::NoFlatBackground,
            json!(null),
            limit,
            "no flat background, so the subject's extent cannot be measured",
        );
    };
    let (w, h) = img.pixels.dimensions();
    let mask = background::foreground_mask(&img.pixels, bg, policy.foreground_delta_rgb);
    let min_count = (w.min(h) / 500).max(2);
    let Some((bx, by, bw, bh)) = background::bounding_box(&mask, w, h, min_count) else {
        return Finding::new(
            "lint.subject_fill",
            Status::Fail,
            Reason::Blank,
            json!(0.0),
            limit,
            "no product found: the image is blank",
        )
        .with_fix("use a photo of the product");
    };
    let fill = (bw as f64 / w as f64).max(bh as f64 / h as f64);
    let measured = json!({"fill": round2(fill), "subject_box": [bx, by, bw, bh]});
    if fill >= policy.min_subject_fill {
        Finding::new(
            "lint.subject_fill",
            Status::Pass,
            Reason::FillsFrame,
            measured,
            limit,
            format!("the product fills {:.0} % of the frame", fill * 100.0),
        )
    } else {
        Finding::new(
            "lint.subject_fill",
            Status::Fail, Reason::SmallInFrame,
            measured,
            limit,
            format!("the product fills only {:.0} % of the frame (box {bw}×{bh} at {bx},{by}); at least {:.0} % is required", fill * 100.0, policy.min_subject_fill * 100.0),
        )
        .with_fix("crop closer to the product (keep the white margin small)")
    }
}

fn live_cover_size(img: &Decoded, policy: &Policy) -> Finding {
    let (w, h) = img.pixels.dimensions();
    let want = policy.live_cover_size_px;
    if (w, h) == want {
        Finding::new(
            "lint.live_cover_size",
            Status::Pass,
            Reason::ExactSize,
            json!([w, h]),
            json!([want.0, want.1]),
            format!("{w}×{h} (9:16)"),
        )
    } else {
        Finding::new(
            "lint.live_cover_size",
            Status::Fail,
            Reason::WrongSize,
            json!([w, h]),
            json!([want.0, want.1]),
            format!(
                "{w}×{h}; a live-stream cover must be {}×{} (9:16)",
                want.0, want.1
            ),
        )
        .with_fix(format!("crop to 9:16 and resize to {}×{}", want.0, want.1))
    }
}
