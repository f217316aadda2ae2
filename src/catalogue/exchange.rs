//! Fingerprint exchange files: `catalogue export`, `hash --manifest … --out shard`, and
//! `catalogue import`. One row per (image content, path), schema `pairproof.fingerprints/1`
//! (docs/schemas.md), in Parquet (for Spark, DuckDB and Milvus bulk import) or JSON lines (for
//! people and `jq`). A shard written on any machine imports into any catalogue of the same
//! algorithm version, so fingerprinting fans out over a batch system and merges by import.
//!
//! Files are written to a temporary sibling and renamed into place: a reader never sees half a
//! file. Rows are streamed in blocks, so exporting a large catalogue needs memory for one block.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BinaryBuilder, FixedSizeBinaryBuilder, Int64Builder, StringBuilder, UInt32Builder, UInt8Builder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt32Type, UInt8Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::catalogue::store::{Catalogue, CatalogueError};
use crate::fingerprint::{
    self, canonical::BoxPx, local, pdq::Hash256, windows, Analysis, Fingerprint, View,
};

/// Schema name of a fingerprints row (Parquet file metadata and every JSON line).
pub const FINGERPRINTS_SCHEMA: &str = "pairproof.fingerprints/1";

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
    pub fn code(&self) -> &'static str {
        match self {
            ExchangeError::Io { .. } => "E_SHARD_IO",
            ExchangeError::Format { .. } => "E_SHARD_FORMAT",
            ExchangeError::Version { .. } => "E_SHARD_VERSION",
        }
    }
}

/// Every exchange error code, for the documentation test.
pub const ALL_EXCHANGE_ERROR_CODES: &[&str] = &["E_SHARD_IO", "E_SHARD_FORMAT", "E_SHARD_VERSION"];

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

fn schema() -> Arc<Schema> {
    let h32 = DataType::FixedSizeBinary(32);
    let h256 = DataType::FixedSizeBinary(256);
    let fields = vec![
        Field::new("id", DataType::Int64, false),
        Field::new("sha256", h32.clone(), false),
        Field::new("path", DataType::Utf8, true),
        Field::new("algorithm", DataType::Utf8, false),
        Field::new("algorithm_version", DataType::UInt32, false),
        Field::new("width", DataType::UInt32, false),
        Field::new("height", DataType::UInt32, false),
        Field::new("whole_quality", DataType::UInt8, false),
        Field::new("pdq_whole", h32.clone(), false),
        Field::new("pdq_whole_dihedral", h256.clone(), false),
        Field::new("canonical_x", DataType::UInt32, true),
        Field::new("canonical_y", DataType::UInt32, true),
        Field::new("canonical_width", DataType::UInt32, true),
        Field::new("canonical_height", DataType::UInt32, true),
        Field::new("canonical_quality", DataType::UInt8, true),
        Field::new("pdq_canonical", h32, true),
        Field::new("pdq_canonical_dihedral", h256, true),
        Field::new("windows", DataType::Binary, false),
        Field::new("features", DataType::Binary, false),
    ];
    let meta = HashMap::from([
        (
            "pairproof.schema".to_string(),
            FINGERPRINTS_SCHEMA.to_string(),
        ),
        (
            "pairproof.tool_version".to_string(),
            crate::VERSION.to_string(),
        ),
    ]);
    Arc::new(Schema::new_with_metadata(fields, meta))
}

