//! The catalogue file: SQLite in WAL mode. Fingerprints are keyed by content SHA-256 (a renamed
//! or moved file is never re-hashed); files map (path) → (device, inode, size, mtime) → SHA-256 as
//! the fast path; user decisions live in their own table and are never touched by a rebuild.
//! Rows record algorithm id and version; rows of another version are never returned as current.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::fingerprint::{self, BoxPx, Fingerprint, Hash256, View};

/// Schema version of the catalogue file.
pub const SCHEMA_VERSION: i64 = 1;

/// Catalogue errors, with stable codes (docs/errors.md).
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("{path}: catalogue is in use by another scan (locked); wait for it or use --wait")]
    Locked { path: PathBuf },
    #[error("{path}: catalogue file is corrupt ({detail}); `pairproof catalogue rebuild` exports user decisions first")]
    Corrupt { path: PathBuf, detail: String },
    #[error("{path}: catalogue schema version {found} is newer than this tool's {supported}")]
    Version {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{path}: catalogue I/O failed: {detail}")]
    Io { path: PathBuf, detail: String },
}

/// Every catalogue error code, for the documentation test.
pub const ALL_CATALOGUE_ERROR_CODES: &[&str] = &[
    "E_CATALOGUE_LOCKED",
    "E_CATALOGUE_CORRUPT",
    "E_CATALOGUE_VERSION",
    "E_CATALOGUE_IO",
];

impl CatalogueError {
    pub fn code(&self) -> &'static str {
        match self {
            CatalogueError::Locked { .. } => "E_CATALOGUE_LOCKED",
            CatalogueError::Corrupt { .. } => "E_CATALOGUE_CORRUPT",
            CatalogueError::Version { .. } => "E_CATALOGUE_VERSION",
            CatalogueError::Io { .. } => "E_CATALOGUE_IO",
        }
    }
}

fn classify(path: &Path, e: rusqlite::Error) -> CatalogueError {
    use rusqlite::ErrorCode;
    let p = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            CatalogueError::Locked { path: p }
        }
        Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
            CatalogueError::Corrupt {
                path: p,
                detail: e.to_string(),
            }
        }
        _ => CatalogueError::Io {
            path: p,
            detail: e.to_string(),
        },
    }
}

/// File identity used for the fast path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    pub dev: u64,
    pub inode: u64,
    pub size: u64,
    pub mtime_ns: i64,
}

impl FileStat {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> FileStat {
        use std::os::unix::fs::MetadataExt;
        FileStat {
            dev: meta.dev(),
            inode: meta.ino(),
            size: meta.size(),
            mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
        }
    }
}

