//! The catalogue: a SQLite store of fingerprints keyed by content ([`store`]), exact Hamming
//! search ([`search`]), candidate generation ([`candidates`], [`words`], behind one [`index::CandidateIndex`]), and the `scan` / `match`
//! pipelines ([`scan`]). One scan at a time per catalogue ([`lock`]). Fingerprints leave and
//! enter a catalogue as Parquet / JSON-lines rows ([`exchange`]).

pub mod backend;
pub mod candidates;
pub mod decisions;
pub mod exchange;
pub mod index;
pub mod lock;
#[cfg(feature = "milvus")]
pub mod milvus;
pub mod scan;
pub mod search;
pub mod store;
pub mod words;