fn to_batch(rows: &[Row]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let n = rows.len();
    let mut id = Int64Builder::with_capacity(n);
    let mut sha = FixedSizeBinaryBuilder::with_capacity(n, 32);
    let mut path = StringBuilder::new();
    let mut algorithm = StringBuilder::new();
    let mut version = UInt32Builder::with_capacity(n);
    let mut width = UInt32Builder::with_capacity(n);
    let mut height = UInt32Builder::with_capacity(n);
    let mut wq = UInt8Builder::with_capacity(n);
    let mut pdq_whole = FixedSizeBinaryBuilder::with_capacity(n, 32);
    let mut whole_d = FixedSizeBinaryBuilder::with_capacity(n, 256);
    let mut cbox: [UInt32Builder; 4] = std::array::from_fn(|_| UInt32Builder::with_capacity(n));
    let mut cq = UInt8Builder::with_capacity(n);
    let mut pdq_canon = FixedSizeBinaryBuilder::with_capacity(n, 32);
    let mut canon_d = FixedSizeBinaryBuilder::with_capacity(n, 256);
    let mut win = BinaryBuilder::new();
    let mut feat = BinaryBuilder::new();
    for r in rows {
        let f = &r.analysis.fingerprint;
        id.append_value(content_id(&r.sha256));
        sha.append_value(r.sha256)?;
        path.append_option(r.path.as_deref());
        algorithm.append_value(f.algorithm);
        version.append_value(f.algorithm_version);
        width.append_value(f.width);
        height.append_value(f.height);
        wq.append_value(f.whole.quality);
        pdq_whole.append_value(f.whole.hashes[0].to_bytes())?;
        whole_d.append_value(pack_view(&f.whole))?;
        match &f.canonical {
            Some((b, v)) => {
                for (bld, x) in cbox.iter_mut().zip([b.x, b.y, b.width, b.height]) {
                    bld.append_value(x);
                }
                cq.append_value(v.quality);
                pdq_canon.append_value(v.hashes[0].to_bytes())?;
                canon_d.append_value(pack_view(v))?;
            }
            None => {
                for bld in cbox.iter_mut() {
                    bld.append_null();
                }
                cq.append_null();
                pdq_canon.append_null();
                canon_d.append_null();
            }
        }
        win.append_value(r.analysis.windows.encode());
        feat.append_value(r.analysis.features.encode());
    }
    let [mut cx, mut cy, mut cw, mut ch] = cbox;
    let cols: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(sha.finish()),
        Arc::new(path.finish()),
        Arc::new(algorithm.finish()),
        Arc::new(version.finish()),
        Arc::new(width.finish()),
        Arc::new(height.finish()),
        Arc::new(wq.finish()),
        Arc::new(pdq_whole.finish()),
        Arc::new(whole_d.finish()),
        Arc::new(cx.finish()),
        Arc::new(cy.finish()),
        Arc::new(cw.finish()),
        Arc::new(ch.finish()),
        Arc::new(cq.finish()),
        Arc::new(pdq_canon.finish()),
        Arc::new(canon_d.finish()),
        Arc::new(win.finish()),
        Arc::new(feat.finish()),
    ];
    RecordBatch::try_new(schema(), cols)
}

/// One JSON line: the same fields as the Parquet columns, hashes in PDQ hex, blobs in base64.
#[derive(Debug, Serialize, Deserialize)]
struct JsonRow {
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
struct JsonCanonical {
    #[serde(rename = "box")]
    bbox: [u32; 4],
    quality: u8,
    pdq: String,
    pdq_dihedral: Vec<String>,
}

fn b64() -> base64::engine::GeneralPurpose {
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

/// Streaming writer: rows go out in blocks; [`Writer::finish`] renames the complete file into
/// place. Dropped without `finish` (an error, a panic), the temporary file is removed.
pub struct Writer {
    format: Format,
    path: PathBuf,
    tmp: Option<tempfile::NamedTempFile>,
    parquet: Option<parquet::arrow::ArrowWriter<BufWriter<File>>>,
    jsonl: Option<BufWriter<File>>,
    pending: Vec<Row>,
    rows: u64,
}

impl Writer {
    pub fn create(path: &Path, format: Format) -> Result<Writer, ExchangeError> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".pairproof-export-")
            .tempfile_in(dir)
            .map_err(io_err(path))?;
        let file = tmp.reopen().map_err(io_err(path))?;
        let mut w = Writer {
            format,
            path: path.to_path_buf(),
            tmp: Some(tmp),
            parquet: None,
            jsonl: None,
            pending: Vec::new(),
            rows: 0,
        };
        match format {
            Format::Parquet => {
                let props = parquet::file::properties::WriterProperties::builder()
                    .set_compression(parquet::basic::Compression::SNAPPY)
                    .set_max_row_group_row_count(Some(BLOCK))
                    .build();
                w.parquet = Some(
                    parquet::arrow::ArrowWriter::try_new(
                        BufWriter::new(file),
                        schema(),
                        Some(props),
                    )
                    .map_err(|e| w.io(e))?,
                );
            }
            Format::Jsonl => w.jsonl = Some(BufWriter::new(file)),
        }
        Ok(w)
    }

