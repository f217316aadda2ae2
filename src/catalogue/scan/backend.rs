//! Where candidate pairs come from: hashes in memory or in Milvus, plus the local-feature
//! index with `--partial`.

use super::*;
use crate::catalogue::candidates::{self, Entry};
use crate::catalogue::words::{FeatureIndex, Keys, Params};

/// Where candidate pairs come from: memory (multi-index + windows, the default) or a Milvus
/// collection (`milvus://HOST:PORT/COLLECTION`, cargo feature `milvus`). Verification is local
/// either way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Backend {
    #[default]
    Memory,
    Milvus(String),
}

impl std::str::FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Backend, String> {
        if s == "memory" {
            Ok(Backend::Memory)
        } else if s.starts_with("milvus://") {
            Ok(Backend::Milvus(s.to_string()))
        } else {
            Err(format!(
                "{s}: expected `memory` or milvus://HOST:PORT/COLLECTION"
            ))
        }
    }
}

/// The candidate backend failed (Milvus unreachable, or not built in).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct BackendError {
    pub code: &'static str,
    pub message: String,
}

#[cfg(feature = "milvus")]
pub(super) fn milvus_index(target: &str) -> Result<crate::catalogue::milvus::Index, BackendError> {
    let of = |e: crate::catalogue::milvus::MilvusError| BackendError {
        code: e.code(),
        message: e.to_string(),
    };
    let t: crate::catalogue::milvus::Target = target.parse().map_err(of)?;
    crate::catalogue::milvus::Index::connect(&t).map_err(of)
}

/// For each of `queries`, the indices of `items` that are candidates, from `backend`.
/// Milvus first receives the items' vectors (upsert: idempotent) when `store` is set.
#[cfg(feature = "milvus")]
pub(super) fn milvus_candidates(
    target: &str,
    items: &[Item],
    queries: &[&Entry],
    store: bool,
) -> Result<Vec<Vec<u32>>, BackendError> {
    use crate::catalogue::exchange::content_id;
    let index = milvus_index(target)?;
    let of = |e: crate::catalogue::milvus::MilvusError| BackendError {
        code: e.code(),
        message: e.to_string(),
    };
    let mut by_content: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
    let mut vectors = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let c = content_id(&it.sha);
        by_content.entry(c).or_default().push(i as u32);
        if store {
            vectors.extend(candidates::milvus_vectors(&it.entry, c));
        }
    }
    if store {
        index.upsert(&vectors).map_err(of)?;
    }
    let found = candidates::milvus_candidates(&index, queries).map_err(of)?;
    // Contents stored by other scans (other stores) but not among `items` are not ours to
    // group or verify here; they are skipped.
    Ok(found
        .into_iter()
        .map(|cs| {
            let mut v: Vec<u32> = cs
                .iter()
                .filter_map(|c| by_content.get(c))
                .flatten()
                .copied()
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect())
}

/// Candidate pairs (i < j) among `items` that involve one of today's items: from the hashes
/// (in memory or Milvus) and from the local-feature index (`keys[i]` are item i's).
pub(super) fn candidate_pairs(
    backend: &Backend,
    items: &[Item],
    keys: Option<&[Keys]>,
) -> Result<Vec<(u32, u32)>, BackendError> {
    let entries: Vec<&Entry> = items.iter().map(|i| &i.entry).collect();
    let involve: Vec<bool> = items.iter().map(|i| i.today).collect();
    let mut pairs = match backend {
        Backend::Memory => candidates::self_candidates(&entries, &involve),
        #[cfg(feature = "milvus")]
        Backend::Milvus(t) => {
            let queries: Vec<u32> = (0..items.len() as u32)
                .filter(|&i| involve[i as usize])
                .collect();
            let qe: Vec<&Entry> = queries.iter().map(|&i| entries[i as usize]).collect();
            let per = milvus_candidates(t, items, &qe, true)?;
            per.into_iter()
                .zip(queries)
                .flat_map(|(js, i)| {
                    js.into_iter()
                        .filter(move |&j| j != i)
                        .map(move |j| (i.min(j), i.max(j)))
                })
                .collect()
        }
        #[cfg(not(feature = "milvus"))]
        Backend::Milvus(t) => return Err(not_built(t)),
    };
    if let Some(keys) = keys {
        let ids: Vec<(u32, &Keys)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (i as u32, k))
            .collect();
        let index = FeatureIndex::build(&ids, &Params::DEFAULT);
        pairs.extend(index.self_pairs(keys, &involve));
    }
    pairs.sort_unstable();
    pairs.dedup();
    Ok(pairs)
}

#[cfg(not(feature = "milvus"))]
pub(super) fn not_built(t: &str) -> BackendError {
    BackendError {
        code: "E_USAGE",
        message: format!(
            "{t}: this pairproof was built without Milvus support; rebuild with `cargo build --release --features milvus`"
        ),
    }
}
