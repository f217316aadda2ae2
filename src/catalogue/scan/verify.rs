//! Verify candidate pairs exactly as `compare` scores them, reusing cached scores.

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;

use super::*;
use crate::catalogue::store::{CachedScore, Catalogue, CatalogueError};
use crate::fingerprint::Dihedral;
use crate::matching;

pub(super) fn to_cached(score: &matching::Score) -> CachedScore {
    let (m, v) = (&score.hash, &score.verification);
    CachedScore {
        similarity: score.similarity,
        distance: m.distance,
        orientation: Dihedral::ALL
            .iter()
            .position(|d| *d == m.orientation)
            .unwrap_or(0) as u8,
        verified: v.verified(),
        mirrored: v.mirrored,
        inliers: v.inliers as u32,
        cells_a: if v.verified() { v.region.cells_a } else { 0 },
        cells_b: if v.verified() { v.region.cells_b } else { 0 },
        cover: v.verified().then_some([v.region.cover_a, v.region.cover_b]),
        scale: v.transform.filter(|_| v.verified()).map(|t| t.scale()),
        rotation_deg: v
            .transform
            .filter(|_| v.verified())
            .map(|t| t.rotation_deg()),
    }
}

/// Score candidate pairs (indices into `items`) in chunks. Scores cached in the catalogue by a
/// previous scan are reused (a pair of contents always scores the same under one algorithm
/// version); the rest are verified with features loaded per chunk, and cached.
pub(super) fn verify_candidates(
    cat: &Mutex<Catalogue>,
    items: &[Item],
    pairs: &[(u32, u32)],
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<(u32, u32, PairScore)>, CatalogueError> {
    const CHUNK: usize = 4096;
    let mut out = Vec::new();
    for chunk in pairs.chunks(CHUNK) {
        let c = cat.lock().unwrap_or_else(|p| p.into_inner());
        let mut cached = Vec::with_capacity(chunk.len());
        for &(i, j) in chunk {
            cached.push(c.pair_score(&items[i as usize].sha, &items[j as usize].sha)?);
        }
        let mut need: Vec<u32> = chunk
            .iter()
            .zip(&cached)
            .filter(|(_, c)| c.is_none())
            .flat_map(|(&(i, j), _)| [i, j])
            .collect();
        need.sort_unstable();
        need.dedup();
        let mut feats = HashMap::new();
        for &i in &need {
            let f = c.features(&items[i as usize].sha)?.unwrap_or_default();
            feats.insert(i, f);
        }
        drop(c);
        let scored: Vec<(u32, u32, CachedScore, bool)> = chunk
            .par_iter()
            .zip(&cached)
            .map(|(&(i, j), hit)| {
                progress(Progress::Advance(1));
                if let Some(h) = hit {
                    return (i, j, *h, false);
                }
                let (a, b) = (&items[i as usize], &items[j as usize]);
                let s = matching::score(
                    &a.entry.fingerprint,
                    &feats[&i],
                    &b.entry.fingerprint,
                    &feats[&j],
                );
                (i, j, to_cached(&s), true)
            })
            .collect();
        let mut c = cat.lock().unwrap_or_else(|p| p.into_inner());
        c.batch(|b| {
            for (i, j, s, fresh) in &scored {
                if *fresh {
                    b.put_pair_score(&items[*i as usize].sha, &items[*j as usize].sha, s)?;
                }
            }
            Ok(())
        })?;
        drop(c);
        out.extend(scored.into_iter().map(|(i, j, s, _)| {
            (
                i,
                j,
                PairScore::from_cached(
                    key_display(&items[i as usize].paths[0]).0,
                    key_display(&items[j as usize].paths[0]).0,
                    &s,
                ),
            )
        }));
    }
    Ok(out)
}