    fn io(&self, e: impl std::fmt::Display) -> ExchangeError {
        ExchangeError::Io {
            path: self.path.clone(),
            detail: e.to_string(),
        }
    }

    pub fn push(&mut self, row: Row) -> Result<(), ExchangeError> {
        self.pending.push(row);
        self.rows += 1;
        if self.pending.len() >= BLOCK {
            self.flush_block()?;
        }
        Ok(())
    }

    fn flush_block(&mut self) -> Result<(), ExchangeError> {
        let rows = std::mem::take(&mut self.pending);
        if rows.is_empty() {
            return Ok(());
        }
        if let Some(pw) = self.parquet.as_mut() {
            let batch = to_batch(&rows).map_err(|e| ExchangeError::Io {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
            let r = pw.write(&batch);
            r.map_err(|e| self.io(e))?;
        }
        if let Some(jw) = self.jsonl.as_mut() {
            for r in &rows {
                let line =
                    serde_json::to_string(&JsonRow::from(r)).map_err(|e| ExchangeError::Io {
                        path: self.path.clone(),
                        detail: e.to_string(),
                    })?;
                let res = writeln!(jw, "{line}");
                res.map_err(|e| ExchangeError::Io {
                    path: self.path.clone(),
                    detail: e.to_string(),
                })?;
            }
        }
        Ok(())
    }

    /// Write the rest, sync, and move the file into place. Returns the number of rows.
    pub fn finish(mut self) -> Result<u64, ExchangeError> {
        self.flush_block()?;
        let file = if let Some(pw) = self.parquet.take() {
            let inner = pw.into_inner().map_err(|e| self.io(e))?;
            inner.into_inner().map_err(|e| self.io(e.error()))?
        } else if let Some(jw) = self.jsonl.take() {
            jw.into_inner().map_err(|e| self.io(e.error()))?
        } else {
            return Err(self.io("writer already finished"));
        };
        // Temporary files are private (0600); the finished export is an ordinary file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o644))
                .map_err(|e| self.io(e))?;
        }
        file.sync_all().map_err(|e| self.io(e))?;
        let tmp = self
            .tmp
            .take()
            .ok_or_else(|| self.io("writer already finished"))?;
        tmp.persist(&self.path).map_err(|e| self.io(e.error))?;
        Ok(self.rows)
    }

    pub fn format(&self) -> Format {
        self.format
    }
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
        read_parquet(path, &mut f)
    } else {
        read_jsonl(path, &mut f)
    }
}

fn read_parquet(
    path: &Path,
    f: &mut impl FnMut(Vec<Row>) -> Result<(), ExchangeError>,
) -> Result<u64, ExchangeError> {
    let fmt = |detail: String| ExchangeError::Format {
        path: path.to_path_buf(),
        detail,
    };
    let file = File::open(path).map_err(io_err(path))?;
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| fmt(e.to_string()))?;
    let declared = builder.schema().metadata().get("pairproof.schema").cloned();
    if declared.as_deref() != Some(FINGERPRINTS_SCHEMA) {
        return Err(fmt(format!(
            "schema {:?}, expected {FINGERPRINTS_SCHEMA}",
            declared.unwrap_or_default()
        )));
    }
    let reader = builder
        .with_batch_size(BLOCK)
        .build()
        .map_err(|e| fmt(e.to_string()))?;
    let mut total = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| fmt(e.to_string()))?;
        let rows = rows_of_batch(path, &batch, total)?;
        total += rows.len() as u64;
        f(rows)?;
    }
    Ok(total)
}

