//! The user decisions the catalogue keeps across scans, and reading them from a damaged file.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::{classify, CatalogueError};

/// A user decision the catalogue keeps across scans.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UserDecision {
    /// A folder of the seller's own originals: copies of its images elsewhere are reported,
    /// pairs inside it are not.
    ReferenceRoot { folder: String },
    /// Two files the seller marked as not copies of each other (catalogue keys).
    NotACopy { a: String, b: String },
}

impl UserDecision {
    /// The table row: kind, a, b.
    pub(super) fn row(&self) -> (&'static str, &str, Option<&str>) {
        match self {
            UserDecision::ReferenceRoot { folder } => ("reference_root", folder, None),
            UserDecision::NotACopy { a, b } => ("not_a_copy", a, Some(b)),
        }
    }

    pub(super) fn from_row(kind: &str, a: String, b: Option<String>) -> Option<UserDecision> {
        match (kind, b) {
            ("reference_root", _) => Some(UserDecision::ReferenceRoot { folder: a }),
            ("not_a_copy", Some(b)) => Some(UserDecision::NotACopy { a, b }),
            _ => None,
        }
    }

    /// A "not a copy" mark with its two keys in order (marks hold in both directions).
    pub fn not_a_copy(a: &str, b: &str) -> UserDecision {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        UserDecision::NotACopy {
            a: a.to_string(),
            b: b.to_string(),
        }
    }
}

/// One user decision, as exported before a rebuild (the table row with its note and time).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Decision {
    pub kind: String,
    pub a: String,
    pub b: Option<String>,
    pub note: Option<String>,
    pub created_at: Option<String>,
}

/// Read the decisions table of a catalogue that may be damaged (no integrity check first;
/// whatever SQLite can still read).
pub fn read_decisions_best_effort(path: &Path) -> Result<Vec<Decision>, CatalogueError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| classify(path, e))?;
    let mut st = conn
        .prepare("SELECT kind, a, b, note, created_at FROM decisions ORDER BY id")
        .map_err(|e| classify(path, e))?;
    let rows = st
        .query_map([], |r| {
            Ok(Decision {
                kind: r.get(0)?,
                a: r.get(1)?,
                b: r.get(2)?,
                note: r.get(3)?,
                created_at: r.get(4)?,
            })
        })
        .map_err(|e| classify(path, e))?;
    let mut out = Vec::new();
    for r in rows {
        match r {
            Ok(d) => out.push(d),
            // A damaged page ends the readable part; keep what came before it.
            Err(_) => break,
        }
    }
    Ok(out)
}
