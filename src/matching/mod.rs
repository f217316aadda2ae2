//! Comparing images for theft / duplication: fingerprint files (in parallel, each path once)
//! and score pairs. The CLI's `hash`, `compare` and `compare-batch` are thin wrappers.

pub mod align;
pub mod change;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::decode;
use crate::error::Error;
use crate::fingerprint::{self, local, Fingerprint, HashMatch};
use crate::policy::Limits;
use crate::report::ErrorInfo;

pub const HASH_SCHEMA: &str = crate::report::schema::HASH;
pub const COMPARE_SCHEMA: &str = crate::report::schema::COMPARE;

/// A fingerprinted file: retrieval hashes plus local features for verification.
#[derive(Debug, Clone, Serialize)]
pub struct Hashed {
    pub path: PathBuf,
    pub sha256: String,
    pub fingerprint: Fingerprint,
    #[serde(skip)]
    pub windows: fingerprint::windows::Windows,
    #[serde(skip)]
    pub features: local::Features,
}

/// Decode and fingerprint one file.
pub fn hash_file(path: &Path, limits: &Limits) -> Result<Hashed, Error> {
    let f =
        fingerprint::analyse_file(path, limits).map_err(fingerprint::AnalyseError::into_error)?;
    Ok(Hashed {
        path: path.to_path_buf(),
        sha256: decode::hex(&f.sha256),
        fingerprint: f.analysis.fingerprint,
        windows: f.analysis.windows,
        features: f.analysis.features,
    })
}

/// The score of a pair: the calibrated similarity and the two pieces of evidence it combines.
#[derive(Debug, Clone)]
pub struct Score {
    /// Calibrated similarity, rounded to 6 decimals (0–1; a copy at
    /// [`crate::policy::MIN_COPY_SIMILARITY`] and above).
    pub similarity: f64,
    /// The best hash match over views and orientations.
    pub hash: HashMatch,
    /// Geometric verification of the local features.
    pub verification: local::Verification,
}

/// The score of a pair from its stored parts: hash match, geometric verification and the
/// calibrated similarity. `compare`, `scan`, `match` and `evidence` all use this, so a pair
/// scores the same whichever command looks at it.
pub fn score(
    fa: &Fingerprint,
    la: &local::Features,
    fb: &Fingerprint,
    lb: &local::Features,
) -> Score {
    let hash = fingerprint::best_match(fa, fb);
    let verification = local::verify_any(la, lb);
    let s = fingerprint::combined_similarity(&hash, &verification);
    Score {
        similarity: (s * 1e6).round() / 1e6,
        hash,
        verification,
    }
}

/// What geometric verification found, for reports.
#[derive(Debug, Clone, Serialize)]
pub struct VerificationSummary {
    pub verified: bool,
    pub inliers: usize,
    pub putative_matches: usize,
    /// `b` matched `a` after a horizontal mirror.
    pub mirrored: bool,
    /// Scale and rotation of `a` → `b` (base levels normalised to a 512-px long side).
    pub scale: Option<f32>,
    pub rotation_deg: Option<f32>,
    pub spread_a: f32,
    pub spread_b: f32,
    /// Share of each image's textured area in the part the match covers (0–1): how much of `a` is
    /// found in `b` (`cover_a`) and of `b` in `a`.
    pub cover_a: f32,
    pub cover_b: f32,
    /// Share of each image's textured extent (its features' box) the match spans (0–1).
    pub extent_a: f32,
    pub extent_b: f32,
    /// One image is mostly found in the other (`local::MIN_COVER`); when verified but not,
    /// the two share only a part and are not a copy.
    pub holds_a_whole: bool,
    /// Photometric agreement of the shared part (0–1; see `fingerprint::verify`).
    pub agreement: f32,
    /// Shift of the transform, base-level pixels (a → b).
    pub shift: Option<[f32; 2]>,
}

impl From<&local::Verification> for VerificationSummary {
    fn from(v: &local::Verification) -> Self {
        VerificationSummary {
            verified: v.verified(),
            inliers: v.inliers,
            putative_matches: v.putative,
            mirrored: v.mirrored,
            scale: v.transform.map(|t| (t.scale() * 1000.0).round() / 1000.0),
            rotation_deg: v
                .transform
                .map(|t| (t.rotation_deg() * 10.0).round() / 10.0),
            spread_a: (v.spread_a * 1000.0).round() / 1000.0,
            spread_b: (v.spread_b * 1000.0).round() / 1000.0,
            cover_a: (v.region.cover_a * 1000.0).round() / 1000.0,
            cover_b: (v.region.cover_b * 1000.0).round() / 1000.0,
            extent_a: (v.region.extent_a * 1000.0).round() / 1000.0,
            extent_b: (v.region.extent_b * 1000.0).round() / 1000.0,
            holds_a_whole: v.holds_a_whole(),
            agreement: (v.agreement * 1000.0).round() / 1000.0,
            shift: v
                .transform
                .map(|t| [(t.tx * 10.0).round() / 10.0, (t.ty * 10.0).round() / 10.0]),
        }
    }
}