fn rows_of_batch(path: &Path, b: &RecordBatch, first: u64) -> Result<Vec<Row>, ExchangeError> {
    let missing = |name: &str| ExchangeError::Format {
        path: path.to_path_buf(),
        detail: format!("column {name} missing or of the wrong type"),
    };
    let col = |name: &str| b.column_by_name(name).ok_or_else(|| missing(name));
    macro_rules! typed {
        ($name:expr, $as:ident $(::<$t:ty>)?) => {
            col($name)?.$as$(::<$t>)?().ok_or_else(|| missing($name))?
        };
    }
    let sha = typed!("sha256", as_fixed_size_binary_opt);
    let paths = typed!("path", as_string_opt::<i32>);
    let algorithm = typed!("algorithm", as_string_opt::<i32>);
    let version = typed!("algorithm_version", as_primitive_opt::<UInt32Type>);
    let width = typed!("width", as_primitive_opt::<UInt32Type>);
    let height = typed!("height", as_primitive_opt::<UInt32Type>);
    let wq = typed!("whole_quality", as_primitive_opt::<UInt8Type>);
    let whole = typed!("pdq_whole_dihedral", as_fixed_size_binary_opt);
    let cbox = [
        typed!("canonical_x", as_primitive_opt::<UInt32Type>),
        typed!("canonical_y", as_primitive_opt::<UInt32Type>),
        typed!("canonical_width", as_primitive_opt::<UInt32Type>),
        typed!("canonical_height", as_primitive_opt::<UInt32Type>),
    ];
    let cq = typed!("canonical_quality", as_primitive_opt::<UInt8Type>);
    let canon = typed!("pdq_canonical_dihedral", as_fixed_size_binary_opt);
    let win = typed!("windows", as_binary_opt::<i32>);
    let feat = typed!("features", as_binary_opt::<i32>);
    // `id` is derived; checked so a hand-edited file cannot carry ids that disagree.
    let ids = typed!("id", as_primitive_opt::<Int64Type>);
    let mut out = Vec::with_capacity(b.num_rows());
    for i in 0..b.num_rows() {
        let n = first as usize + i + 1;
        let required = [
            sha.is_null(i),
            algorithm.is_null(i),
            version.is_null(i),
            width.is_null(i),
            height.is_null(i),
            wq.is_null(i),
            whole.is_null(i),
            win.is_null(i),
            feat.is_null(i),
            ids.is_null(i),
        ];
        if required.iter().any(|x| *x) {
            return Err(ExchangeError::Format {
                path: path.to_path_buf(),
                detail: format!("row {n}: a required column is null"),
            });
        }
        let canonical = if canon.is_null(i) {
            None
        } else {
            if cq.is_null(i) || cbox.iter().any(|c| c.is_null(i)) {
                return Err(ExchangeError::Format {
                    path: path.to_path_buf(),
                    detail: format!("row {n}: canonical view without its box or quality"),
                });
            }
            Some((
                std::array::from_fn(|k| cbox[k].value(i)),
                cq.value(i),
                canon.value(i),
            ))
        };
        let row = build_row(
            path,
            n,
            RawRow {
                sha256: sha.value(i),
                path: (!paths.is_null(i)).then(|| paths.value(i).to_string()),
                algorithm: algorithm.value(i),
                version: version.value(i),
                width: width.value(i),
                height: height.value(i),
                whole_quality: wq.value(i),
                whole: whole.value(i),
                canonical,
                windows: win.value(i),
                features: feat.value(i),
            },
        )?;
        if ids.value(i) != content_id(&row.sha256) {
            return Err(ExchangeError::Format {
                path: path.to_path_buf(),
                detail: format!("row {n}: id does not match sha256"),
            });
        }
        out.push(row);
    }
    Ok(out)
}

fn read_jsonl(
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

fn row_of_json(path: &Path, n: usize, line: &str) -> Result<Row, ExchangeError> {
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

/// Export or import failed: the catalogue or the exchange file.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    #[error(transparent)]
    Lock(#[from] crate::catalogue::scan::ScanError),
}

impl TransferError {
    pub fn code(&self) -> &'static str {
        match self {
            TransferError::Catalogue(e) => e.code(),
            TransferError::Exchange(e) => e.code(),
            TransferError::Lock(e) => e.code(),
        }
    }
}

/// What `catalogue export` wrote (`pairproof.export/1`).
#[derive(Debug, Serialize)]
pub struct ExportReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub catalogue: PathBuf,
    pub out: PathBuf,
    pub format: Format,
    pub row_schema: &'static str,
    pub rows: u64,
    pub contents: u64,
}

