//! What a scan reports: problems with their codes, groups, pairs, counts.

use crate::code::Code;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::paths::shown;
use crate::catalogue::store::CachedScore;
use crate::error::Error;
use crate::fingerprint::Dihedral;

/// A file the scan could not use, with its stable code.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub path: String,
    pub code: Code,
    pub message: String,
    /// The exact path bytes (base64) when the name is not valid UTF-8 (`path` is then shown
    /// with replacement characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes_b64: Option<String>,
}

impl Problem {
    pub(crate) fn from_error(e: &Error) -> Problem {
        let (path, path_bytes_b64) = shown(e.path());
        Problem {
            path,
            code: e.code(),
            message: e.to_string(),
            path_bytes_b64,
        }
    }

    pub(super) fn new(p: &Path, code: Code, message: String) -> Problem {
        let (path, path_bytes_b64) = shown(p);
        Problem {
            path,
            code,
            message,
            path_bytes_b64,
        }
    }
}

/// One image in a group.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Member {
    pub path: String,
    pub sha256: String,
    /// Under a reference folder.
    pub reference: bool,
    /// The exact path bytes (base64) when the name is not valid UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes_b64: Option<String>,
}

/// One scored pair.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PairScore {
    pub a: String,
    pub b: String,
    pub similarity: f64,
    /// Same bytes (same SHA-256): similarity 1 without analysis.
    pub identical: bool,
    pub hash_distance: Option<u32>,
    pub orientation: Option<Dihedral>,
    pub verified: bool,
    pub mirrored: bool,
    pub inliers: usize,
    /// What the verifier recovered (absent when not verified): share of each image's textured area
    /// in the part the match covers (`[a, b]`: how much of `a` is found in `b`, and of `b` in
    /// `a`), and the scale and rotation of `a` → `b`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_deg: Option<f64>,
    /// Where the match lies in `a` and in `b` (`region::Region::cells_a`; 0 = the whole image).
    /// Grouping uses it; not part of the report.
    #[serde(skip)]
    pub cells: [u64; 2],
}

impl PairScore {
    /// Two paths with the same bytes: similarity 1 without analysis.
    pub(super) fn identical(a: String, b: String) -> PairScore {
        PairScore {
            a,
            b,
            similarity: 1.0,
            identical: true,
            hash_distance: Some(0),
            orientation: Some(Dihedral::Original),
            verified: false,
            mirrored: false,
            inliers: 0,
            cover: None,
            scale: None,
            rotation_deg: None,
            cells: [0, 0],
        }
    }

    /// A scored pair from its (cached or fresh) score; values rounded for reports.
    pub(super) fn from_cached(a: String, b: String, s: &CachedScore) -> PairScore {
        // Rounded as f64 (so JSON shows 0.927, not 0.9269999861717224), no negative zero.
        let r = |x: f32, k: f64| (x as f64 * k).round() / k + 0.0;
        PairScore {
            a,
            b,
            similarity: s.similarity,
            identical: false,
            hash_distance: Some(s.distance),
            orientation: Dihedral::ALL.get(s.orientation as usize).copied(),
            verified: s.verified,
            mirrored: s.mirrored,
            inliers: s.inliers as usize,
            cover: s.cover.map(|c| [r(c[0], 1000.0), r(c[1], 1000.0)]),
            scale: s.scale.map(|x| r(x, 1000.0)),
            rotation_deg: s.rotation_deg.map(|x| r(x, 10.0)),
            cells: [s.cells_a, s.cells_b],
        }
    }
}

/// A set of images connected by duplicate pairs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    pub id: usize,
    pub members: Vec<Member>,
    pub pairs: Vec<PairScore>,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ScanStats {
    /// Image files found by the walk.
    pub images: usize,
    /// Analysed in this scan (new content).
    pub analysed: usize,
    /// Known by (device, inode, size, mtime): not even read.
    pub reused_unchanged: usize,
    /// Read and recognised by content SHA-256 (renamed, moved or copied files).
    pub reused_by_content: usize,
    pub unreadable: usize,
    /// Non-image files seen by the walk (not images by extension or content).
    pub ignored_non_images: usize,
    /// Catalogue rows of files that vanished from a completely scanned root.
    pub removed_vanished: usize,
    /// Catalogued images outside today's folders that today's images were compared with (the
    /// catalogue's memory; 0 with `--only-roots`).
    pub remembered: usize,
    /// Catalogued paths that no longer exist on disk (left out; the scan of their folder
    /// forgets them).
    pub remembered_missing: usize,
    pub candidate_pairs: usize,
    pub duplicate_pairs: usize,
    /// Groups left out because they are about a secondary part of most members (a shared
    /// sticker, an app's chrome), not their main content (`group` module doc).
    pub shared_part_groups: usize,
}

/// `pairproof.scan/3`.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub catalogue: PathBuf,
    pub algorithm: &'static str,
    pub algorithm_version: u32,
    pub roots: Vec<String>,
    pub reference_roots: Vec<String>,
    pub min_similarity: f64,
    pub stats: ScanStats,
    pub groups: Vec<Group>,
    /// Every file that could not be used, with its code (sorted by path).
    pub problems: Vec<Problem>,
}
