//! [`Milvus`]: the `CandidateIndex` over a Milvus collection — the hash tiers (kinds 0–3 of
//! the hash collection) and, with local features on, the descriptor collection
//! ([`super::local`]). Vectors are keyed by content, so contents stored by other scans of
//! other stores are found too but, not being among the items, are not ours to verify: they
//! are skipped.

use std::collections::BTreeMap;

use super::{local, Index, MilvusError, Target, Vector};
use crate::catalogue::candidates::{Entry, TIER1_RADIUS, TIER2_RADIUS};
use crate::catalogue::exchange::content_id;
use crate::catalogue::index::{BackendError, CandidateIndex, Indexed};
use crate::catalogue::search::unpack;
use crate::catalogue::words::{self, Params};

fn backend_error(e: MilvusError) -> BackendError {
    BackendError {
        code: e.code(),
        message: e.to_string(),
    }
}

/// The vectors an entry stores in the hash collection (content id `content`): its reliable
/// views in their original orientation (kinds 0, 1) and, when textured, its window whole
/// frame plain and mirrored (kinds 2, 3).
pub fn hash_vectors(e: &Entry, content: i64) -> Vec<Vector> {
    let mut out: Vec<Vector> = e
        .views
        .iter()
        .enumerate()
        .map(|(k, v)| Vector {
            content,
            kind: k as u8,
            hash: unpack(&v[0]),
        })
        .collect();
    if e.textured {
        for (k, q) in e.window_queries.iter().enumerate() {
            out.push(Vector {
                content,
                kind: 2 + k as u8,
                hash: unpack(q),
            });
        }
    }
    out
}

/// Candidate content ids for each of `entries` from the hash collection: its views in all
/// eight orientations within [`TIER1_RADIUS`] of stored views, and (textured) its window
/// hashes within [`TIER2_RADIUS`] of stored window whole frames. Sorted, deduplicated.
pub fn hash_candidates(index: &Index, entries: &[&Entry]) -> Result<Vec<Vec<i64>>, MilvusError> {
    let mut q1 = Vec::new();
    let mut o1 = Vec::new();
    let mut q2 = Vec::new();
    let mut o2 = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        for v in &e.views {
            for h in v {
                q1.push(unpack(h));
                o1.push(i);
            }
        }
        if e.textured {
            for h in &e.window_index {
                q2.push(unpack(h));
                o2.push(i);
            }
        }
    }
    let mut out = vec![Vec::new(); entries.len()];
    for (hits, i) in index
        .within(&q1, &[0, 1], TIER1_RADIUS)?
        .into_iter()
        .zip(o1)
    {
        out[i].extend(hits.iter().map(|h| h.content));
    }
    for (hits, i) in index
        .within(&q2, &[2, 3], TIER2_RADIUS)?
        .into_iter()
        .zip(o2)
    {
        out[i].extend(hits.iter().map(|h| h.content));
    }
    for c in &mut out {
        c.sort_unstable();
        c.dedup();
    }
    Ok(out)
}

/// Candidate content ids for one image from the descriptor collection (its own content
/// `own` left out): its features' nearest stored halves, as is and mirrored, tallied.
pub fn local_candidates(
    index: &Index,
    descriptors: &[[u64; 4]],
    own: Option<i64>,
) -> Result<Vec<i64>, MilvusError> {
    let n = descriptors.len().min(local::FEATURES);
    let mut queries: Vec<[u8; 16]> = Vec::with_capacity(2 * n);
    queries.extend(descriptors[..n].iter().map(|d| local::bytes([d[0], d[1]])));
    queries.extend(descriptors[..n].iter().map(|d| local::bytes([d[2], d[3]])));
    let reached = index.nearest_local(&queries)?;
    let (direct, mirror) = reached.split_at(n);
    Ok(words::tally([direct, mirror], own, &Params::DEFAULT)
        .into_iter()
        .map(|(c, _)| c)
        .collect())
}

/// The Milvus candidate index (`milvus://HOST:PORT/COLLECTION`).
pub struct Milvus {
    index: Index,
    local: bool,
    /// Per item (in order), its content id and descriptors, kept until `pairs` stores and
    /// queries them.
    descriptors: Vec<(i64, Vec<[u64; 4]>)>,
}