/// An open catalogue.
pub struct Catalogue {
    conn: Connection,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fingerprints (
    sha256 BLOB PRIMARY KEY,
    algorithm TEXT NOT NULL,
    algorithm_version INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    whole_quality INTEGER NOT NULL,
    whole BLOB NOT NULL,
    canonical_box BLOB,
    canonical_quality INTEGER,
    canonical BLOB
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    dev INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    last_seen_scan INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS files_identity ON files (dev, inode, size, mtime_ns);
CREATE TABLE IF NOT EXISTS broken (sha256 BLOB PRIMARY KEY, code TEXT NOT NULL, message TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('reference_root', 'not_a_copy')),
    a TEXT NOT NULL, b TEXT, note TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
";

fn pack_hashes(v: &View) -> Vec<u8> {
    v.hashes
        .iter()
        .flat_map(|h| h.0.iter().flat_map(|w| w.to_le_bytes()))
        .collect()
}

fn unpack_hashes(b: &[u8]) -> Option<[Hash256; 8]> {
    if b.len() != 8 * 32 {
        return None;
    }
    let mut out = [Hash256::default(); 8];
    for (k, h) in out.iter_mut().enumerate() {
        for (i, w) in h.0.iter_mut().enumerate() {
            let at = k * 32 + i * 2;
            *w = u16::from_le_bytes([b[at], b[at + 1]]);
        }
    }
    Some(out)
}

impl Catalogue {
    /// Open (creating if needed) a catalogue for writing. A second writer gets
    /// `E_CATALOGUE_LOCKED` at once, not a wait.
    pub fn open(path: &Path) -> Result<Catalogue, CatalogueError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )
        .map_err(|e| classify(path, e))?;
        let cat = Catalogue {
            conn,
            path: path.to_path_buf(),
        };
        let err = |e| classify(path, e);
        cat.conn
            .busy_timeout(std::time::Duration::from_millis(0))
            .map_err(err)?;
        // Journal mode first: it reads the header, so a corrupt file is detected here.
        cat.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        // NORMAL in WAL mode: a power loss may drop the last transaction, never corrupt the file.
        cat.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        let check: String = cat
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(err)?;
        if check != "ok" {
            return Err(CatalogueError::Corrupt {
                path: path.to_path_buf(),
                detail: check,
            });
        }
        cat.conn.execute_batch(SCHEMA).map_err(err)?;
        let found: Option<String> = cat
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        match found.and_then(|v| v.parse::<i64>().ok()) {
            None => {
                cat.conn
                    .execute(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)",
                        params![SCHEMA_VERSION.to_string()],
                    )
                    .map_err(err)?;
            }
            Some(v) if v > SCHEMA_VERSION => {
                return Err(CatalogueError::Version {
                    path: path.to_path_buf(),
                    found: v,
                    supported: SCHEMA_VERSION,
                });
            }
            Some(_) => {}
        }
        Ok(cat)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> CatalogueError + '_ {
        move |e| classify(&self.path, e)
    }

    /// Run `f` inside one write transaction (taken immediately, so a concurrent writer fails fast).
    pub fn batch<T>(
        &mut self,
        f: impl FnOnce(&Batch<'_>) -> Result<T, CatalogueError>,
    ) -> Result<T, CatalogueError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| classify(&path, e))?;
        let out = f(&Batch {
            tx: &tx,
            path: &path,
        })?;
        tx.commit().map_err(|e| classify(&path, e))?;
        Ok(out)
    }

    /// The SHA-256 recorded for `path` if its identity is unchanged (the fast path).
    pub fn known_file(&self, path: &str, st: FileStat) -> Result<Option<[u8; 32]>, CatalogueError> {
        let row: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT sha256 FROM files WHERE path = ?1 AND dev = ?2 AND inode = ?3 AND size = ?4 AND mtime_ns = ?5",
                params![path, st.dev as i64, st.inode as i64, st.size as i64, st.mtime_ns],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())?;
        Ok(row.and_then(|v| v.try_into().ok()))
    }

    /// The current-algorithm fingerprint for a content hash, if stored.
    pub fn fingerprint(&self, sha256: &[u8; 32]) -> Result<Option<Fingerprint>, CatalogueError> {
        let row = self
            .conn
            .query_row(
                "SELECT width, height, whole_quality, whole, canonical_box, canonical_quality, canonical FROM fingerprints
                 WHERE sha256 = ?1 AND algorithm = ?2 AND algorithm_version = ?3",
                params![&sha256[..], fingerprint::ALGORITHM, fingerprint::ALGORITHM_VERSION],
                |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, u32>(1)?,
                        r.get::<_, u8>(2)?,
                        r.get::<_, Vec<u8>>(3)?,
                        r.get::<_, Option<Vec<u8>>>(4)?,
                        r.get::<_, Option<u8>>(5)?,
                        r.get::<_, Option<Vec<u8>>>(6)?,
                    ))
                },
            )
            .optional()
            .map_err(self.err())?;
        let Some((width, height, wq, whole, cbox, cq, canon)) = row else {
            return Ok(None);
        };
        let corrupt = |what: &str| CatalogueError::Corrupt {
            path: self.path.clone(),
            detail: format!("fingerprint row: bad {what}"),
        };
        let whole = View {
            quality: wq,
            hashes: unpack_hashes(&whole).ok_or_else(|| corrupt("whole hashes"))?,
        };
        let canonical = match (cbox, cq, canon) {
            (Some(b), Some(q), Some(c)) if b.len() == 16 => {
                let n = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
                let bx = BoxPx {
                    x: n(0),
                    y: n(4),
                    width: n(8),
                    height: n(12),
                };
                Some((
                    bx,
                    View {
                        quality: q,
                        hashes: unpack_hashes(&c).ok_or_else(|| corrupt("canonical hashes"))?,
                    },
                ))
            }
            (None, None, None) => None,
            _ => return Err(corrupt("canonical view")),
        };
        Ok(Some(Fingerprint {
            algorithm: fingerprint::ALGORITHM,
            algorithm_version: fingerprint::ALGORITHM_VERSION,
            width,
            height,
            whole,
            canonical,
        }))
    }

    /// User decisions (reference roots, "not a copy" marks), oldest first.
    pub fn decisions(&self) -> Result<Vec<(String, String, Option<String>)>, CatalogueError> {
        let mut st = self
            .conn
            .prepare("SELECT kind, a, b FROM decisions ORDER BY id")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// Number of stored fingerprints (all algorithm versions).
    pub fn fingerprint_count(&self) -> Result<u64, CatalogueError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM fingerprints", [], |r| r.get(0))
            .map_err(self.err())?;
        Ok(n.max(0) as u64)
    }
}

