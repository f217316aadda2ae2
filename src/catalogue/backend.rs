//! Which [`CandidateIndex`] a scan or match uses, chosen by `--backend`: the one place that
//! names both implementations, so the trait (`super::index`) and the Milvus implementation
//! (`super::milvus::candidates`, which implements it) do not depend on each other. The cargo
//! feature gate for Milvus is here and in the Milvus module only.

use super::index::{BackendError, CandidateIndex, Memory};
#[cfg(not(feature = "milvus"))]
use crate::code::Code;

/// Where candidate pairs come from: memory (the default) or a Milvus collection
/// (`milvus://HOST:PORT/COLLECTION`, cargo feature `milvus`).
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

impl Backend {
    /// An empty index of this kind; `local`: also retrieve by local features (`--hashes-only`
    /// turns it off).
    pub fn open(&self, local: bool) -> Result<Box<dyn CandidateIndex>, BackendError> {
        match self {
            Backend::Memory => Ok(Box::new(Memory::new(local))),
            Backend::Milvus(target) => open_milvus(target, local),
        }
    }
}

#[cfg(feature = "milvus")]
fn open_milvus(target: &str, local: bool) -> Result<Box<dyn CandidateIndex>, BackendError> {
    Ok(Box::new(super::milvus::candidates::Milvus::connect(
        target, local,
    )?))
}

#[cfg(not(feature = "milvus"))]
fn open_milvus(target: &str, _local: bool) -> Result<Box<dyn CandidateIndex>, BackendError> {
    Err(BackendError {
        code: Code::Usage,
        message: format!(
            "{target}: this pairproof was built without Milvus support; rebuild with `cargo build --release --features milvus`"
        ),
    })
}
