//! Reading stored analyses back: whole records, hashes only, fingerprints, features.

use rusqlite::{params, OptionalExtension};

use super::{Catalogue, CatalogueError};
use crate::fingerprint::{self, local, windows, Analysis, BoxPx, Fingerprint, View};

impl Catalogue {
    /// The current-algorithm record (fingerprint, windows, features) for a content hash.
    pub fn record(&self, sha256: &[u8; 32]) -> Result<Option<Analysis>, CatalogueError> {
        self.read_record(sha256, true)
    }

    /// Like [`Catalogue::record`] but without the local features (matching keeps only hashes
    /// in memory; features are loaded per candidate).
    pub fn hashes(&self, sha256: &[u8; 32]) -> Result<Option<Analysis>, CatalogueError> {
        self.read_record(sha256, false)
    }

    /// The current-algorithm fingerprint for a content hash, if stored.
    pub fn fingerprint(&self, sha256: &[u8; 32]) -> Result<Option<Fingerprint>, CatalogueError> {
        Ok(self.read_record(sha256, false)?.map(|a| a.fingerprint))
    }

    /// Local features of a stored record.
    pub fn features(&self, sha256: &[u8; 32]) -> Result<Option<local::Features>, CatalogueError> {
        let blob: Option<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT features FROM fingerprints WHERE sha256 = ?1 AND algorithm = ?2 AND algorithm_version = ?3",
            )
            .and_then(|mut st| {
                st.query_row(
                    params![&sha256[..], fingerprint::ALGORITHM, fingerprint::ALGORITHM_VERSION],
                    |r| r.get(0),
                )
                .optional()
            })
            .map_err(self.err())?;
        match blob {
            None => Ok(None),
            Some(b) => local::Features::decode(&b)
                .map(Some)
                .ok_or_else(|| self.corrupt("features")),
        }
    }

    pub(super) fn corrupt(&self, what: &str) -> CatalogueError {
        CatalogueError::Corrupt {
            path: self.path.clone(),
            detail: format!("fingerprint row: bad {what}"),
        }
    }

    pub(super) fn read_record(
        &self,
        sha256: &[u8; 32],
        with_features: bool,
    ) -> Result<Option<Analysis>, CatalogueError> {
        let sql = if with_features {
            "SELECT width, height, whole_quality, whole, canonical_box, canonical_quality, canonical, windows, features FROM fingerprints
             WHERE sha256 = ?1 AND algorithm = ?2 AND algorithm_version = ?3"
        } else {
            "SELECT width, height, whole_quality, whole, canonical_box, canonical_quality, canonical, windows, NULL FROM fingerprints
             WHERE sha256 = ?1 AND algorithm = ?2 AND algorithm_version = ?3"
        };
        type Row = (
            u32,
            u32,
            u8,
            Vec<u8>,
            Option<Vec<u8>>,
            Option<u8>,
            Option<Vec<u8>>,
            Vec<u8>,
            Option<Vec<u8>>,
        );
        let row: Option<Row> = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut st| {
                st.query_row(
                    params![
                        &sha256[..],
                        fingerprint::ALGORITHM,
                        fingerprint::ALGORITHM_VERSION
                    ],
                    |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                            r.get(7)?,
                            r.get(8)?,
                        ))
                    },
                )
                .optional()
            })
            .map_err(self.err())?;
        let Some((width, height, wq, whole, cbox, cq, canon, win, feats)) = row else {
            return Ok(None);
        };
        let whole = View::unpack_hashes(wq, &whole).ok_or_else(|| self.corrupt("whole hashes"))?;
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
                    View::unpack_hashes(q, &c).ok_or_else(|| self.corrupt("canonical hashes"))?,
                ))
            }
            (None, None, None) => None,
            _ => return Err(self.corrupt("canonical view")),
        };
        let windows = windows::Windows::decode(&win).ok_or_else(|| self.corrupt("windows"))?;
        let features = match feats {
            Some(b) => local::Features::decode(&b).ok_or_else(|| self.corrupt("features"))?,
            None => local::Features::default(),
        };
        Ok(Some(Analysis {
            fingerprint: Fingerprint::current(width, height, whole, canonical),
            windows,
            features,
        }))
    }
}
