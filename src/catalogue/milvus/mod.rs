//! Candidate search in Milvus (cargo feature `milvus`): the hash side of the catalogue in a
//! distributed vector database with native binary vectors and Hamming distance, for catalogues
//! beyond one machine's memory. Only candidate generation moves; verification stays local
//! (`matching::score` on the catalogue's features), exactly as with the in-memory tiers.
//!
//! One collection, four kinds of 256-bit vectors per image (docs/scale.md):
//! `0`/`1` the reliable PDQ views (whole frame, canonical subject) in their original
//! orientation, `2`/`3` the window-grid whole frame plain and mirrored. A scan queries each
//! image's views in all eight orientations against kinds 0–1 (tier 1, radius 38) and its 35
//! window hashes against kinds 2–3 (tier 2, radius 64) — the same pairs the in-memory tiers
//! find, since every image of a scan is queried. Index BIN_FLAT (exact): on the embedded
//! server BIN_IVF_FLAT missed planted neighbours unless nprobe = nlist. Top-k is widened until
//! the k-th hit lies beyond the radius, and distances are filtered here, so results equal a
//! brute-force radius search.
//!
//! With local features on, a second collection `<COLLECTION>_local` holds each image's local
//! descriptors ([`local`]), and [`candidates::Milvus`] serves both through the same
//! `CandidateIndex` trait as the in-memory index.

pub mod candidates;
pub mod local;

use crate::code::Code;
use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Duration;

use milvus::client::{Client, ClientBuilder, ConsistencyLevel};
use milvus::data::FieldColumn;
use milvus::index::{IndexParams, IndexType, MetricType};
use milvus::mutate::UpsertOptions;
use milvus::options::{CreateCollectionOptions, LoadOptions};
use milvus::query::SearchOptions;
use milvus::schema::{CollectionSchema, CollectionSchemaBuilder, FieldSchema};
use milvus::value::Value;

/// Vectors per upsert call.
const UPSERT_BATCH: usize = 5_000;
/// Query vectors per search call.
const SEARCH_BATCH: usize = 256;
/// First top-k; widened ×8 while saturated, up to Milvus' maximum.
const FIRST_K: i64 = 64;
const MAX_K: i64 = 16_384;

/// Milvus failed or is unreachable.
#[derive(Debug, thiserror::Error)]
pub enum MilvusError {
    #[error("{target}: {detail}")]
    Backend { target: String, detail: String },
    #[error("{0}: not a Milvus address; expected milvus://HOST:PORT/COLLECTION")]
    Address(String),
}

impl MilvusError {
    pub fn code(&self) -> Code {
        match self {
            MilvusError::Backend { .. } => Code::Backend,
            MilvusError::Address(_) => Code::Usage,
        }
    }
}

/// `milvus://HOST:PORT/COLLECTION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host_port: String,
    pub collection: String,
}

impl std::str::FromStr for Target {
    type Err = MilvusError;
    fn from_str(s: &str) -> Result<Target, MilvusError> {
        let bad = || MilvusError::Address(s.to_string());
        let rest = s.strip_prefix("milvus://").ok_or_else(bad)?;
        let (hp, coll) = rest.split_once('/').ok_or_else(bad)?;
        let valid = |c: char| c.is_ascii_alphanumeric() || c == '_';
        if hp.is_empty()
            || !hp.contains(':')
            || coll.is_empty()
            || !coll.chars().all(valid)
            || coll.starts_with(|c: char| c.is_ascii_digit())
        {
            return Err(bad());
        }
        Ok(Target {
            host_port: hp.to_string(),
            collection: coll.to_string(),
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "milvus://{}/{}", self.host_port, self.collection)
    }
}

/// One stored vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vector {
    /// `exchange::content_id` of the image content.
    pub content: i64,
    /// 0/1 PDQ view, 2/3 window whole plain/mirrored.
    pub kind: u8,
    pub hash: [u8; 32],
}

impl Vector {
    /// Primary key: the content id with its two low bits replaced by the kind (the content
    /// id itself is kept in its own field, so nothing is lost).
    pub fn id(&self) -> i64 {
        (self.content & !3) | self.kind as i64
    }
}

/// One neighbour found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub distance: u32,
    pub content: i64,
    pub kind: u8,
}

/// A connection to one collection.
pub struct Index {
    rt: tokio::runtime::Runtime,
    client: Client,
    target: Target,
    schema: CollectionSchema,
    /// The local-descriptor collection's schema, when it was opened ([`Index::connect_local`]).
    local: Option<CollectionSchema>,
}

