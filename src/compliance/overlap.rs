//! `subject.overlap`: the product is in the same place in both images, measured product to
//! product. The main image may carry overlays (the platform allows them there), so what the
//! main added over the hidden image's background is left out of the main's product mask — but
//! only when it is an overlay: an addition that touches the hidden image's product is left out
//! when it lies along an edge (a banner, a frame), runs along less than a fifth of the
//! product's outline (a sticker touching it in one place), or an overlay detector found it on
//! the main image; and pieces of addition too small to be regions are left out when they touch
//! nothing of the hidden image's product (a dashed frame's dashes). A moved or re-scaled
//! product leaves a crescent or ring along much of the outline, so it still fails.

use serde_json::json;

use super::measures::PairMeasures;
use super::{background, Finding, Marked, Reason, Status};
use crate::decode::Decoded;
use crate::overlay::added::{AddedRegion, Difference};
use crate::overlay::raster;
use crate::policy::Policy;

const ID: &str = "subject.overlap";

fn skipped(reason: Reason, limit: serde_json::Value, msg: &str) -> Finding {
    Finding::new(ID, Status::Skipped, reason, json!(null), limit, msg)
}

/// The main image's additions on the background that touch nothing of the hidden image's
/// product (not within 2 half-res pixels), as a half-resolution mask. Each is too small to be an
/// added region of its own (a dashed frame's dashes, a pattern's specks, the dots of a small
/// caption) yet together they are a tenth of the picture's foreground; a moved or re-scaled
/// product leaves its crescent against the hidden product's outline, so it is never among them.
fn stray_additions(d: &Difference, hidden_fg: &[bool], hw: usize, hh: usize) -> Vec<bool> {
    let (w, h) = (d.w, d.h);
    let product: Vec<bool> = (0..w * h)
        .map(|i| {
            let (x, y) = (2 * (i % w), 2 * (i / w));
            x < hw && y < hh && hidden_fg[y * hw + x]
        })
        .collect();
    let near = raster::morph(&product, w, h, 2, true);
    let (labels, comps) = raster::components(&d.added_on_background, w, h);
    let mut touches = vec![false; comps.len()];
    for (i, &l) in labels.iter().enumerate() {
        if l > 0 && near[i] {
            touches[(l - 1) as usize] = true;
        }
    }
    labels
        .iter()
        .map(|&l| l > 0 && !touches[(l - 1) as usize])
        .collect()
}

/// The main image's additions that are overlays (left out of its product mask).
pub fn overlay_regions(m: &PairMeasures) -> Vec<&AddedRegion> {
    let Some(d) = &m.diff else { return vec![] };
    d.regions
        .iter()
        .filter(|r| {
            !r.touches_product
                || r.place.is_edge()
                || r.outline_share < 0.2
                || m.main_overlays.as_ref().is_some_and(|a| {
                    a.overlays().any(|o| {
                        let i = o.bbox.intersection_area(&r.bbox) as f32;
                        i >= 0.5 * o.bbox.area().min(r.bbox.area()) as f32
                    })
                })
        })
        .collect()
}

pub fn subject_overlap(
    main: &Decoded,
    hidden: &Decoded,
    m: &PairMeasures,
    policy: &Policy,
) -> Finding {
    let limit = json!(policy.min_subject_iou);
    let (Some(bm), Some(bh)) = (m.bg_main.as_ref(), m.bg_hidden.as_ref()) else {
        return skipped(
            Reason::ImageTooSmall,
            limit,
            "image too small to find the subject",
        );
    };
    if !bm.flat || !bh.flat {
        return skipped(
            Reason::NoFlatBackground,
            limit,
            "no flat background, so the subject cannot be separated (scene photo); SSIM still applies",
        );
    }
    let (mw, mh) = main.pixels.dimensions();
    let (hw, hh) = hidden.pixels.dimensions();
    let (w, h) = (mw.min(hw), mh.min(hh));
    if mw.abs_diff(hw) > 1 || mh.abs_diff(hh) > 1 {
        return skipped(
            Reason::SizesDiffer,
            limit,
            "sizes differ by more than 1 px; fix dims first",
        );
    }
    let mut ma = background::foreground_mask(&main.pixels, bm, policy.foreground_delta_rgb);
    let mb = background::foreground_mask(&hidden.pixels, bh, policy.foreground_delta_rgb);
    let left_out = overlay_regions(m);
    if let Some(d) = &m.diff {
        // half-resolution mask of what to leave out: added on the background, inside an
        // overlay region or in a piece that touches nothing of the hidden image's product
        let mut ex = stray_additions(d, &mb, hw as usize, hh as usize);
        for r in &left_out {
            let (x0, y0) = ((r.bbox.x / 2) as usize, (r.bbox.y / 2) as usize);
            let (x1, y1) = (
                (r.bbox.x1().div_ceil(2) as usize).min(d.w),
                (r.bbox.y1().div_ceil(2) as usize).min(d.h),
            );
            for y in y0..y1 {
                for x in x0..x1 {
                    let i = y * d.w + x;
                    ex[i] |= d.added_on_background[i];
                }
            }
        }
        let mwu = mw as usize;
        for (i, v) in ma.iter_mut().enumerate() {
            let (x, y) = (i % mwu / 2, i / mwu / 2);
            if *v && x < d.w && y < d.h && ex[y * d.w + x] {
                *v = false;
            }
        }
    }
    let Some(iou) = background::iou(&ma, mw, &mb, hw, w, h) else {
        return skipped(Reason::NoSubject, limit, "no subject found in either image");
    };
    let measured = json!((iou * 10_000.0).round() / 10_000.0);
    let boxes: Vec<Marked> = left_out.iter().map(|r| Marked::added(r)).collect();
    let note = if left_out.is_empty() {
        String::new()
    } else {
        let mut things: Vec<String> = left_out
            .iter()
            .take(3)
            .map(|r| format!("{} {}", r.place.thing(), r.place.words()))
            .collect();
        things.dedup();
        format!(
            "; measured without the main image's overlays ({})",
            things.join(", ")
        )
    };
    if iou >= policy.min_subject_iou {
        Finding::new(
            ID,
            Status::Pass,
            Reason::SameOutline,
            measured,
            limit,
            format!("the product occupies the same place (IoU {iou:.3}{note})"),
        )
        .with_boxes(boxes)
    } else {
        Finding::new(
            ID,
            Status::Fail,
            Reason::OutlineDiffers,
            measured,
            limit,
            format!(
                "the product's outline differs between the images (IoU {iou:.3}, needs {}{note})",
                policy.min_subject_iou
            ),
        )
        .with_fix("use the same photo, same framing and scale, for both images")
        .with_boxes(boxes)
    }
}
