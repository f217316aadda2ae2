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

/// A copy pair whose match covers at least this share of *both* images' textured area joins
/// the two as whole images: neither holds anything the other lacks (no collage tile, no crop),
/// so any third image joined to one of them by another such pair is joined to the other too,
/// and verifying that third pair would add nothing to the groups. 0.9: on the dev split,
/// re-encodes, colour changes, mirrors, borders, re-padding and small overlays cover ≥ 0.9 of
/// both sides, while crops (≤ 0.8 on the original's side), collages and screenshots do not, so
/// every pair touching those is still verified (docs/benchmarks.md, session 15).
pub(super) const WHOLE_COVER: f32 = 0.9;

/// Pairs verified together (in parallel) at most.
const WAVE: usize = 4096;

/// Both images of a verified copy pair are whole in each other (see [`WHOLE_COVER`]).
pub(super) fn whole_in_each_other(s: &CachedScore) -> bool {
    s.verified && s.cover.is_some_and(|c| c[0].min(c[1]) >= WHOLE_COVER)
}

/// One wave of [`next_wave`].
#[derive(Debug, PartialEq)]
pub(super) struct Wave {
    /// Pairs to verify now.
    pub verify: Vec<(u32, u32)>,
    /// Pairs for later waves, in order.
    pub deferred: Vec<(u32, u32)>,
    /// Pairs dropped: their items are already joined.
    pub dropped: usize,
}

/// The next wave of pairs to verify: in `pending`'s order, pairs whose items are not yet
/// joined as whole images (`joined`, a disjoint-set over items), at most `max`, and no two in
/// the wave that could each join the same two sets (a pair is deferred when the wave's earlier
/// pairs, if they all turned out to be whole copies, would already join its items).
pub(super) fn next_wave(pending: Vec<(u32, u32)>, joined: &mut [usize], max: usize) -> Wave {
    let mut tentative: HashMap<usize, usize> = HashMap::new();
    fn root(t: &mut HashMap<usize, usize>, mut x: usize) -> usize {
        while let Some(&p) = t.get(&x) {
            x = p;
        }
        x
    }
    let (mut wave, mut rest, mut dropped) = (Vec::new(), Vec::new(), 0);
    for (i, j) in pending {
        let (a, b) = (
            group::find(joined, i as usize),
            group::find(joined, j as usize),
        );
        if a == b {
            dropped += 1;
            continue;
        }
        let (ta, tb) = (root(&mut tentative, a), root(&mut tentative, b));
        if wave.len() < max && ta != tb {
            tentative.insert(ta.max(tb), ta.min(tb));
            wave.push((i, j));
        } else {
            rest.push((i, j));
        }
    }
    Wave {
        verify: wave,
        deferred: rest,
        dropped,
    }
}

/// Score candidate pairs (indices into `items`). Scores cached in the catalogue by a previous
/// scan are reused (a pair of contents always scores the same under one algorithm version);
/// the rest are verified with features loaded per wave, and cached.
///
/// Unless `every_pair`, pairs are taken closest hashes first, in waves ([`next_wave`]), and a
/// pair whose two images are already joined through whole-image copies (`joins` says which
/// scored pairs join) is not verified: it cannot change the groups. In a folder with many
/// copies of each photo this is most of the work (the dev split: 40 000 of 70 000 pairs).
/// The pairs returned are then the ones that make the groups, not every pair of members.
pub(super) fn verify_candidates(
    cat: &Mutex<Catalogue>,
    items: &[Item],
    pairs: &[(u32, u32)],
    every_pair: bool,
    joins: &(dyn Fn(u32, u32, &CachedScore) -> bool + Sync),
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<(u32, u32, PairScore)>, CatalogueError> {
    let mut pending: Vec<(u32, u32)> = pairs.to_vec();
    if !every_pair {
        let mut keyed: Vec<(u32, u32, u32)> = pairs
            .par_iter()
            .map(|&(i, j)| {
                let (a, b) = (&items[i as usize], &items[j as usize]);
                let d = crate::fingerprint::best_match(&a.entry.fingerprint, &b.entry.fingerprint);
                (d.distance, i, j)
            })
            .collect();
        keyed.sort_unstable();
        pending = keyed.into_iter().map(|(_, i, j)| (i, j)).collect();
    }
    let mut joined: Vec<usize> = (0..items.len()).collect();
    let mut out = Vec::new();
    while !pending.is_empty() {
        let wave = if every_pair {
            let rest = pending.split_off(pending.len().min(WAVE));
            std::mem::replace(&mut pending, rest)
        } else {
            let w = next_wave(std::mem::take(&mut pending), &mut joined, WAVE);
            progress(Progress::Advance(w.dropped as u64));
            pending = w.deferred;
            w.verify
        };
        let scored = score_wave(cat, items, &wave, progress)?;
        for (i, j, s) in &scored {
            if !every_pair && joins(*i, *j, s) {
                group::union(&mut joined, *i as usize, *j as usize);
            }
        }
        out.extend(scored.into_iter().map(|(i, j, s)| {
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
    out.sort_by_key(|(i, j, _)| (*i, *j));
    Ok(out)
}

/// One wave: cached scores looked up, the rest verified in parallel and cached.
fn score_wave(
    cat: &Mutex<Catalogue>,
    items: &[Item],
    wave: &[(u32, u32)],
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<(u32, u32, CachedScore)>, CatalogueError> {
    let c = cat.lock().unwrap_or_else(|p| p.into_inner());
    let mut cached = Vec::with_capacity(wave.len());
    for &(i, j) in wave {
        cached.push(c.pair_score(&items[i as usize].sha, &items[j as usize].sha)?);
    }
    let mut need: Vec<u32> = wave
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
    let scored: Vec<(u32, u32, CachedScore, bool)> = wave
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
    Ok(scored.into_iter().map(|(i, j, s, _)| (i, j, s)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wave_defers_pairs_its_earlier_pairs_may_join_and_drops_joined_ones() {
        // items 0..6; 0 and 1 already joined
        let mut joined: Vec<usize> = (0..6).collect();
        group::union(&mut joined, 0, 1);
        let pending = vec![(0, 1), (0, 2), (1, 2), (2, 3), (0, 3), (4, 5)];
        let w = next_wave(pending, &mut joined, 10);
        assert_eq!(w.dropped, 1, "(0, 1) is joined already");
        // (1, 2) would be joined by (0, 2) and (0, 3) by (0, 2) + (2, 3): deferred, not verified yet
        assert_eq!(w.verify, vec![(0, 2), (2, 3), (4, 5)]);
        assert_eq!(w.deferred, vec![(1, 2), (0, 3)]);
        // (0, 2) turned out a whole copy, (2, 3) not: (1, 2) is dropped, (0, 3) verified next
        group::union(&mut joined, 0, 2);
        let w = next_wave(w.deferred, &mut joined, 10);
        let expected = Wave {
            verify: vec![(0, 3)],
            deferred: vec![],
            dropped: 1,
        };
        assert_eq!(w, expected);
    }

    #[test]
    fn a_wave_holds_at_most_max_pairs() {
        let mut joined: Vec<usize> = (0..8).collect();
        let pending = vec![(0, 1), (2, 3), (4, 5), (6, 7)];
        let w = next_wave(pending, &mut joined, 3);
        assert_eq!((w.verify.len(), w.deferred), (3, vec![(6, 7)]));
    }
}
