//! The catalogue file: SQLite in WAL mode. Fingerprints are keyed by content SHA-256 (a renamed
//! or moved file is never re-hashed); files map (path) → (device, inode, size, mtime) → SHA-256 as
//! the fast path; user decisions live in their own table and are never touched by a rebuild.
//! Rows record algorithm id and version; rows of another version are never returned as current.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::fingerprint;

/// Schema version of the catalogue file. Version 2 added window hashes and local features to
/// fingerprint rows; a version-1 file is migrated by dropping its fingerprint and broken-file
/// rows (they are recomputed on the next scan; files and decisions are kept).
pub const SCHEMA_VERSION: i64 = 3;

mod batch;
mod error;
mod read;
mod rebuild;
mod user_decision;

pub use batch::Batch;
use error::classify;
pub use error::CatalogueError;
pub(crate) use rebuild::with_suffix;
pub use rebuild::{rebuild, RebuildReport};
pub use user_decision::{read_decisions_best_effort, Decision, UserDecision};

/// A scored pair of contents, cached so a re-scan does not verify it again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CachedScore {
    pub similarity: f64,
    pub distance: u32,
    /// Index into `Dihedral::ALL`.
    pub orientation: u8,
    pub verified: bool,
    pub mirrored: bool,
    pub inliers: u32,
    /// Inlier cells in each image (`Verification::cells_a`); 0 when not verified.
    pub cells_a: u64,
    pub cells_b: u64,
    /// What the verifier recovered, for reports (`Verification::cover_a`, the transform's
    /// scale and rotation); `None` when not verified.
    pub cover: Option<[f32; 2]>,
    pub scale: Option<f32>,
    pub rotation_deg: Option<f32>,
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

/// A record's content hash and one path that points at it (if any).
pub type RecordPath = ([u8; 32], Option<String>);

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
    canonical BLOB,
    windows BLOB NOT NULL,
    features BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    dev INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    last_seen_scan INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS files_identity ON files (dev, inode, size, mtime_ns);
