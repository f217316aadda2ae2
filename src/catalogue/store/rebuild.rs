//! `catalogue rebuild`: keep the user decisions, start the cache afresh.

use std::path::{Path, PathBuf};

use rusqlite::params;

use super::{read_decisions_best_effort, Catalogue, CatalogueError};

/// What `catalogue rebuild` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RebuildReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub catalogue: PathBuf,
    /// Where the user decisions were written before anything else was touched.
    pub decisions_export: PathBuf,
    pub decisions: usize,
    /// Where the old file went (kept for inspection), `None` if there was none.
    pub old_catalogue: Option<PathBuf>,
    /// A problem reading the old decisions (they may be incomplete).
    pub warning: Option<String>,
}

/// `p` with `suffix` appended to its file name (`cat.sqlite` → `cat.sqlite.lock`).
pub(crate) fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Rebuild a catalogue: export the user decisions to `<catalogue>.decisions-<stamp>.json` first
/// (atomically), move the old file (and its WAL) aside to `<catalogue>.old-<stamp>`, create a
/// fresh catalogue and put the decisions back. Fingerprints are caches: the next scan
/// recomputes them. The caller holds the scan lock.
pub fn rebuild(path: &Path, stamp: &str) -> Result<RebuildReport, CatalogueError> {
    let io = |p: &Path, e: &dyn std::fmt::Display| CatalogueError::Io {
        path: p.to_path_buf(),
        detail: e.to_string(),
    };
    let (decisions, warning) = if path.exists() {
        match read_decisions_best_effort(path) {
            Ok(d) => (d, None),
            Err(e) => (vec![], Some(format!("decisions could not be read: {e}"))),
        }
    } else {
        (vec![], None)
    };
    let export = with_suffix(path, &format!(".decisions-{stamp}.json"));
    let json = serde_json::to_vec_pretty(&decisions).map_err(|e| io(&export, &e))?;
    crate::metadata::write_atomically(&export, &json).map_err(|e| io(&export, &e))?;
    let old = if path.exists() {
        let old = with_suffix(path, &format!(".old-{stamp}"));
        std::fs::rename(path, &old).map_err(|e| io(path, &e))?;
        for side in ["-wal", "-shm"] {
            let f = with_suffix(path, side);
            if f.exists() {
                std::fs::rename(&f, with_suffix(&old, side)).map_err(|e| io(&f, &e))?;
            }
        }
        Some(old)
    } else {
        None
    };
    let mut cat = Catalogue::open(path)?;
    cat.batch(|b| {
        for d in &decisions {
            b.tx.execute(
                "INSERT INTO decisions (kind, a, b, note, created_at) VALUES (?1, ?2, ?3, ?4, COALESCE(?5, datetime('now')))",
                params![d.kind, d.a, d.b, d.note, d.created_at],
            )
            .map_err(b.err())?;
        }
        Ok(())
    })?;
    Ok(RebuildReport {
        schema: crate::report::schema::CATALOGUE_REBUILD,
        tool_version: crate::VERSION,
        catalogue: path.to_path_buf(),
        decisions_export: export,
        decisions: decisions.len(),
        old_catalogue: old,
        warning,
    })
}