/// Create `name` with a BIN_FLAT Hamming index on `field` unless it exists, then load it.
async fn ensure_collection(
    client: &Client,
    schema: &CollectionSchema,
    field: &str,
    fail: &dyn Fn(&dyn std::fmt::Display) -> MilvusError,
) -> Result<(), MilvusError> {
    let coll = schema.name();
    if !client.has_collection(coll).await.map_err(|e| fail(&e))? {
        client
            .create_collection(
                schema.clone(),
                Some(CreateCollectionOptions::with_consistency_level(
                    ConsistencyLevel::Bounded,
                )),
            )
            .await
            .map_err(|e| fail(&e))?;
        let index = IndexParams::new(
            format!("pairproof_{field}"),
            IndexType::BinFlat,
            MetricType::HAMMING,
            HashMap::new(),
        );
        tokio::time::timeout(
            Duration::from_secs(300),
            client.create_index(coll, field, index),
        )
        .await
        .map_err(|_| fail(&"index not built within 300 s"))?
        .map_err(|e| fail(&e))?;
    }
    tokio::time::timeout(
        Duration::from_secs(300),
        client.load_collection(coll, Some(LoadOptions::new())),
    )
    .await
    .map_err(|_| fail(&"collection not loaded within 300 s"))?
    .map_err(|e| fail(&e))
}

fn hash_schema(name: &str) -> Result<CollectionSchema, String> {
    CollectionSchemaBuilder::new(name, "pairproof 256-bit fingerprints (docs/scale.md)")
        .add_field(FieldSchema::new_primary_int64("id", "", false))
        .add_field(FieldSchema::new_int64("content", ""))
        .add_field(FieldSchema::new_int8("kind", ""))
        .add_field(FieldSchema::new_binary_vector("hash", "", 256))
        .build()
        .map_err(|e| e.to_string())
}

impl Index {
    fn err(&self, e: impl std::fmt::Display) -> MilvusError {
        MilvusError::Backend {
            target: self.target.to_string(),
            detail: e.to_string(),
        }
    }

    /// Connect, creating the hash collection (BIN_FLAT, Hamming) and loading it when needed.
    pub fn connect(target: &Target) -> Result<Index, MilvusError> {
        Index::connect_with(target, false)
    }

    /// [`Index::connect`], and the local-descriptor collection `<COLLECTION>_local` too.
    pub fn connect_local(target: &Target) -> Result<Index, MilvusError> {
        Index::connect_with(target, true)
    }

    fn connect_with(target: &Target, local: bool) -> Result<Index, MilvusError> {
        let fail = |e: &dyn std::fmt::Display| MilvusError::Backend {
            target: target.to_string(),
            detail: e.to_string(),
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| fail(&e))?;
        let schema = hash_schema(&target.collection).map_err(|e| fail(&e))?;
        let local = match local {
            true => Some(local::schema(&target.collection).map_err(|e| fail(&e))?),
            false => None,
        };
        let client = rt.block_on(async {
            let client = tokio::time::timeout(
                Duration::from_secs(30),
                ClientBuilder::new(format!("http://{}", target.host_port))
                    .timeout(Duration::from_secs(120))
                    .build(),
            )
            .await
            .map_err(|_| fail(&"no answer within 30 s"))?
            .map_err(|e| fail(&e))?;
            ensure_collection(&client, &schema, "hash", &fail).await?;
            if let Some(l) = &local {
                ensure_collection(&client, l, local::FIELD, &fail).await?;
            }
            Ok::<Client, MilvusError>(client)
        })?;
        Ok(Index {
            rt,
            client,
            target: target.clone(),
            schema,
            local,
        })
    }

