//! Writes to the catalogue, each inside the caller's transaction.

use std::path::Path;

use rusqlite::params;

use super::{classify, CachedScore, CatalogueError, FileStat, UserDecision};
use crate::fingerprint::{self, Analysis};

/// Writes inside one transaction.
pub struct Batch<'a> {
    pub(super) tx: &'a rusqlite::Transaction<'a>,
    pub(super) path: &'a Path,
}

impl Batch<'_> {
    pub(super) fn err(&self) -> impl Fn(rusqlite::Error) -> CatalogueError + '_ {
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

    /// A file row from an imported shard: its identity is unknown here, so it is stored as
    /// zeros (the next scan confirms the file by content, without re-analysing it). A row that
    /// already names the same content keeps its real identity.
    pub fn import_file(
        &self,
        path: &str,
        sha256: &[u8; 32],
        scan: i64,
    ) -> Result<(), CatalogueError> {
        self.tx
            .prepare_cached(
                "INSERT INTO files (path, dev, inode, size, mtime_ns, sha256, last_seen_scan) VALUES (?1, 0, 0, 0, 0, ?2, ?3)
                 ON CONFLICT(path) DO UPDATE SET dev = 0, inode = 0, size = 0, mtime_ns = 0, sha256 = excluded.sha256,
                 last_seen_scan = excluded.last_seen_scan WHERE files.sha256 != excluded.sha256",
            )
            .and_then(|mut st| st.execute(params![path, &sha256[..], scan]))
            .map_err(self.err())?;
        Ok(())
    }

    /// Store the record for one content hash (replacing any older-version row).
    pub fn put_record(&self, sha256: &[u8; 32], a: &Analysis) -> Result<(), CatalogueError> {
        let f = &a.fingerprint;
        let (cbox, cq, canon) = match &f.canonical {
            Some((b, v)) => {
                let bytes: Vec<u8> = [b.x, b.y, b.width, b.height]
                    .iter()
                    .flat_map(|n| n.to_le_bytes())
                    .collect();
                (Some(bytes), Some(v.quality), Some(v.pack_hashes()))
            }
            None => (None, None, None),
        };
        self.tx
            .execute(
                "INSERT OR REPLACE INTO fingerprints (sha256, algorithm, algorithm_version, width, height, whole_quality, whole, canonical_box, canonical_quality, canonical, windows, features)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![&sha256[..], f.algorithm, f.algorithm_version, f.width, f.height, f.whole.quality, f.whole.pack_hashes(), cbox, cq, canon, a.windows.encode(), a.features.encode()],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// Cache the score of (a, b) under the current algorithm.
    pub fn put_pair_score(
        &self,
        a: &[u8; 32],
        b: &[u8; 32],
        c: &CachedScore,
    ) -> Result<(), CatalogueError> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO pair_scores (sha_a, sha_b, algorithm_version, similarity, distance, orientation, verified, mirrored, inliers, cells_a, cells_b, cover_a, cover_b, scale, rotation_deg)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    &a[..],
                    &b[..],
                    fingerprint::ALGORITHM_VERSION,
                    c.similarity,
                    c.distance,
                    c.orientation,
                    c.verified,
                    c.mirrored,
                    c.inliers,
                    c.cells_a as i64,
                    c.cells_b as i64,
                    c.cover.map(|v| v[0]),
                    c.cover.map(|v| v[1]),
                    c.scale,
                    c.rotation_deg
                ])
            })
            .map_err(self.err())?;
        Ok(())
    }

    /// Record that this content could not be decoded (by this tool version), so re-scans
    /// report it without decoding it again.
    pub fn put_broken(
        &self,
        sha256: &[u8; 32],
        code: &str,
        message: &str,
    ) -> Result<(), CatalogueError> {
        self.tx
            .execute(
                "INSERT OR REPLACE INTO broken (sha256, tool_version, code, message) VALUES (?1, ?2, ?3, ?4)",
                params![&sha256[..], crate::VERSION, code, message],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// Forget file rows under `root` (a directory path, no trailing slash) not seen by scan
    /// `scan`. Called only after a scan of that root completed, so a vanished or unreadable
    /// root never loses its entries. Returns the number of rows removed.
    pub fn remove_unseen(&self, root: &str, scan: i64) -> Result<usize, CatalogueError> {
        let prefix = format!("{}/", root.trim_end_matches('/'));
        self.tx
            .execute(
                "DELETE FROM files WHERE last_seen_scan < ?1 AND substr(path, 1, length(?2)) = ?2",
                params![scan, prefix],
            )
            .map_err(self.err())
    }

    pub fn add_decision(&self, d: &UserDecision) -> Result<(), CatalogueError> {
        let (kind, a, b) = d.row();
        self.tx
            .execute(
                "INSERT INTO decisions (kind, a, b) VALUES (?1, ?2, ?3)",
                params![kind, a, b],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// Remove every row of decision `d` (a "not a copy" mark in either order); how many.
    pub fn remove_decision(&self, d: &UserDecision) -> Result<usize, CatalogueError> {
        let (kind, a, b) = d.row();
        let n = self
            .tx
            .execute(
                "DELETE FROM decisions WHERE kind = ?1 AND ((a = ?2 AND b IS ?3) OR (a = ?3 AND b IS ?2))",
                params![kind, a, b],
            )
            .map_err(self.err())?;
        Ok(n)
    }
}
