//! Fingerprints for catalogue matching: PDQ-compatible 256-bit hashes with quality and all eight
//! dihedral variants (retrieval). Canonicalisation and local features come next.

pub mod pdq;

pub use pdq::{Dihedral, Hash256, Pdq, PdqDihedral};
