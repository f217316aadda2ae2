//! `match`: every copy of one photo among the catalogue's files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::*;
use crate::catalogue::candidates::Entry;
use crate::catalogue::index::Indexed;
use crate::catalogue::store::{Catalogue, CatalogueError};
use crate::decode;
use crate::error::Error;
use crate::fingerprint::{self, Analysis};
use crate::matching;
use crate::policy::Limits;

/// One catalogue image matching a query.
#[derive(Debug, Clone, Serialize)]
pub struct MatchHit {
    pub path: String,
    pub sha256: String,
    pub score: PairScore,
}

/// `pairproof.match/1`: copies of one photo in the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct MatchReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub catalogue: PathBuf,
    pub query: String,
    pub query_sha256: String,
    pub min_similarity: f64,
    pub catalogue_images: usize,
    pub candidates: usize,
    /// Best first (similarity descending, then path).
    pub matches: Vec<MatchHit>,
}

/// Failure of `match`: the query file or the catalogue.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error(transparent)]
    Query(#[from] Error),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Backend(#[from] BackendError),
}

impl MatchError {
    pub fn code(&self) -> Code {
        match self {
            MatchError::Query(e) => e.code(),
            MatchError::Catalogue(e) => e.code(),
            MatchError::Backend(e) => e.code,
        }
    }
}

/// Find every copy of `query` among the catalogue's files (read-only; the query is not added).
pub fn match_image(
    catalogue: &Path,
    query: &Path,
    min_similarity: f64,
    limits: &Limits,
    backend: &Backend,
    partial: bool,
) -> Result<MatchReport, MatchError> {
    if !catalogue.exists() {
        return Err(MatchError::Catalogue(CatalogueError::Io {
            path: catalogue.to_path_buf(),
            detail: "no catalogue here yet; run `pairproof scan DIR --catalogue FILE` first".into(),
        }));
    }
    let q =
        fingerprint::analyse_file(query, limits).map_err(fingerprint::AnalyseError::into_error)?;
    let (qa, qsha) = (q.analysis, q.sha256);
    let cat = Catalogue::open_read_only(catalogue)?;
    let mut by_sha: BTreeMap<[u8; 32], Vec<String>> = BTreeMap::new();
    for (p, sha) in cat.files()? {
        by_sha.entry(sha).or_default().push(p);
    }
    // The query file itself, when it is catalogued, is not its own copy.
    let own = std::fs::canonicalize(query)
        .map(|p| path_key(&p))
        .unwrap_or_else(|_| path_key(query));
    let mut items = Vec::new();
    let mut index = backend.open(partial)?;
    // Milvus keeps the catalogue's descriptors itself; the memory index needs them read.
    let read_local = partial && !index.holds_local();
    for (sha, mut paths) in by_sha {
        paths.retain(|p| *p != own);
        if paths.is_empty() {
            continue;
        }
        if let Some(a) = cat.hashes(&sha)? {
            if read_local {
                let f = cat.features(&sha)?.unwrap_or_default();
                index.add_local(items.len() as u32, &sha, &f.descriptors)?;
            }
            items.push(Item {
                sha,
                path_reference: vec![false; paths.len()],
                paths,
                reference: false,
                today: false,
                entry: Entry::from_analysis(a),
            });
        }
    }
    let q_entry = Entry::from_analysis(Analysis {
        fingerprint: qa.fingerprint.clone(),
        windows: qa.windows.clone(),
        features: Default::default(),
    });
    let indexed = indexed(&items);
    let q = Indexed {
        sha: &qsha,
        entry: &q_entry,
    };
    let q_descriptors: &[[u64; 4]] = if partial {
        &qa.features.descriptors
    } else {
        &[]
    };
    let cands = index.query(&q, q_descriptors, &indexed)?;
    drop(indexed);
    drop(index);
    let mut matches = Vec::new();
    for &i in &cands {
        let it = &items[i as usize];
        let score = if it.sha == qsha {
            PairScore::identical(query.display().to_string(), key_display(&it.paths[0]).0)
        } else {
            let f = cat.features(&it.sha)?.unwrap_or_default();
            let s = matching::score(&qa.fingerprint, &qa.features, &it.entry.fingerprint, &f);
            PairScore::from_cached(
                query.display().to_string(),
                key_display(&it.paths[0]).0,
                &verify::to_cached(&s),
            )
        };
        if crate::policy::is_copy(score.similarity, min_similarity) {
            for p in &it.paths {
                let mut s = score.clone();
                s.b = key_display(p).0;
                matches.push(MatchHit {
                    path: key_display(p).0,
                    sha256: decode::hex(&it.sha),
                    score: s,
                });
            }
        }
    }
    matches.sort_by(|x, y| {
        y.score
            .similarity
            .total_cmp(&x.score.similarity)
            .then_with(|| x.path.cmp(&y.path))
    });
    Ok(MatchReport {
        schema: MATCH_SCHEMA,
        tool_version: crate::VERSION,
        catalogue: catalogue.to_path_buf(),
        query: query.display().to_string(),
        query_sha256: decode::hex(&qsha),
        min_similarity,
        catalogue_images: items.len(),
        candidates: cands.len(),
        matches,
    })
}