    /// Insert or replace vectors (keyed by content and kind, so re-scans are idempotent).
    pub fn upsert(&self, vectors: &[Vector]) -> Result<(), MilvusError> {
        let field = |n: &str| {
            self.schema
                .get_field(n)
                .ok_or_else(|| self.err(format!("schema lacks {n}")))
        };
        for chunk in vectors.chunks(UPSERT_BATCH) {
            let cols = vec![
                FieldColumn::new(
                    field("id")?,
                    chunk.iter().map(Vector::id).collect::<Vec<i64>>(),
                ),
                FieldColumn::new(
                    field("content")?,
                    chunk.iter().map(|v| v.content).collect::<Vec<i64>>(),
                ),
                FieldColumn::new(
                    field("kind")?,
                    chunk.iter().map(|v| v.kind as i8).collect::<Vec<i8>>(),
                ),
                FieldColumn::new(
                    field("hash")?,
                    chunk.iter().flat_map(|v| v.hash).collect::<Vec<u8>>(),
                ),
            ];
            self.rt
                .block_on(
                    self.client
                        .upsert(&self.target.collection, cols, UpsertOptions::new()),
                )
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Make what was written durable (sealed segments).
    pub fn flush(&self) -> Result<(), MilvusError> {
        self.rt
            .block_on(self.client.flush(&self.target.collection))
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Rows in the collection (after this client's writes).
    pub fn count(&self) -> Result<i64, MilvusError> {
        let opts =
            milvus::query::QueryOptions::new().consistency_level(ConsistencyLevel::Strong as i32);
        self.rt
            .block_on(
                self.client
                    .count_with_expr(&self.target.collection, "", &opts),
            )
            .map_err(|e| self.err(e))
    }

    /// Drop the collection (tests).
    pub fn drop_collection(&self) -> Result<(), MilvusError> {
        self.rt
            .block_on(self.client.drop_collection(self.target.collection.as_str()))
            .map_err(|e| self.err(e))?;
        if let Some(l) = &self.local {
            self.rt
                .block_on(self.client.drop_collection(l.name()))
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// For each query, every stored vector of one of `kinds` within `radius` bits, nearest
    /// first (ties by content, kind): the same set as a brute-force radius search.
    pub fn within(
        &self,
        queries: &[[u8; 32]],
        kinds: &[u8],
        radius: u32,
    ) -> Result<Vec<Vec<Hit>>, MilvusError> {
        let mut out = vec![Vec::new(); queries.len()];
        let mut pending: Vec<usize> = (0..queries.len()).collect();
        let mut k = FIRST_K;
        while !pending.is_empty() {
            let mut saturated = Vec::new();
            for chunk in pending.chunks(SEARCH_BATCH) {
                let qs: Vec<[u8; 32]> = chunk.iter().map(|&i| queries[i]).collect();
                let res = self.search(&qs, kinds, k)?;
                for (&qi, hits) in chunk.iter().zip(res) {
                    let full =
                        hits.len() as i64 >= k && hits.last().is_some_and(|h| h.distance <= radius);
                    if full && k < MAX_K {
                        saturated.push(qi);
                    } else {
                        out[qi] = hits.into_iter().filter(|h| h.distance <= radius).collect();
                        out[qi].sort_unstable();
                    }
                }
            }
            pending = saturated;
            k = (k * 8).min(MAX_K);
        }
        Ok(out)
    }

    fn search(&self, qs: &[[u8; 32]], kinds: &[u8], k: i64) -> Result<Vec<Vec<Hit>>, MilvusError> {
        let values: Vec<Value<'_>> = qs
            .iter()
            .map(|h| Value::Binary(Cow::Borrowed(&h[..])))
            .collect();
        let kinds_list = kinds
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let filter = format!("kind in [{kinds_list}]");
        self.search_in(&self.target.collection, "hash", values, Some(filter), k)
    }

    /// The `k` nearest stored vectors of `field` in `collection` for each query (Hamming),
    /// with their `content` (and `kind`, 0 when the collection has none).
    fn search_in(
        &self,
        collection: &str,
        field: &str,
        values: Vec<Value<'_>>,
        filter: Option<String>,
        k: i64,
    ) -> Result<Vec<Vec<Hit>>, MilvusError> {
        let n = values.len();
        let with_kind = filter.is_some();
        let mut outputs = vec!["content".to_owned()];
        if with_kind {
            outputs.push("kind".to_owned());
        }
        let mut opts = SearchOptions::with_limit(k as usize)
            .anns_field(vec![field.to_owned()])
            .add_param("metric_type", "HAMMING")
            .output_fields(outputs)
            // Session: sees this client's own writes without waiting for Strong's time tick.
            .consistency_level(ConsistencyLevel::Session as i32);
        if let Some(f) = filter {
            opts = opts.filter(f);
        }
        let res = self
            .rt
            .block_on(self.client.search(collection, values, Some(opts)));
        let results = match res {
            Ok(r) => r,
            // 2.3 answers a search with no hit at all without ids, which the client reports
            // as this error; it means "nothing found".
            Err(milvus::error::Error::Unexpected(m)) if m.contains("no IDs") => {
                return Ok(vec![Vec::new(); n])
            }
            Err(e) => return Err(self.err(e)),
        };
        if results.len() != n {
            return Err(self.err(format!("{} results for {n} queries", results.len())));
        }
        let mut out = Vec::with_capacity(n);
        for r in results {
            let content = r.field.iter().find(|c| c.name == "content");
            let kind = r.field.iter().find(|c| c.name == "kind");
            let mut hits = Vec::with_capacity(r.size.max(0) as usize);
            for i in 0..r.size.max(0) as usize {
                let c = content
                    .and_then(|c| c.get(i))
                    .and_then(|v| i64::try_from(v).ok())
                    .ok_or_else(|| self.err("search result without content"))?;
                let kd = match with_kind {
                    false => 0,
                    true => kind
                        .and_then(|c| c.get(i))
                        .and_then(|v| i8::try_from(v).ok())
                        .ok_or_else(|| self.err("search result without kind"))?,
                };
                let d = r.score.get(i).copied().unwrap_or(f32::MAX);
                hits.push(Hit {
                    distance: d.round().clamp(0.0, 1e6) as u32,
                    content: c,
                    kind: kd as u8,
                });
            }
            hits.sort_unstable();
            out.push(hits);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        let t: Target = "milvus://127.0.0.1:19530/pairproof".parse().unwrap();
        assert_eq!(t.host_port, "127.0.0.1:19530");
        assert_eq!(t.collection, "pairproof");
        for bad in [
            "http://x:1/c",
            "milvus://x:1/",
            "milvus://x/c",
            "milvus://x:1/a-b",
            "milvus://x:1/1a",
        ] {
            assert!(bad.parse::<Target>().is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_keep_kinds_apart() {
        let v = |kind| Vector {
            content: i64::MAX,
            kind,
            hash: [0; 32],
        };
        let ids: Vec<i64> = (0..4).map(|k| v(k).id()).collect();
        assert_eq!(ids.len(), 4);
        assert!(ids.windows(2).all(|w| w[0] != w[1]));
        assert!(ids.iter().all(|&i| i >= 0));
    }
}
