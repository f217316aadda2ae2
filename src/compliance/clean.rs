//! The hidden image must be clean: the platform's definition of the hidden image is the main
//! image's photo *without* text, logos, borders, price tags, arrows or watermarks, and its
//! checks still catch a QR code under 20×20 px or 30 %-opaque text. One finding per kind
//! (`hidden.clean.<kind>`), each with the boxes found. The main image's overlays are allowed;
//! `overlay.main` reports them as information.

use serde_json::json;

use super::measures::PairMeasures;
use super::{Finding, Marked, Reason, Role, Status};
use crate::overlay::{Analysis, Judgement, Kind, NotRun};
use crate::policy::Policy;

fn rule_id(k: Kind) -> &'static str {
    match k {
        Kind::Qr => "hidden.clean.qr",
        Kind::Barcode => "hidden.clean.barcode",
        Kind::Frame => "hidden.clean.frame",
        Kind::Banner => "hidden.clean.banner",
        Kind::Sticker => "hidden.clean.sticker",
        Kind::Text => "hidden.clean.text",
        Kind::Watermark => "hidden.clean.watermark",
        Kind::Arrow => "hidden.clean.arrow",
    }
}

/// One finding per overlay kind for the hidden image.
pub fn hidden_clean(a: &Analysis, policy: &Policy) -> Vec<Finding> {
    Kind::ALL
        .iter()
        .map(|&k| kind_finding(a, k, policy))
        .collect()
}

fn kind_finding(a: &Analysis, k: Kind, policy: &Policy) -> Finding {
    let id = rule_id(k);
    let limit = json!({"max_count": 0, "min_confidence": policy.min_overlay_confidence});
    if let Some(NotRun::TooSmall) = a.not_run {
        return Finding::new(
            id,
            Status::Skipped,
            Reason::NotRunTooSmall,
            json!(null),
            limit,
            "not checked: the image is under 32 px on its shorter side",
        );
    }
    let mine: Vec<_> = a.detections.iter().filter(|d| d.kind == k).collect();
    let counted: Vec<_> = mine
        .iter()
        .filter(|d| {
            d.judgement == Judgement::Overlay && d.confidence >= policy.min_overlay_confidence
        })
        .collect();
    let boxes: Vec<Marked> = mine
        .iter()
        .map(|d| Marked::detection(Role::Hidden, d))
        .collect();
    let measured = json!({"count": counted.len(), "print_on_product": mine.iter().filter(|d| d.judgement == Judgement::ProductPrint).count()});
    if let Some(first) = counted.first() {
        let b = first.bbox;
        let more = if counted.len() > 1 {
            format!(" and {} more", counted.len() - 1)
        } else {
            String::new()
        };
        Finding::new(
            id,
            Status::Fail,
            Reason::Found,
            measured,
            limit,
            format!(
                "the hidden image carries {} ({}×{} px at {},{}{more}); the platform rejects hidden images with text, logos, codes, frames, stickers, arrows or watermarks",
                k.words(),
                b.width,
                b.height,
                b.x,
                b.y
            ),
        )
        .with_fix("use the photo from before any overlay was added; remove it in your editor only if the product underneath is intact")
        .with_boxes(boxes)
    } else if !mine.is_empty() && k == Kind::Text {
        Finding::new(
            id,
            Status::Pass,
            Reason::OnlyProductPrint,
            measured,
            limit,
            "only text printed on the product itself (allowed: it is part of the photo)",
        )
        .with_boxes(boxes)
    } else {
        Finding::new(
            id,
            Status::Pass,
            Reason::NoOverlays,
            measured,
            limit,
            format!(
                "no {} found",
                k.words().trim_start_matches("a ").trim_start_matches("an ")
            ),
        )
        .with_boxes(boxes)
    }
}

/// `overlay.main`: what the main image carries over the hidden image. Allowed by the rules, so
/// always `pass`; listed so the seller sees that the difference is an overlay and not a
/// different photo.
pub fn main_overlays(m: &PairMeasures, _policy: &Policy) -> Finding {
    let regions = super::overlap::overlay_regions(m);
    let measured = json!({"regions": regions.len(), "area_px": regions.iter().map(|r| r.area_px).sum::<u64>()});
    if regions.is_empty() {
        return Finding::new(
            "overlay.main",
            Status::Pass,
            Reason::NoOverlays,
            measured,
            json!("allowed"),
            "the main image adds nothing over the hidden image",
        );
    }
    let mut things: Vec<String> = regions
        .iter()
        .take(4)
        .map(|r| format!("{} {}", r.place.thing(), r.place.words()))
        .collect();
    things.dedup();
    let n = things.len();
    let list = match n {
        1 => things[0].clone(),
        _ => format!("{} and {}", things[..n - 1].join(", "), things[n - 1]),
    };
    Finding::new(
        "overlay.main",
        Status::Pass,
        Reason::OverlaysAllowedOnMain,
        measured,
        json!("allowed"),
        format!("the main image has {list}; overlays are allowed on the main image"),
    )
    .with_boxes(regions.iter().map(|r| Marked::added(r)).collect())
}
