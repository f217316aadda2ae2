//! Candidate pairs for verification, from hashes alone, in two tiers:
//!
//! 1. **PDQ views** (whole frame and canonical subject, eight orientations): exact radius
//!    search at [`TIER1_RADIUS`] bits with multi-index hashing. This finds re-encodes, resizes,
//!    mirrors and flips, colour changes, re-padding and borders.
//! 2. **Windows** (whole frame in original and mirrored orientation against the other image's
//!    80 % and 90 % sub-windows): exact linear search at [`TIER2_RADIUS`] bits. This finds crops
//!    up to 35 % of the area, anywhere in the frame, and many overlays.
//!
//! Featureless images (PDQ quality < 50) take part in neither tier: they collide with each
//! other (every blank picture looks alike). Identical files are paired by SHA-256 elsewhere.
//! Candidates are then scored exactly (`matching::score`): a candidate is never a verdict.

use rayon::prelude::*;

use super::search::{hamming, MultiIndex, Packed};
use crate::fingerprint::{self, windows::Windows, Analysis, Fingerprint};

/// Tier-1 radius: exact with two-bit probes in each of the 13 substrings (⌊38/13⌋ = 2), and
/// above the 32 bits at which hashes alone count as evidence.
pub const TIER1_RADIUS: u32 = 38;
/// Tier-2 radius. On the dev split (examples/retrieval_probe.rs) 93 % of 35 % off-centre crops
/// and 99 % of 20 % crops come within 64 bits of a window, and 0.04 % of unrelated pairs do.
pub const TIER2_RADIUS: u32 = 64;

/// The hash side of one image, as matching holds it in memory.
#[derive(Debug, Clone)]
pub struct Entry {
    pub fingerprint: Fingerprint,
    /// Reliable PDQ views, each in the eight orientations (index 0 = original).
    pub(crate) views: Vec<[Packed; 8]>,
    /// Window whole-frame hash, original and mirrored (the query side of tier 2).
    pub(crate) window_queries: [Packed; 2],
    /// Window whole-frame (original) and sub-window hashes (the indexed side of tier 2).
    pub(crate) window_index: Vec<Packed>,
    /// Takes part in tier 2.
    pub(crate) textured: bool,
}

impl Entry {
    pub fn from_analysis(a: Analysis) -> Entry {
        let f = a.fingerprint;
        let mut views = Vec::new();
        let pack = |v: &fingerprint::View| v.hashes.map(|h| h.to_u64s());
        if f.whole.quality >= fingerprint::MIN_QUALITY {
            views.push(pack(&f.whole));
        }
        if let Some((_, c)) = &f.canonical {
            if c.quality >= fingerprint::MIN_QUALITY {
                views.push(pack(c));
            }
        }
        let Windows { whole, subs } = a.windows;
        let mut window_index = vec![whole[0].to_u64s()];
        window_index.extend(subs.iter().map(|h| h.to_u64s()));
        Entry {
            textured: f.whole.quality >= fingerprint::MIN_QUALITY,
            fingerprint: f,
            views,
            // Dihedral::ALL order: index 5 is FlipY, the left–right mirror (index 4, FlipX, is
            // upside down: used here until 2026-11-28, so mirrored crops were not retrieved).
            window_queries: [whole[0].to_u64s(), whole[5].to_u64s()],
            window_index,
        }
    }
}

fn tier2(a: &Entry, b: &Entry) -> bool {
    if !(a.textured && b.textured) {
        return false;
    }
    let hit = |q: &[Packed; 2], idx: &[Packed]| {
        q.iter()
            .any(|q| idx.iter().any(|e| hamming(q, e) <= TIER2_RADIUS))
    };
    hit(&a.window_queries, &b.window_index) || hit(&b.window_queries, &a.window_index)
}

fn tier1(a: &Entry, b: &Entry) -> bool {
    a.views.iter().any(|va| {
        b.views
            .iter()
            .any(|vb| va.iter().any(|h| hamming(h, &vb[0]) <= TIER1_RADIUS))
    })
}

/// All candidate pairs (i < j) among `entries` that involve at least one entry marked in
/// `involve` (the images of today's scan; all `true` compares everything with everything),
/// sorted.
pub fn self_candidates(entries: &[&Entry], involve: &[bool]) -> Vec<(u32, u32)> {
    // Tier 1: multi-index over every reliable view's original hash.
    let mut owner = Vec::new();
    let mut hashes = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        for v in &e.views {
            owner.push(i as u32);
            hashes.push(v[0]);
        }
    }
    let index = MultiIndex::build(hashes);
    let queries: Vec<usize> = (0..entries.len()).filter(|&i| involve[i]).collect();
    let mut pairs: Vec<(u32, u32)> = queries
        .par_iter()
        .map_init(
            || index.scratch(),
            |scratch, &i| {
                let e = entries[i];
                let mut out = Vec::new();
                for v in &e.views {
                    for q in v {
                        for (k, _) in index.within(q, TIER1_RADIUS, scratch) {
                            let j = owner[k as usize];
                            if j != i as u32 {
                                out.push((j.min(i as u32), j.max(i as u32)));
                            }
                        }
                    }
                }
                out
            },
        )
        .flatten()
        .collect();
    // Tier 2: every pair of textured images with a query among them, exactly.
    let tier2_pairs: Vec<(u32, u32)> = queries
        .par_iter()
        .flat_map_iter(|&i| {
            let a = entries[i];
            (0..entries.len())
                // A pair of two queries is tried once, from its lower index.
                .filter(move |&j| j != i && !(involve[j] && j < i))
                .filter(move |&j| tier2(a, entries[j]))
                .map(move |j| (i.min(j) as u32, i.max(j) as u32))
        })
        .collect();
    pairs.extend(tier2_pairs);
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Indices of the entries that are candidates for `query` (sorted).
pub fn query_candidates(query: &Entry, entries: &[&Entry]) -> Vec<u32> {
    entries
        .par_iter()
        .enumerate()
        .filter(|(_, e)| tier1(query, e) || tier2(query, e) || e.fingerprint == query.fingerprint)
        .map(|(i, _)| i as u32)
        .collect()
}