CREATE TABLE IF NOT EXISTS broken (
    sha256 BLOB PRIMARY KEY, tool_version TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pair_scores (
    sha_a BLOB NOT NULL, sha_b BLOB NOT NULL, algorithm_version INTEGER NOT NULL,
    similarity REAL NOT NULL, distance INTEGER NOT NULL, orientation INTEGER NOT NULL,
    verified INTEGER NOT NULL, mirrored INTEGER NOT NULL, inliers INTEGER NOT NULL,
    cells_a INTEGER NOT NULL, cells_b INTEGER NOT NULL,
    cover_a REAL, cover_b REAL, scale REAL, rotation_deg REAL,
    PRIMARY KEY (sha_a, sha_b, algorithm_version)
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('reference_root', 'not_a_copy')),
    a TEXT NOT NULL, b TEXT, note TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
";

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
        cat.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
            )
            .map_err(err)?;
        let found: Option<String> = cat
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        let found = found.and_then(|v| v.parse::<i64>().ok());
        if let Some(v) = found {
            if v > SCHEMA_VERSION {
                return Err(CatalogueError::Version {
                    path: path.to_path_buf(),
                    found: v,
                    supported: SCHEMA_VERSION,
                });
            }
            // Older rows are recomputed, never mixed with current ones: fingerprints changed
            // layout in version 2, cached pair scores gained inlier cells in version 3 (a
            // cache: dropping it costs one re-verification, never an answer).
            if v < 2 {
                cat.conn
                    .execute_batch(
                        "BEGIN IMMEDIATE; DROP TABLE IF EXISTS fingerprints; DROP TABLE IF EXISTS broken; COMMIT;",
                    )
                    .map_err(err)?;
            }
            if v < 3 {
                cat.conn
                    .execute_batch("BEGIN IMMEDIATE; DROP TABLE IF EXISTS pair_scores; COMMIT;")
                    .map_err(err)?;
            }
        }
        cat.conn.execute_batch(SCHEMA).map_err(err)?;
        if found != Some(SCHEMA_VERSION) {
            cat.conn
                .execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)",
                    params![SCHEMA_VERSION.to_string()],
                )
                .map_err(err)?;
        }
        Ok(cat)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> CatalogueError + '_ {
        move |e| classify(&self.path, e)
    }

    /// Open an existing catalogue without writing to it (for `match`). A scan may be writing at
    /// the same time: WAL readers see the last committed state.
    pub fn open_read_only(path: &Path) -> Result<Catalogue, CatalogueError> {
        let read_version = |conn: &Connection| -> rusqlite::Result<Option<String>> {
            conn.busy_timeout(std::time::Duration::from_millis(2000))?;
            conn.query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
        };
        let plain = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|c| read_version(&c).map(|v| (c, v)));
        let (conn, found) = match plain {
            Ok(x) => x,
            // A WAL catalogue in a folder this user cannot write (no -shm can be made): read
            // it as immutable. Nobody else can be writing it for this user's sake, and a scan
            // by its owner would only be missed until the next query.
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly)
                    || e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) =>
            {
                let uri = format!("file:{}?immutable=1", uri_escape(path));
                let c = Connection::open_with_flags(
                    &uri,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
                )
                .map_err(|e| classify(path, e))?;
                let v = read_version(&c).map_err(|e| classify(path, e))?;
                (c, v)
            }
            Err(e) => return Err(classify(path, e)),
        };
        let v = found.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        if v != SCHEMA_VERSION {
            return Err(CatalogueError::Version {
                path: path.to_path_buf(),
                found: v,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(Catalogue {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// A current-algorithm record exists for this content.
    pub fn has_record(&self, sha256: &[u8; 32]) -> Result<bool, CatalogueError> {
        self.conn
            .prepare_cached(
                "SELECT 1 FROM fingerprints WHERE sha256 = ?1 AND algorithm = ?2 AND algorithm_version = ?3",
            )
            .and_then(|mut st| {
                st.exists(params![
                    &sha256[..],
                    fingerprint::ALGORITHM,
                    fingerprint::ALGORITHM_VERSION
                ])
            })
            .map_err(self.err())
    }

    /// Run `f` inside one write transaction (taken immediately, so a concurrent writer fails fast).
    pub fn batch<T>(
        &mut self,
        f: impl FnOnce(&Batch<'_>) -> Result<T, CatalogueError>,
    ) -> Result<T, CatalogueError> {
        self.batch_with(f)
    }

    /// [`Catalogue::batch`] for callers with their own error type: an error from `f` rolls
    /// everything back.
    pub fn batch_with<T, E: From<CatalogueError>>(
        &mut self,
        f: impl FnOnce(&Batch<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
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

    /// The error recorded for content that could not be decoded by this tool version.
    pub fn broken(&self, sha256: &[u8; 32]) -> Result<Option<(String, String)>, CatalogueError> {
        self.conn
            .prepare_cached(
                "SELECT code, message FROM broken WHERE sha256 = ?1 AND tool_version = ?2",
            )
            .and_then(|mut st| {
                st.query_row(params![&sha256[..], crate::VERSION], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
            })
            .map_err(self.err())
    }

    /// Every file row (path, SHA-256), sorted by path.
    pub fn files(&self) -> Result<Vec<(String, [u8; 32])>, CatalogueError> {
        let mut st = self
            .conn
            .prepare("SELECT path, sha256 FROM files ORDER BY path")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for r in rows {
            let (p, sha) = r.map_err(self.err())?;
            let sha: [u8; 32] = sha.try_into().map_err(|_| self.corrupt("file sha256"))?;
            out.push((p, sha));
        }
        Ok(out)
    }

    /// A deterministic dump for comparing catalogues: one line per file row and per
    /// fingerprint row (blobs as SHA-256 digests), user decisions excluded (they carry times).
    pub fn export_lines(&self) -> Result<Vec<String>, CatalogueError> {
        let mut out: Vec<String> = self
            .files()?
            .into_iter()
            .map(|(p, sha)| format!("file\t{p}\t{}", crate::decode::hex(&sha)))
            .collect();
        let mut st = self
            .conn
            .prepare(
                "SELECT sha256, algorithm, algorithm_version, width, height, whole_quality, whole,
                        canonical_box, canonical_quality, canonical, windows, features
                 FROM fingerprints ORDER BY sha256",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| {
                let sha: Vec<u8> = r.get(0)?;
                let mut blob = Vec::new();
                for i in [6, 7, 9, 10, 11] {
                    blob.extend(r.get::<_, Option<Vec<u8>>>(i)?.unwrap_or_default());
                }
                Ok(format!(
                    "fingerprint\t{}\t{}\t{}\t{}x{}\tq{}/{:?}\t{}",
                    crate::decode::hex(&sha),
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<i64>>(8)?,
                    crate::decode::sha256_hex(&blob)
                ))
            })
            .map_err(self.err())?;
        for r in rows {
            out.push(r.map_err(self.err())?);
        }
        Ok(out)
    }

    /// Start a scan: a new scan number, committed at once.
    pub fn begin_scan(&mut self) -> Result<i64, CatalogueError> {
        self.batch(|b| {
            let n: i64 = b
                .tx
                .query_row(
                    "SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_scan'), 0) + 1",
                    [],
                    |r| r.get(0),
                )
                .map_err(b.err())?;
            b.tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_scan', ?1)",
                params![n.to_string()],
            )
            .map_err(b.err())?;
            Ok(n)
        })
    }

    /// The cached score of (a, b) under the current algorithm, if any.
    pub fn pair_score(
        &self,
        a: &[u8; 32],
        b: &[u8; 32],
    ) -> Result<Option<CachedScore>, CatalogueError> {
        self.conn
            .prepare_cached(
                "SELECT similarity, distance, orientation, verified, mirrored, inliers, cells_a, cells_b, cover_a, cover_b, scale, rotation_deg FROM pair_scores
                 WHERE sha_a = ?1 AND sha_b = ?2 AND algorithm_version = ?3",
            )
            .and_then(|mut st| {
                st.query_row(
                    params![&a[..], &b[..], fingerprint::ALGORITHM_VERSION],
                    |r| {
                        Ok(CachedScore {
                            similarity: r.get(0)?,
                            distance: r.get(1)?,
                            orientation: r.get(2)?,
                            verified: r.get(3)?,
                            mirrored: r.get(4)?,
                            inliers: r.get(5)?,
                            // Stored as SQLite's signed 64-bit integer, bit for bit.
                            cells_a: r.get::<_, i64>(6)? as u64,
                            cells_b: r.get::<_, i64>(7)? as u64,
                            cover: match (r.get::<_, Option<f32>>(8)?, r.get::<_, Option<f32>>(9)?) {
                                (Some(a), Some(b)) => Some([a, b]),
                                _ => None,
                            },
                            scale: r.get(10)?,
                            rotation_deg: r.get(11)?,
                        })
                    },
                )
                .optional()
            })
            .map_err(self.err())
    }

    /// Path of the catalogue file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// User decisions (reference folders, "not a copy" marks), oldest first; rows of a kind
    /// this version does not know are left out.
    pub fn decisions(&self) -> Result<Vec<UserDecision>, CatalogueError> {
        let mut st = self
            .conn
            .prepare("SELECT kind, a, b FROM decisions ORDER BY id")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for r in rows {
            let (k, a, b) = r.map_err(self.err())?;
            out.extend(UserDecision::from_row(&k, a, b));
        }
        Ok(out)
    }

    /// (content, path) of every current-algorithm record, one entry per file row pointing at
    /// it, or one with no path when none does; sorted by content then path (exports).
    pub fn record_paths(&self) -> Result<Vec<RecordPath>, CatalogueError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT f.sha256, files.path FROM fingerprints f LEFT JOIN files ON files.sha256 = f.sha256
                 WHERE f.algorithm = ?1 AND f.algorithm_version = ?2 ORDER BY f.sha256, files.path",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(
                params![fingerprint::ALGORITHM, fingerprint::ALGORITHM_VERSION],
                |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Option<String>>(1)?)),
            )
            .map_err(self.err())?;
        let mut out = Vec::new();
        for r in rows {
            let (sha, p) = r.map_err(self.err())?;
            let sha: [u8; 32] = sha.try_into().map_err(|_| self.corrupt("sha256"))?;
            out.push((sha, p));
        }
        Ok(out)
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

/// Run one SQL statement on a catalogue file outside the normal API (tests simulate old or
/// damaged catalogues with it).
#[doc(hidden)]
pub fn raw_execute_for_tests(path: &Path, sql: &str) -> Result<usize, CatalogueError> {
    let conn = Connection::open(path).map_err(|e| classify(path, e))?;
    conn.execute(sql, []).map_err(|e| classify(path, e))
}

/// Percent-escape a path for an SQLite `file:` URI.
fn uri_escape(p: &Path) -> String {
    let mut out = String::new();
    for b in p.to_string_lossy().bytes() {
        match b {
            b'%' | b'?' | b'#' | b' ' | b'\n' | b'\r' | b'"' | b'&' | b'=' | 0x80..=0xFF => {
                out.push_str(&format!("%{b:02X}"))
            }
            _ => out.push(b as char),
        }
    }
    out
}