impl Milvus {
    pub fn connect(target: &str, local: bool) -> Result<Milvus, BackendError> {
        let t: Target = target.parse().map_err(backend_error)?;
        let index = match local {
            true => Index::connect_local(&t),
            false => Index::connect(&t),
        }
        .map_err(backend_error)?;
        Ok(Milvus {
            index,
            local,
            descriptors: Vec::new(),
        })
    }
}

/// Content id → positions of `items` holding it.
fn positions(items: &[Indexed<'_>]) -> BTreeMap<i64, Vec<u32>> {
    let mut by_content: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
    for (i, it) in items.iter().enumerate() {
        by_content
            .entry(content_id(it.sha))
            .or_default()
            .push(i as u32);
    }
    by_content
}

fn resolve(contents: &[i64], by_content: &BTreeMap<i64, Vec<u32>>) -> Vec<u32> {
    let mut v: Vec<u32> = contents
        .iter()
        .filter_map(|c| by_content.get(c))
        .flatten()
        .copied()
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

impl CandidateIndex for Milvus {
    fn holds_local(&self) -> bool {
        true
    }

    fn add_local(
        &mut self,
        i: u32,
        sha: &[u8; 32],
        descriptors: &[[u64; 4]],
    ) -> Result<(), BackendError> {
        debug_assert_eq!(
            i as usize,
            self.descriptors.len(),
            "items are added in order"
        );
        let n = descriptors.len().min(local::FEATURES);
        self.descriptors
            .push((content_id(sha), descriptors[..n].to_vec()));
        Ok(())
    }

    fn pairs(
        &mut self,
        items: &[Indexed<'_>],
        involve: &[bool],
    ) -> Result<Vec<(u32, u32)>, BackendError> {
        let by_content = positions(items);
        // Store every item (upserts: idempotent), then query with today's.
        let vectors: Vec<Vector> = items
            .iter()
            .flat_map(|it| hash_vectors(it.entry, content_id(it.sha)))
            .collect();
        self.index.upsert(&vectors).map_err(backend_error)?;
        if self.local {
            let rows: Vec<local::Half> = self
                .descriptors
                .iter()
                .flat_map(|(c, d)| local::halves(*c, d))
                .collect();
            self.index.upsert_local(&rows).map_err(backend_error)?;
        }
        let queries: Vec<u32> = (0..items.len() as u32)
            .filter(|&i| involve[i as usize])
            .collect();
        let entries: Vec<&Entry> = queries.iter().map(|&i| items[i as usize].entry).collect();
        let mut found = hash_candidates(&self.index, &entries).map_err(backend_error)?;
        if self.local {
            for (q, &i) in found.iter_mut().zip(&queries) {
                if let Some((own, d)) = self.descriptors.get(i as usize) {
                    q.extend(local_candidates(&self.index, d, Some(*own)).map_err(backend_error)?);
                }
            }
        }
        let mut pairs: Vec<(u32, u32)> = found
            .iter()
            .zip(&queries)
            .flat_map(|(cs, &i)| {
                resolve(cs, &by_content)
                    .into_iter()
                    .filter(move |&j| j != i)
                    .map(move |j| (i.min(j), i.max(j)))
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        Ok(pairs)
    }

    fn query(
        &mut self,
        query: &Indexed<'_>,
        descriptors: &[[u64; 4]],
        items: &[Indexed<'_>],
    ) -> Result<Vec<u32>, BackendError> {
        let by_content = positions(items);
        let mut cs = hash_candidates(&self.index, &[query.entry])
            .map_err(backend_error)?
            .pop()
            .unwrap_or_default();
        if self.local && !descriptors.is_empty() {
            cs.extend(local_candidates(&self.index, descriptors, None).map_err(backend_error)?);
        }
        let mut c = resolve(&cs, &by_content);
        // Identical fingerprints (featureless images) are paired in memory, as in the
        // memory index.
        c.extend(
            items
                .iter()
                .enumerate()
                .filter(|(_, it)| it.entry.fingerprint == query.entry.fingerprint)
                .map(|(i, _)| i as u32),
        );
        c.sort_unstable();
        c.dedup();
        Ok(c)
    }
}