/// `pairproof.hash/1`: one file's fingerprint, or its error.
#[derive(Debug, Clone, Serialize)]
pub struct HashLine {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

impl HashLine {
    /// Read, decode and fingerprint one file for `hash` (the retrieval fingerprint only; the
    /// window hashes and local features are not printed, so not computed).
    pub fn of_file(path: &Path, limits: &Limits) -> HashLine {
        let r = fingerprint::fingerprint_file(path, limits)
            .map(|(sha, fingerprint)| (decode::hex(&sha), fingerprint))
            .map_err(fingerprint::AnalyseError::into_error);
        HashLine {
            schema: HASH_SCHEMA,
            tool_version: crate::VERSION,
            path: path.to_path_buf(),
            sha256: r.as_ref().ok().map(|(s, _)| s.clone()),
            error: r.as_ref().err().map(ErrorInfo::from),
            fingerprint: r.ok().map(|(_, f)| f),
        }
    }
}

/// `pairproof.compare/1`: the score of one pair.
#[derive(Debug, Clone, Serialize)]
pub struct CompareLine {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub a: PathBuf,
    pub b: PathBuf,
    /// Calibrated similarity in [0, 1]; 0 when a file could not be read (see `errors`).
    pub similarity: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash_match: Option<HashMatch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationSummary>,
    pub quality_a: Option<u8>,
    pub quality_b: Option<u8>,
    /// What `b` changed of `a` where it shows it (verified pairs, `compare` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<change::Change>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorInfo>,
}

/// Score two fingerprinted files.
pub fn compare_hashed(
    a: &Result<Hashed, Error>,
    b: &Result<Hashed, Error>,
    pa: &Path,
    pb: &Path,
) -> CompareLine {
    compare_scored(a, b, pa, pb).0
}

/// Compare two files as `compare` does and, for a verified pair, say what the copy changed
/// (`change`). Both files are decoded a second time for the alignment: this is the one-pair
/// command, so two decodes and a 1 024-px warp are paid once; `compare-batch`, which scores
/// thousands of pairs, leaves `change` out.
pub fn compare_files(pa: &Path, pb: &Path, limits: &Limits) -> CompareLine {
    let (ra, rb) = rayon::join(|| hash_file(pa, limits), || hash_file(pb, limits));
    let (mut line, v) = compare_scored(&ra, &rb, pa, pb);
    if let (Some(v), Ok(x), Ok(y)) = (v, &ra, &rb) {
        if v.verified() {
            let (da, db) = rayon::join(
                || decode::decode_path(pa, limits),
                || decode::decode_path(pb, limits),
            );
            // a file that no longer decodes (changed since) just leaves `change` out
            if let (Ok(da), Ok(db)) = (da, db) {
                line.change = align::align(&da.pixels, &x.features, &db.pixels, &y.features, &v)
                    .and_then(|a| a.change);
            }
        }
    }
    line
}

/// Score two fingerprinted files; also the full verification, for the alignment.
fn compare_scored(
    a: &Result<Hashed, Error>,
    b: &Result<Hashed, Error>,
    pa: &Path,
    pb: &Path,
) -> (CompareLine, Option<local::Verification>) {
    let mut verification = None;
    let mut line = CompareLine {
        schema: COMPARE_SCHEMA,
        tool_version: crate::VERSION,
        a: pa.to_path_buf(),
        b: pb.to_path_buf(),
        similarity: 0.0,
        hash_match: None,
        verification: None,
        quality_a: a.as_ref().ok().map(|h| h.fingerprint.whole.quality),
        quality_b: b.as_ref().ok().map(|h| h.fingerprint.whole.quality),
        change: None,
        errors: vec![],
    };
    match (a, b) {
        (Ok(x), Ok(y)) => {
            let s = score(&x.fingerprint, &x.features, &y.fingerprint, &y.features);
            line.similarity = s.similarity;
            line.verification = Some(VerificationSummary::from(&s.verification));
            line.hash_match = Some(s.hash);
            verification = Some(s.verification);
        }
        _ => {
            for e in [a.as_ref().err(), b.as_ref().err()].into_iter().flatten() {
                line.errors.push(e.into());
            }
        }
    }
    (line, verification)
}

/// Score many pairs: every distinct path is decoded and fingerprinted once, in parallel;
/// `on_hashed` is called per file (progress). Lines come back in input order.
pub fn compare_pairs(
    pairs: &[(PathBuf, PathBuf)],
    limits: &Limits,
    on_hashed: &(dyn Fn() + Sync),
) -> Vec<CompareLine> {
    let mut unique: Vec<&PathBuf> = pairs.iter().flat_map(|(a, b)| [a, b]).collect();
    unique.sort();
    unique.dedup();
    let hashed: HashMap<&PathBuf, Result<Hashed, Error>> = unique
        .par_iter()
        .map(|p| {
            let r = hash_file(p, limits);
            on_hashed();
            (*p, r)
        })
        .collect();
    pairs
        .par_iter()
        .map(|(a, b)| compare_hashed(&hashed[a], &hashed[b], a, b))
        .collect()
}

/// Read a TSV of `path_a<TAB>path_b` lines (blank lines skipped). Relative paths are relative
/// to the TSV's folder.
pub fn read_pairs_tsv(tsv: &Path) -> Result<Vec<(PathBuf, PathBuf)>, Error> {
    let text = std::fs::read_to_string(tsv).map_err(|e| Error::from_io(tsv, e))?;
    let base = tsv.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.split('\t');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), None) if !a.is_empty() && !b.is_empty() => {
                out.push((base.join(a), base.join(b)))
            }
            _ => {
                return Err(Error::Usage {
                    path: tsv.to_path_buf(),
                    detail: format!("line {}: expected two tab-separated paths", i + 1),
                });
            }
        }
    }
    Ok(out)
}
