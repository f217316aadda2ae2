//! The seller's decisions the catalogue remembers across scans: reference folders (their
//! originals protect; pairs inside them are not reported) and "not a copy" marks. Each change
//! takes the scan lock, so it fails fast with `E_CATALOGUE_LOCKED` while a scan runs.

use crate::code::Code;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::scan::{path_key, ScanError};
use super::store::{Catalogue, CatalogueError, UserDecision};

pub const DECISIONS_SCHEMA: &str = crate::report::schema::REFERENCES;

/// A path as the catalogue keys it: canonical (absolute, links resolved) when it exists.
fn key(p: &Path) -> String {
    path_key(&std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// Record that two files are not copies of each other (they are never grouped again).
pub fn record_not_a_copy(catalogue: &Path, a: &Path, b: &Path) -> Result<(), ScanError> {
    let _lock = super::lock::ScanLock::acquire(catalogue)?;
    let mut cat = Catalogue::open(catalogue)?;
    cat.batch(|t| t.add_decision(&UserDecision::not_a_copy(&key(a), &key(b))))?;
    Ok(())
}

/// What `catalogue references add|remove|list` does.
#[derive(Debug, Clone)]
pub enum ReferenceChange {
    Add(Vec<PathBuf>),
    Remove(Vec<PathBuf>),
    List,
}

/// `pairproof.references/1`: the reference folders in force after the change.
#[derive(Debug, Clone, Serialize)]
pub struct References {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub catalogue: PathBuf,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Every reference folder now recorded, in the order recorded.
    pub references: Vec<String>,
}

/// A reference folder given to `add` must exist and be a folder.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct NotAFolder {
    pub path: PathBuf,
    pub reason: String,
    /// `E_IO_NOT_FOUND` (missing or unreadable) or `E_USAGE` (a file, not a folder).
    pub code: Code,
}

#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error(transparent)]
    NotAFolder(#[from] NotAFolder),
}

impl DecisionError {
    pub fn code(&self) -> Code {
        match self {
            DecisionError::Scan(e) => e.code(),
            DecisionError::NotAFolder(e) => e.code,
        }
    }
}

impl From<CatalogueError> for DecisionError {
    fn from(e: CatalogueError) -> DecisionError {
        DecisionError::Scan(e.into())
    }
}

fn folders(cat: &Catalogue) -> Result<Vec<String>, CatalogueError> {
    Ok(cat
        .decisions()?
        .into_iter()
        .filter_map(|d| match d {
            UserDecision::ReferenceRoot { folder } => Some(folder),
            UserDecision::NotACopy { .. } => None,
        })
        .collect())
}

/// Add, remove or list reference folders. Added folders must exist (they are stored
/// canonical); removing takes the path as given or canonical, so a folder that is gone can
/// still be removed.
pub fn edit_references(
    catalogue: &Path,
    change: &ReferenceChange,
) -> Result<References, DecisionError> {
    let mut out = References {
        schema: DECISIONS_SCHEMA,
        tool_version: crate::VERSION,
        catalogue: catalogue.to_path_buf(),
        added: vec![],
        removed: vec![],
        references: vec![],
    };
    if let ReferenceChange::List = change {
        if catalogue.exists() {
            out.references = folders(&Catalogue::open_read_only(catalogue)?)?;
        }
        return Ok(out);
    }
    let _lock = super::lock::ScanLock::acquire(catalogue)?;
    let mut cat = Catalogue::open(catalogue)?;
    let known = folders(&cat)?;
    match change {
        ReferenceChange::Add(dirs) => {
            for d in dirs {
                let canon = std::fs::canonicalize(d).map_err(|e| NotAFolder {
                    path: d.clone(),
                    reason: format!("cannot use as a reference folder: {e}"),
                    code: Code::IoNotFound,
                })?;
                if !canon.is_dir() {
                    return Err(NotAFolder {
                        path: d.clone(),
                        reason: "is a file; a reference is a folder of originals".into(),
                        code: Code::Usage,
                    }
                    .into());
                }
                let k = path_key(&canon);
                if !known.contains(&k) && !out.added.contains(&k) {
                    out.added.push(k);
                }
            }
            cat.batch(|b| {
                for f in &out.added {
                    b.add_decision(&UserDecision::ReferenceRoot { folder: f.clone() })?;
                }
                Ok(())
            })?;
        }
        ReferenceChange::Remove(dirs) => {
            let removed = cat.batch(|b| {
                let mut removed = Vec::new();
                for d in dirs {
                    for k in [path_key(d), key(d)] {
                        let n =
                            b.remove_decision(&UserDecision::ReferenceRoot { folder: k.clone() })?;
                        if n > 0 && !removed.contains(&k) {
                            removed.push(k);
                        }
                    }
                }
                Ok(removed)
            })?;
            out.removed = removed;
        }
        ReferenceChange::List => {}
    }
    out.references = folders(&cat)?;
    Ok(out)
}