/// Writes inside one transaction.
pub struct Batch<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    path: &'a Path,
}

impl Batch<'_> {
    fn err(&self) -> impl Fn(rusqlite::Error) -> CatalogueError + '_ {
        move |e| classify(self.path, e)
    }

    pub fn put_file(
        &self,
        path: &str,
        st: FileStat,
        sha256: &[u8; 32],
        scan: i64,
    ) -> Result<(), CatalogueError> {
        self.tx
            .execute(
                "INSERT OR REPLACE INTO files (path, dev, inode, size, mtime_ns, sha256, last_seen_scan) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![path, st.dev as i64, st.inode as i64, st.size as i64, st.mtime_ns, &sha256[..], scan],
            )
            .map_err(self.err())?;
        Ok(())
    }

    pub fn put_fingerprint(
        &self,
        sha256: &[u8; 32],
        f: &Fingerprint,
    ) -> Result<(), CatalogueError> {
        let (cbox, cq, canon) = match &f.canonical {
            Some((b, v)) => {
                let bytes: Vec<u8> = [b.x, b.y, b.width, b.height]
                    .iter()
                    .flat_map(|n| n.to_le_bytes())
                    .collect();
                (Some(bytes), Some(v.quality), Some(pack_hashes(v)))
            }
            None => (None, None, None),
        };
        self.tx
            .execute(
                "INSERT OR REPLACE INTO fingerprints (sha256, algorithm, algorithm_version, width, height, whole_quality, whole, canonical_box, canonical_quality, canonical)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![&sha256[..], f.algorithm, f.algorithm_version, f.width, f.height, f.whole.quality, pack_hashes(&f.whole), cbox, cq, canon],
            )
            .map_err(self.err())?;
        Ok(())
    }

    pub fn add_decision(&self, kind: &str, a: &str, b: Option<&str>) -> Result<(), CatalogueError> {
        self.tx
            .execute(
                "INSERT INTO decisions (kind, a, b) VALUES (?1, ?2, ?3)",
                params![kind, a, b],
            )
            .map_err(self.err())?;
        Ok(())
    }
}

/// Run one SQL statement on a catalogue file outside the normal API (tests simulate old or
/// damaged catalogues with it).
#[doc(hidden)]
pub fn raw_execute_for_tests(path: &Path, sql: &str) -> Result<usize, CatalogueError> {
    let conn = Connection::open(path).map_err(|e| classify(path, e))?;
    conn.execute(sql, []).map_err(|e| classify(path, e))
}
