//! `catalogue export` and `catalogue import`: a catalogue to an exchange file and back.

use crate::code::Code;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::catalogue::store::{Catalogue, CatalogueError};
use crate::fingerprint::Analysis;

use super::{io_err, ExchangeError, Format, Row, FINGERPRINTS_SCHEMA};
use super::{read, writer::Writer};

/// Export or import failed: the catalogue or the exchange file.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
}

impl TransferError {
    pub fn code(&self) -> Code {
        match self {
            TransferError::Catalogue(e) => e.code(),
            TransferError::Exchange(e) => e.code(),
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
        schema: crate::report::schema::EXPORT,
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
        schema: crate::report::schema::IMPORT,
        tool_version: crate::VERSION,
        catalogue: cat.path().to_path_buf(),
        files,
        rows: total,
        records: cat.fingerprint_count()?,
    })
}
