//! `hash --manifest … --out shard`: fingerprint a list of files into one exchange file.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::fingerprint::Analysis;

use super::writer::Writer;
use super::{io_err, ExchangeError, Format, Row, FINGERPRINTS_SCHEMA};

/// What `hash --manifest` wrote (`pairproof.shard/1`).
#[derive(Debug, Serialize)]
pub struct ShardReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub manifest: PathBuf,
    pub out: PathBuf,
    pub format: Format,
    pub row_schema: &'static str,
    pub listed: u64,
    pub rows: u64,
    /// Files listed but not fingerprinted, each with its code; the shard holds the others.
    pub problems: Vec<crate::catalogue::scan::Problem>,
}

/// Read a manifest: one path per line (blank lines and `#` comments skipped), relative paths
/// against the current directory. Each becomes an absolute catalogue key the way `scan` makes
/// them (its folder resolved, the file itself not followed), so shards and scans agree.
pub fn read_manifest(list: &Path) -> Result<Vec<PathBuf>, ExchangeError> {
    let text = std::fs::read(list).map_err(io_err(list))?;
    let text = String::from_utf8(text).map_err(|_| ExchangeError::Format {
        path: list.to_path_buf(),
        detail: "manifest is not UTF-8 text (one path per line)".into(),
    })?;
    Ok(text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let p = PathBuf::from(l);
            let abs = std::path::absolute(&p).unwrap_or(p);
            match (abs.parent(), abs.file_name()) {
                (Some(dir), Some(name)) => std::fs::canonicalize(dir)
                    .map(|d| d.join(name))
                    .unwrap_or(abs.clone()),
                _ => abs,
            }
        })
        .collect())
}

/// Fingerprint every file of a manifest into one exchange file (a shard). Files are analysed
/// in parallel in small chunks and streamed out in manifest order; `progress(done)` is called
/// after each chunk. A file that cannot be read or decoded is reported, not fatal.
pub fn hash_manifest(
    list: &Path,
    out: &Path,
    format: Format,
    limits: &crate::Limits,
    progress: impl Fn(u64, u64),
) -> Result<ShardReport, ExchangeError> {
    use rayon::prelude::*;
    let paths = read_manifest(list)?;
    let total = paths.len() as u64;
    let mut w = Writer::create(out, format)?;
    let mut problems = Vec::new();
    let mut done = 0u64;
    for chunk in paths.chunks(64) {
        let results: Vec<_> = chunk
            .par_iter()
            .map(|p| crate::matching::hash_file(p, limits).map(|h| (p, h)))
            .collect();
        for r in results {
            match r {
                Ok((p, h)) => {
                    let sha = crate::decode::sha256_from_hex(&h.sha256).ok_or_else(|| {
                        ExchangeError::Format {
                            path: p.clone(),
                            detail: "internal: bad sha256".into(),
                        }
                    })?;
                    w.push(Row {
                        path: Some(crate::catalogue::scan::path_key(p)),
                        sha256: sha,
                        analysis: Analysis {
                            fingerprint: h.fingerprint,
                            windows: h.windows,
                            features: h.features,
                        },
                    })?;
                }
                Err(e) => problems.push(crate::catalogue::scan::Problem::from_error(&e)),
            }
        }
        done += chunk.len() as u64;
        progress(done, total);
    }
    let rows = w.finish()?;
    Ok(ShardReport {
        schema: crate::report::schema::SHARD,
        tool_version: crate::VERSION,
        manifest: list.to_path_buf(),
        out: out.to_path_buf(),
        format,
        row_schema: FINGERPRINTS_SCHEMA,
        listed: total,
        rows,
        problems,
    })
}
