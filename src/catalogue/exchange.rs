//! Fingerprint exchange files: `catalogue export`, `hash --manifest … --out shard`, and
//! `catalogue import`. One row per (image content, path), schema `pairproof.fingerprints/1`
//! (docs/schemas.md), in Parquet (for Spark, DuckDB and Milvus bulk import) or JSON lines (for
//! people and `jq`). A shard written on any machine imports into any catalogue of the same
//! algorithm version, so fingerprinting fans out over a batch system and merges by import.
//!
//! Files are written to a temporary sibling and renamed into place: a reader never sees half a
//! file. Rows are streamed in blocks, so exporting a large catalogue needs memory for one block.

use crate::code::Code;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::fingerprint::{
    self, canonical::BoxPx, local, pdq::Hash256, windows, Analysis, Fingerprint, View,
};

mod jsonl;
mod parquet_io;
mod shard;
mod transfer;
mod writer;

pub use shard::{hash_manifest, read_manifest, ShardReport};
pub use transfer::{
    export, export_target, import, import_into, ExportReport, ImportReport, ImportedFile,
    TransferError,
};
pub use writer::Writer;

/// Schema name of a fingerprints row (Parquet file metadata and every JSON line).
pub const FINGERPRINTS_SCHEMA: &str = crate::report::schema::FINGERPRINTS;

/// Rows per Parquet row group / record batch.
const BLOCK: usize = 1024;

/// Errors reading or writing exchange files.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("{path}: {detail}")]
    Io { path: PathBuf, detail: String },
    #[error("{path}: not a pairproof fingerprints file ({detail})")]
    Format { path: PathBuf, detail: String },
    #[error("{path}: fingerprints are {algorithm} version {found}; this tool computes version {supported} (re-run `pairproof hash --manifest` with this version)")]
    Version {
        path: PathBuf,
        algorithm: String,
        found: u32,
        supported: u32,
    },
}

impl ExchangeError {
    pub fn code(&self) -> Code {
        match self {
            ExchangeError::Io { .. } => Code::ShardIo,
            ExchangeError::Format { .. } => Code::ShardFormat,
            ExchangeError::Version { .. } => Code::ShardVersion,
        }
    }
}

/// One exported image: its content, where it was seen (if anywhere), and everything the
/// catalogue stores for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Catalogue path key (absolute), `None` for a record no file row points at.
    pub path: Option<String>,
    pub sha256: [u8; 32],
    pub analysis: Analysis,
}

/// File format, from `--format` or the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Parquet,
    Jsonl,
}

impl Format {
    /// `.jsonl` / `.json` → JSON lines, anything else Parquet.
    pub fn from_name(p: &Path) -> Format {
        match p.extension().and_then(|e| e.to_str()) {
            Some("jsonl") | Some("json") | Some("ndjson") => Format::Jsonl,
            _ => Format::Parquet,
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Jsonl => "jsonl",
        }
    }
}

/// A 63-bit id derived from the content SHA-256 (its first eight bytes, top bit cleared): a
/// signed-int64 primary key for Milvus and for tables that want an integer. Two contents share
/// one with probability ~n²/2⁶⁴ (≈5 % somewhere among 10⁹ images), so joins use `sha256`.
pub fn content_id(sha256: &[u8; 32]) -> i64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&sha256[..8]);
    (u64::from_be_bytes(b) >> 1) as i64
}

/// A view's eight hashes in the PDQ reference byte order (the order of its hex string), so a
/// Parquet blob reads the same as `pdqhash` output in other tools. Not `View::pack_hashes`:
/// the catalogue stores the words little-endian, its own private layout.
fn pack_view(v: &View) -> Vec<u8> {
    v.hashes.iter().flat_map(|h| h.to_bytes()).collect()
}

fn unpack_view(quality: u8, b: &[u8]) -> Option<View> {
    if b.len() != 8 * 32 {
        return None;
    }
    let mut hashes = [Hash256::default(); 8];
    for (h, c) in hashes.iter_mut().zip(b.chunks_exact(32)) {
        *h = Hash256::from_bytes(c.try_into().ok()?);
    }
    Some(View { quality, hashes })
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ExchangeError + '_ {
    move |e| ExchangeError::Io {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// Everything a row must satisfy to become a catalogue record, whichever format it came in.
struct RawRow<'a> {
    sha256: &'a [u8],
    path: Option<String>,
    algorithm: &'a str,
    version: u32,
    width: u32,
    height: u32,
    whole_quality: u8,
    whole: &'a [u8],
    canonical: Option<([u32; 4], u8, &'a [u8])>,
    windows: &'a [u8],
    features: &'a [u8],
}

fn check_version(path: &Path, algorithm: &str, version: u32) -> Result<(), ExchangeError> {
    if algorithm != fingerprint::ALGORITHM || version != fingerprint::ALGORITHM_VERSION {
        return Err(ExchangeError::Version {
            path: path.to_path_buf(),
            algorithm: algorithm.to_string(),
            found: version,
            supported: fingerprint::ALGORITHM_VERSION,
        });
    }
    Ok(())
}

fn build_row(file: &Path, n: usize, r: RawRow<'_>) -> Result<Row, ExchangeError> {
    let bad = |what: &str| ExchangeError::Format {
        path: file.to_path_buf(),
        detail: format!("row {n}: bad {what}"),
    };
    check_version(file, r.algorithm, r.version)?;
    let sha256: [u8; 32] = r.sha256.try_into().map_err(|_| bad("sha256"))?;
    let whole = unpack_view(r.whole_quality, r.whole).ok_or_else(|| bad("whole hashes"))?;
    let canonical = match r.canonical {
        None => None,
        Some(([x, y, width, height], q, hashes)) => Some((
            BoxPx {
                x,
                y,
                width,
                height,
            },
            unpack_view(q, hashes).ok_or_else(|| bad("canonical hashes"))?,
        )),
    };
    Ok(Row {
        path: r.path,
        sha256,
        analysis: Analysis {
            fingerprint: Fingerprint::current(r.width, r.height, whole, canonical),
            windows: windows::Windows::decode(r.windows).ok_or_else(|| bad("windows"))?,
            features: local::Features::decode(r.features).ok_or_else(|| bad("features"))?,
        },
    })
}

/// Read every row of a Parquet or JSON-lines fingerprints file (format by content: Parquet
/// files start with `PAR1`), calling `f` once per block of rows.
pub fn read(
    path: &Path,
    mut f: impl FnMut(Vec<Row>) -> Result<(), ExchangeError>,
) -> Result<u64, ExchangeError> {
    let mut file = File::open(path).map_err(io_err(path))?;
    let mut magic = [0u8; 4];
    let n = file.read(&mut magic).map_err(io_err(path))?;
    drop(file);
    if n == 4 && &magic == b"PAR1" {
        parquet_io::read_parquet(path, &mut f)
    } else {
        jsonl::read_jsonl(path, &mut f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_bytes_are_reference_hex_order() {
        let h = Hash256::from_hex(&format!("{:064x}", 0x0123_4567_89ab_cdefu64)).unwrap();
        assert_eq!(crate::decode::hex(&h.to_bytes()), h.to_hex());
        assert_eq!(Hash256::from_bytes(&h.to_bytes()), h);
    }

    #[test]
    fn content_id_is_nonnegative_prefix() {
        let mut sha = [0xffu8; 32];
        assert_eq!(content_id(&sha), i64::MAX);
        sha[0] = 0x00;
        assert!(content_id(&sha) >= 0);
    }
}
