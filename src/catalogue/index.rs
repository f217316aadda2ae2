//! Where candidate pairs come from: one [`CandidateIndex`] trait, implemented in memory
//! ([`Memory`]: the hash tiers of [`super::candidates`] and the local-feature words of
//! [`super::words`]) and in Milvus (`super::milvus::candidates`, cargo feature `milvus`). `scan`
//! and `match` open one with `super::backend::Backend::open` and never ask which it is. A
//! candidate is never a verdict: every candidate is
//! verified locally (`matching::score`) whichever index proposed it.

use super::candidates::{self, Entry};
use super::words::{FeatureIndex, Keys, Params};
use crate::code::Code;

/// The candidate backend failed (Milvus unreachable, or not built in).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct BackendError {
    pub code: Code,
    pub message: String,
}

/// One catalogued image as an index sees it: its content and its hashes.
#[derive(Debug, Clone, Copy)]
pub struct Indexed<'a> {
    pub sha: &'a [u8; 32],
    pub entry: &'a Entry,
}

/// A source of candidate pairs over the images of one scan or match (`items`, addressed by
/// position).
pub trait CandidateIndex {
    /// Whether the index keeps local descriptors from earlier scans itself (Milvus), so that
    /// `match` need not read every catalogued image's features to build one.
    fn holds_local(&self) -> bool;

    /// Item `i`'s local descriptors (the strongest first; only the first
    /// [`Params::DEFAULT`]`.features` are used). Called once per item, in order of `i`, before
    /// [`Self::pairs`] or [`Self::query`]; only when local features are on.
    fn add_local(
        &mut self,
        i: u32,
        sha: &[u8; 32],
        descriptors: &[[u64; 4]],
    ) -> Result<(), BackendError>;

    /// Candidate pairs (i < j) among `items` that involve an item marked in `involve` (all
    /// marked: everything against everything), sorted, deduplicated. May store the items
    /// (Milvus: upserts, so a later `match` finds them).
    fn pairs(
        &mut self,
        items: &[Indexed<'_>],
        involve: &[bool],
    ) -> Result<Vec<(u32, u32)>, BackendError>;

    /// Positions in `items` of the candidates for `query` (an image that is not among them;
    /// `descriptors` empty when local features are off), sorted. Stores nothing.
    fn query(
        &mut self,
        query: &Indexed<'_>,
        descriptors: &[[u64; 4]],
        items: &[Indexed<'_>],
    ) -> Result<Vec<u32>, BackendError>;
}

/// The in-memory index: hash tiers over every item, and (when `local`) the feature words.
#[derive(Debug, Default)]
pub struct Memory {
    local: bool,
    keys: Vec<Keys>,
}

impl Memory {
    pub fn new(local: bool) -> Memory {
        Memory {
            local,
            keys: Vec::new(),
        }
    }

    fn words(&self) -> Option<FeatureIndex> {
        if !self.local {
            return None;
        }
        let ids: Vec<(u32, &Keys)> = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| (i as u32, k))
            .collect();
        Some(FeatureIndex::build(&ids, &Params::DEFAULT))
    }
}

impl CandidateIndex for Memory {
    fn holds_local(&self) -> bool {
        false
    }

    fn add_local(
        &mut self,
        i: u32,
        _sha: &[u8; 32],
        descriptors: &[[u64; 4]],
    ) -> Result<(), BackendError> {
        debug_assert_eq!(i as usize, self.keys.len(), "items are added in order");
        self.keys
            .push(Keys::of_descriptors(descriptors, &Params::DEFAULT));
        Ok(())
    }

    fn pairs(
        &mut self,
        items: &[Indexed<'_>],
        involve: &[bool],
    ) -> Result<Vec<(u32, u32)>, BackendError> {
        let entries: Vec<&Entry> = items.iter().map(|i| i.entry).collect();
        let mut pairs = candidates::self_candidates(&entries, involve);
        if let Some(words) = self.words() {
            pairs.extend(words.self_pairs(&self.keys, involve));
        }
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
        let entries: Vec<&Entry> = items.iter().map(|i| i.entry).collect();
        let mut c = candidates::query_candidates(query.entry, &entries);
        if let Some(words) = self.words() {
            let q = Keys::of_descriptors(descriptors, &Params::DEFAULT);
            c.extend(words.query(&q, None).into_iter().map(|v| v.image));
        }
        c.sort_unstable();
        c.dedup();
        Ok(c)
    }
}
