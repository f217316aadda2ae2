//! pairproof: image-similarity engine for marketplace sellers.
//!
//! Data flows one way: [`decode`] (files → [`decode::Decoded`]) → measure ([`compliance`]
//! measurements, [`similarity`]) → judge ([`policy::Policy`] → [`compliance::Finding`]s) →
//! [`report`] (text / JSON). The CLI in `src/cli/` only parses arguments, calls these functions
//! and prints.
// `unsafe` is denied everywhere except `similarity::ssim`'s inline `avx2` module (one call into an AVX2+FMA
// target-feature function) and `fingerprint::match_simd` (calls into an AVX-512 VPOPCNTDQ kernel and a POPCNT one) and
// `fingerprint::corners` (one call into an AVX2 build of safe code), each
// justified by benchmark, with a portable twin tested against it.
#![deny(unsafe_code)]

pub mod batch;
pub mod catalogue;
pub mod check;
pub mod code;
pub mod compliance;
pub mod decode;
pub mod error;
pub mod evidence;
pub mod fault;
pub mod fingerprint;
pub mod fix;
pub mod i18n;
pub mod isolate;
pub mod matching;
pub mod metadata;
pub mod overlay;
pub mod policy;
pub mod report;
pub mod serve;
pub mod similarity;

pub use code::{Code, Severity};
pub use error::{Error, Result};
pub use policy::{Limits, Policy};

/// Tool version, recorded in every JSON document.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
