//! The catalogue: a SQLite store of fingerprints keyed by content ([`store`]), exact Hamming
//! search ([`search`]), candidate generation ([`candidates`]), and the `scan` / `match`
//! pipelines ([`scan`]). One scan at a time per catalogue ([`lock`]).

pub mod candidates;
pub mod lock;
pub mod scan;
pub mod search;
pub mod store;
