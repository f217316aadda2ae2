//! Fingerprints for catalogue matching (retrieval stage): PDQ-compatible 256-bit hashes with
//! quality and all eight dihedral variants, of the whole frame and of the canonical view (the
//! subject cropped out of a flat background). Local-feature verification comes next.

pub mod canonical;
pub mod pdq;

use image::RgbImage;
use serde::Serialize;

pub use canonical::{BoxPx, CanonicalParams};
pub use pdq::{Dihedral, Hash256, Pdq, PdqDihedral};

/// Algorithm id and version, stored with every persisted fingerprint.
pub const ALGORITHM: &str = "pairproof-pdq-canonical";
pub const ALGORITHM_VERSION: u32 = 1;

/// PDQ quality below which a hash is "featureless" and never matched on its own (PDQ's own
/// recommendation: quality < 50 hashes are unreliable).
pub const MIN_QUALITY: u8 = 50;

/// One view's hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    pub quality: u8,
    /// Original, rotate90, rotate180, rotate270, flipx, flipy, flip+1, flip-1.
    pub hashes: [Hash256; 8],
}

impl From<PdqDihedral> for View {
    fn from(d: PdqDihedral) -> View {
        View {
            quality: d.quality,
            hashes: d.hashes,
        }
    }
}

/// Retrieval fingerprint of one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fingerprint {
    pub algorithm: &'static str,
    pub algorithm_version: u32,
    pub width: u32,
    pub height: u32,
    pub whole: View,
    /// The subject cropped out of a flat background; `None` when there is nothing to trim.
    pub canonical: Option<(BoxPx, View)>,
}

/// Compute the retrieval fingerprint of an upright RGB image.
pub fn fingerprint(img: &RgbImage) -> Fingerprint {
    let whole = View::from(pdq::pdq_dihedral(img));
    let canonical = canonical::subject_box(img, &CanonicalParams::default())
        .map(|b| (b, View::from(pdq::pdq_dihedral(&canonical::crop(img, b)))));
    Fingerprint {
        algorithm: ALGORITHM,
        algorithm_version: ALGORITHM_VERSION,
        width: img.width(),
        height: img.height(),
        whole,
        canonical,
    }
}

/// The best match between two fingerprints at the hash level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HashMatch {
    /// Smallest Hamming distance (0–256) over views and orientations.
    pub distance: u32,
    /// Orientation of `b` relative to `a` that achieved it.
    pub orientation: Dihedral,
    /// Which views matched ("whole" or "canonical" for a and b).
    pub view_a: &'static str,
    pub view_b: &'static str,
    /// Both views had quality ≥ [`MIN_QUALITY`].
    pub reliable: bool,
}

fn views(f: &Fingerprint) -> Vec<(&'static str, &View)> {
    let mut v = vec![("whole", &f.whole)];
    if let Some((_, c)) = &f.canonical {
        v.push(("canonical", c));
    }
    v
}

/// Compare: `a`'s original hash against all eight orientations of `b`, for every pair of views.
/// Featureless views (quality < 50) take part only when no reliable pair exists.
pub fn best_match(a: &Fingerprint, b: &Fingerprint) -> HashMatch {
    let mut best: Option<HashMatch> = None;
    for (na, va) in views(a) {
        for (nb, vb) in views(b) {
            let reliable = va.quality >= MIN_QUALITY && vb.quality >= MIN_QUALITY;
            for (k, hb) in vb.hashes.iter().enumerate() {
                let m = HashMatch {
                    distance: va.hashes[0].hamming(hb),
                    orientation: Dihedral::ALL[k],
                    view_a: na,
                    view_b: nb,
                    reliable,
                };
                let better = match &best {
                    None => true,
                    Some(cur) => {
                        (m.reliable, std::cmp::Reverse(m.distance))
                            > (cur.reliable, std::cmp::Reverse(cur.distance))
                    }
                };
                if better {
                    best = Some(m);
                }
            }
        }
    }
    best.unwrap_or(HashMatch {
        distance: 256,
        orientation: Dihedral::Original,
        view_a: "whole",
        view_b: "whole",
        reliable: false,
    })
}

/// Similarity in [0, 1] from a hash match: `1 − distance / 128`, clamped (two unrelated images sit
/// near 128 bits, so unrelated → ≈ 0 and identical → 1; 0.85 ⇔ ≤ 19 bits). Unreliable
/// (featureless) matches are capped at 0.5 so they never pass the 0.85 rule on their own.
/// Calibration against the near-duplicate benchmark is in docs/accuracy.md.
pub fn similarity(m: &HashMatch) -> f64 {
    let s = (1.0 - m.distance as f64 / 128.0).clamp(0.0, 1.0);
    if m.reliable {
        s
    } else {
        s.min(0.5)
    }
}
