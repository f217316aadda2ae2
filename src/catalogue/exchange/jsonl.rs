//! The JSON-lines form of an exchange file: one row per line, hashes in PDQ hex, blobs in base64.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::fingerprint::{pdq::Hash256, View};

use super::{
    build_row, check_version, content_id, io_err, ExchangeError, RawRow, Row, BLOCK,
    FINGERPRINTS_SCHEMA,
};

/// One JSON line: the same fields as the Parquet columns, hashes in PDQ hex, blobs in base64.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct JsonRow {
    schema: String,
    id: i64,
    sha256: String,
    path: Option<String>,
    algorithm: String,
    algorithm_version: u32,
    width: u32,
    height: u32,
    whole_quality: u8,
    pdq_whole: String,
    pdq_whole_dihedral: Vec<String>,
    canonical: Option<JsonCanonical>,
    windows: String,
    features: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct JsonCanonical {
    #[serde(rename = "box")]
    bbox: [u32; 4],
    quality: u8,
    pdq: String,
    pdq_dihedral: Vec<String>,
}

pub(super) fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

impl From<&Row> for JsonRow {
    fn from(r: &Row) -> JsonRow {
        let f = &r.analysis.fingerprint;
        let hexes = |v: &View| v.hashes.iter().map(|h| h.to_hex()).collect::<Vec<_>>();
        JsonRow {
            schema: FINGERPRINTS_SCHEMA.to_string(),
            id: content_id(&r.sha256),
            sha256: crate::decode::hex(&r.sha256),
            path: r.path.clone(),
            algorithm: f.algorithm.to_string(),
            algorithm_version: f.algorithm_version,
            width: f.width,
            height: f.height,
            whole_quality: f.whole.quality,
            pdq_whole: f.whole.hashes[0].to_hex(),
            pdq_whole_dihedral: hexes(&f.whole),
            canonical: f.canonical.as_ref().map(|(b, v)| JsonCanonical {
                bbox: [b.x, b.y, b.width, b.height],
                quality: v.quality,
                pdq: v.hashes[0].to_hex(),
                pdq_dihedral: hexes(v),
            }),
            windows: b64().encode(r.analysis.windows.encode()),
            features: b64().encode(r.analysis.features.encode()),
        }
    }
}

pub(super) fn read_jsonl(
    path: &Path,
    f: &mut impl FnMut(Vec<Row>) -> Result<(), ExchangeError>,
) -> Result<u64, ExchangeError> {
    let file = File::open(path).map_err(io_err(path))?;
    let mut block = Vec::new();
    let mut total = 0u64;
    for (k, line) in BufReader::new(file).lines().enumerate() {
        let n = k + 1;
        let line = line.map_err(|e| ExchangeError::Format {
            path: path.to_path_buf(),
            detail: format!("line {n}: {e}"),
        })?;
        if line.trim().is_empty() {
            continue;
        }
        block.push(row_of_json(path, n, &line)?);
        total += 1;
        if block.len() >= BLOCK {
            f(std::mem::take(&mut block))?;
        }
    }
    if !block.is_empty() {
        f(block)?;
    }
    Ok(total)
}

pub(super) fn row_of_json(path: &Path, n: usize, line: &str) -> Result<Row, ExchangeError> {
    let bad = |what: String| ExchangeError::Format {
        path: path.to_path_buf(),
        detail: format!("line {n}: {what}"),
    };
    let j: JsonRow = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
    if j.schema != FINGERPRINTS_SCHEMA {
        return Err(bad(format!(
            "schema {:?}, expected {FINGERPRINTS_SCHEMA}",
            j.schema
        )));
    }
    check_version(path, &j.algorithm, j.algorithm_version)?;
    let sha = crate::decode::sha256_from_hex(&j.sha256).ok_or_else(|| bad("bad sha256".into()))?;
    let hashes = |v: &[String]| -> Result<Vec<u8>, ExchangeError> {
        if v.len() != 8 {
            return Err(bad("a dihedral list needs 8 hashes".into()));
        }
        let mut out = Vec::with_capacity(256);
        for h in v {
            let h = Hash256::from_hex(h).ok_or_else(|| bad(format!("bad hash {h:?}")))?;
            out.extend(h.to_bytes());
        }
        Ok(out)
    };
    let whole = hashes(&j.pdq_whole_dihedral)?;
    let canon = match &j.canonical {
        Some(c) => Some((c.bbox, c.quality, hashes(&c.pdq_dihedral)?)),
        None => None,
    };
    let win = b64()
        .decode(&j.windows)
        .map_err(|e| bad(format!("windows: {e}")))?;
    let feat = b64()
        .decode(&j.features)
        .map_err(|e| bad(format!("features: {e}")))?;
    if j.id != content_id(&sha) {
        return Err(bad("id does not match sha256".into()));
    }
    build_row(
        path,
        n,
        RawRow {
            sha256: &sha,
            path: j.path,
            algorithm: &j.algorithm,
            version: j.algorithm_version,
            width: j.width,
            height: j.height,
            whole_quality: j.whole_quality,
            whole: &whole,
            canonical: canon.as_ref().map(|(b, q, h)| (*b, *q, h.as_slice())),
            windows: &win,
            features: &feat,
        },
    )
}
