//! Writing an exchange file in either form, atomically (temporary sibling, then rename).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{io_err, ExchangeError, Format, Row, BLOCK};
use super::{
    jsonl::JsonRow,
    parquet_io::{schema, to_batch},
};

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
