//! The local-descriptor collection `<COLLECTION>_local`: retrieval by local features
//! (`catalogue::words` in memory) for catalogues held in Milvus.
//!
//! One row per indexed descriptor: the first 128-bit half of the verifier's mirror-aware
//! BRIEF descriptor (the other half is the mirrored descriptor, so a mirrored copy is found by
//! querying with its second half, as in memory), with the image's content id. A query image
//! asks for the [`NEAREST`] stored halves of each of its descriptors, both halves, and keeps
//! those within [`RADIUS`] bits; each (query feature, side) votes once per content it reaches,
//! and contents with enough votes are candidates (`words::tally`, the same `min_votes` and
//! `max_candidates` as the memory index).
//!
//! Not the same candidates as the memory index, which samples bits (LSH) rather than measuring
//! distances: both retrieve what the verifier would match (tested with planted collages and
//! crops in tests/milvus.rs). Index BIN_FLAT (exact) as for the hashes; sizes at scale in
//! docs/scale.md.

use std::borrow::Cow;

use milvus::data::FieldColumn;
use milvus::mutate::UpsertOptions;
use milvus::schema::{CollectionSchema, CollectionSchemaBuilder, FieldSchema};
use milvus::value::Value;

use super::{Index, MilvusError, SEARCH_BATCH, UPSERT_BATCH};

/// The vector field.
pub const FIELD: &str = "half";
/// Stored halves returned per query half. A feature of the original reaches the original
/// and up to this many copies of it.
pub const NEAREST: i64 = 16;
/// Hamming radius (of 128 bits) within which a stored half counts as the same scene point:
/// the verifier accepts up to 64 of 256 bits, and LSH in memory reaches ≲ 20 of 128 with
/// useful probability.
pub const RADIUS: u32 = 24;
/// Features per image stored (the strongest), as in memory.
pub const FEATURES: usize = crate::catalogue::words::Params::DEFAULT.features;

pub(super) fn schema(collection: &str) -> Result<CollectionSchema, String> {
    CollectionSchemaBuilder::new(
        &format!("{collection}_local"),
        "pairproof local descriptors, first 128-bit half (docs/scale.md)",
    )
    .add_field(FieldSchema::new_primary_int64("id", "", false))
    .add_field(FieldSchema::new_int64("content", ""))
    .add_field(FieldSchema::new_binary_vector(FIELD, "", 128))
    .build()
    .map_err(|e| e.to_string())
}

/// One stored descriptor half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Half {
    pub content: i64,
    /// The feature's rank in its image (< [`FEATURES`]).
    pub feature: u16,
    pub bits: [u8; 16],
}

impl Half {
    /// Primary key: the content id with its low 10 bits replaced by the feature's rank (re-scans
    /// replace rather than add). Two contents equal above those bits would overwrite each
    /// other's rows: one lost feature in ~2^53 image pairs, which voting does not notice.
    pub fn id(&self) -> i64 {
        (self.content & !0x3FF) | (self.feature as i64 & 0x3FF)
    }
}

/// A descriptor half as bytes (little-endian words).
pub fn bytes(half: [u64; 2]) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&half[0].to_le_bytes());
    b[8..].copy_from_slice(&half[1].to_le_bytes());
    b
}

/// The rows one image stores: its first [`FEATURES`] descriptors' direct halves.
pub fn halves(content: i64, descriptors: &[[u64; 4]]) -> Vec<Half> {
    descriptors
        .iter()
        .take(FEATURES)
        .enumerate()
        .map(|(k, d)| Half {
            content,
            feature: k as u16,
            bits: bytes([d[0], d[1]]),
        })
        .collect()
}

impl Index {
    fn local_schema(&self) -> Result<&CollectionSchema, MilvusError> {
        self.local
            .as_ref()
            .ok_or_else(|| self.err("the local-descriptor collection was not opened"))
    }

    /// Insert or replace descriptor halves.
    pub fn upsert_local(&self, rows: &[Half]) -> Result<(), MilvusError> {
        let schema = self.local_schema()?;
        let field = |n: &str| {
            schema
                .get_field(n)
                .ok_or_else(|| self.err(format!("schema lacks {n}")))
        };
        for chunk in rows.chunks(UPSERT_BATCH) {
            let cols = vec![
                FieldColumn::new(
                    field("id")?,
                    chunk.iter().map(Half::id).collect::<Vec<i64>>(),
                ),
                FieldColumn::new(
                    field("content")?,
                    chunk.iter().map(|v| v.content).collect::<Vec<i64>>(),
                ),
                FieldColumn::new(
                    field(FIELD)?,
                    chunk.iter().flat_map(|v| v.bits).collect::<Vec<u8>>(),
                ),
            ];
            self.rt
                .block_on(
                    self.client
                        .upsert(schema.name(), cols, UpsertOptions::new()),
                )
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// For each query half, the contents of the [`NEAREST`] stored halves within [`RADIUS`]
    /// bits (deduplicated, sorted).
    pub fn nearest_local(&self, queries: &[[u8; 16]]) -> Result<Vec<Vec<i64>>, MilvusError> {
        let name = self.local_schema()?.name().to_owned();
        let mut out = Vec::with_capacity(queries.len());
        for chunk in queries.chunks(SEARCH_BATCH) {
            let values: Vec<Value<'_>> = chunk
                .iter()
                .map(|h| Value::Binary(Cow::Borrowed(&h[..])))
                .collect();
            for hits in self.search_in(&name, FIELD, values, None, NEAREST)? {
                let mut c: Vec<i64> = hits
                    .iter()
                    .filter(|h| h.distance <= RADIUS)
                    .map(|h| h.content)
                    .collect();
                c.sort_unstable();
                c.dedup();
                out.push(c);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_features_apart() {
        let rows = halves(i64::MAX, &vec![[1, 2, 3, 4]; FEATURES]);
        let mut ids: Vec<i64> = rows.iter().map(Half::id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), FEATURES);
        assert!(ids.iter().all(|&i| i >= 0));
        assert_eq!(rows[0].bits[..8], 1u64.to_le_bytes());
        assert_eq!(rows[0].bits[8..], 2u64.to_le_bytes());
    }
}
