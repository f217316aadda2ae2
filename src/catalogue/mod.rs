//! The catalogue of fingerprints. So far: exact Hamming search (linear reference and
//! multi-index hashing). The SQLite store, incremental scans and grouping come next.

pub mod search;
pub mod store;