/// `--out` names a file when it ends in `.parquet` / `.jsonl`, else a folder that receives
/// `fingerprints.<ext>`.
pub fn export_target(out: &Path, format: Format) -> PathBuf {
    match out.extension().and_then(|e| e.to_str()) {
        Some("parquet") | Some("jsonl") => out.to_path_buf(),
        _ => out.join(format!("fingerprints.{}", format.extension())),
    }
}

/// Write every current-algorithm record of `cat` (one row per file row pointing at it).
pub fn export(cat: &Catalogue, out: &Path, format: Format) -> Result<ExportReport, TransferError> {
    let target = export_target(out, format);
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_err(&target))?;
    }
    let list = cat.record_paths()?;
    let mut w = Writer::create(&target, format)?;
    let mut contents = 0u64;
    let mut last: Option<([u8; 32], Analysis)> = None;
    for (sha, path) in list {
        let analysis = match &last {
            Some((s, a)) if *s == sha => a.clone(),
            _ => {
                let a = cat.record(&sha)?.ok_or_else(|| CatalogueError::Corrupt {
                    path: cat.path().to_path_buf(),
                    detail: "record vanished during export".into(),
                })?;
                contents += 1;
                last = Some((sha, a.clone()));
                a
            }
        };
        w.push(Row {
            path,
            sha256: sha,
            analysis,
        })?;
    }
    let rows = w.finish()?;
    Ok(ExportReport {
        schema: "pairproof.export/1",
        tool_version: crate::VERSION,
        catalogue: cat.path().to_path_buf(),
        out: target,
        format,
        row_schema: FINGERPRINTS_SCHEMA,
        rows,
        contents,
    })
}

/// One imported file.
#[derive(Debug, Serialize)]
pub struct ImportedFile {
    pub path: PathBuf,
    pub rows: u64,
}

/// What `catalogue import` did (`pairproof.import/1`).
#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub catalogue: PathBuf,
    pub files: Vec<ImportedFile>,
    pub rows: u64,
    pub records: u64,
}

/// [`import`] into the catalogue file at `path`, holding its scan lock (a running scan makes
/// this fail at once with `E_CATALOGUE_LOCKED`).
pub fn import_into(path: &Path, inputs: &[PathBuf]) -> Result<ImportReport, TransferError> {
    let _lock = crate::catalogue::lock::ScanLock::acquire(path)?;
    let mut cat = Catalogue::open(path)?;
    import(&mut cat, inputs)
}

/// Merge exchange files into `cat`, each file in one transaction (a bad row anywhere leaves
/// the catalogue as it was before that file). Records are keyed by content, so importing the
/// same shard twice, or overlapping shards, changes nothing the second time.
pub fn import(cat: &mut Catalogue, inputs: &[PathBuf]) -> Result<ImportReport, TransferError> {
    let scan = cat.begin_scan()?;
    let mut files = Vec::new();
    let mut total = 0u64;
    for input in inputs {
        let rows = cat.batch_with(|b| -> Result<u64, TransferError> {
            Ok(read(input, |rows| {
                for r in &rows {
                    let put = b
                        .put_record(&r.sha256, &r.analysis)
                        .and_then(|_| match &r.path {
                            Some(p) => b.import_file(p, &r.sha256, scan),
                            None => Ok(()),
                        });
                    put.map_err(|e| ExchangeError::Io {
                        path: input.clone(),
                        detail: format!("writing the catalogue: {e}"),
                    })?;
                }
                Ok(())
            })?)
        })?;
        total += rows;
        files.push(ImportedFile {
            path: input.clone(),
            rows,
        });
    }
    Ok(ImportReport {
        schema: "pairproof.import/1",
        tool_version: crate::VERSION,
        catalogue: cat.path().to_path_buf(),
        files,
        rows: total,
        records: cat.fingerprint_count()?,
    })
}

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
        schema: "pairproof.shard/1",
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
