//! `scan` and `match`: walk folders into the catalogue, then find near-duplicates.
//!
//! Stages, one way: **walk** (list image files, no symlinks followed) → **fingerprint** (each
//! file's content analysed once, ever: the (device, inode, size, mtime) fast path, then the
//! content SHA-256, so renamed and moved files are not re-analysed; batches committed in their
//! own transactions, so a killed scan resumes where it stopped) → **match** (candidates from
//! hashes, see [`super::candidates`], then every candidate scored exactly as `compare` scores
//! it) → **groups** (connected components of the pairs at or above the threshold, in a
//! deterministic order).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use super::candidates::{self, Entry};
use super::store::{CachedScore, Catalogue, CatalogueError, FileStat, UserDecision};
use super::words::{FeatureIndex, Keys, Params};
use crate::decode;
use crate::error::Error;
use crate::fingerprint::{self, Analysis, Dihedral};
use crate::matching;
use crate::policy::Limits;

pub const SCAN_SCHEMA: &str = "pairproof.scan/1";
pub const MATCH_SCHEMA: &str = "pairproof.match/1";

/// Extensions taken as images without sniffing (case-insensitive). Other files are sniffed by
/// their first bytes and taken when they are an image format (supported or not).
const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "jfif", "png", "gif", "webp", "bmp", "dib", "tif", "tiff", "heic",
    "heif", "avif", "jxl", "psd",
];

/// Code for a symbolic link found by the walk: listed, never followed (a link can point
/// outside the scanned folders or into a loop).
pub const W_SYMLINK_NOT_FOLLOWED: &str = "W_SYMLINK_NOT_FOLLOWED";

/// Code for a path that is the same file as one already walked (a hard link, or the same
/// folder reached through two roots): listed, scanned once, never its own duplicate.
pub const W_SAME_FILE: &str = "W_SAME_FILE";

/// Code for a file that changed while it was read (size or modification time): not
/// catalogued this time, listed; the next scan reads it again.
pub const W_UNSTABLE_FILE: &str = "W_UNSTABLE_FILE";

/// Code for a catalogue on a network file system, where file locking is unreliable (SQLite's
/// own advice): the scan runs, and says so.
pub const W_CATALOGUE_NETWORK_FS: &str = "W_CATALOGUE_NETWORK_FS";

/// What a scan does.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Folders (or single files) to scan.
    pub roots: Vec<PathBuf>,
    /// Reference ("protected") folders: scanned too, recorded as a user decision; pairs inside
    /// them are not reported, copies of their images elsewhere are.
    pub reference: Vec<PathBuf>,
    /// Pairs at or above this calibrated similarity are duplicates.
    pub min_similarity: f64,
    pub limits: Limits,
    /// Files per committed transaction.
    pub batch_files: usize,
    /// Wait for another scan of the same catalogue to finish instead of failing with
    /// `E_CATALOGUE_LOCKED`.
    pub wait: bool,
    /// Decode and analyse each new file in a limited child process (`--isolate`).
    pub isolate: Option<crate::isolate::Isolation>,
    /// Where candidate pairs come from.
    pub backend: Backend,
    /// Compare today's images only with each other (`--only-roots`), not with every image the
    /// catalogue remembers.
    pub only_roots: bool,
    /// Also retrieve candidates by local features (`--partial`): finds collages, screenshots,
    /// heavy crops and new backgrounds, at the cost of more verification; see
    /// `catalogue::words` and docs/accuracy.md for what it joins.
    pub partial: bool,
}

/// Where candidate pairs come from: memory (multi-index + windows, the default) or a Milvus
/// collection (`milvus://HOST:PORT/COLLECTION`, cargo feature `milvus`). Verification is local
/// either way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Backend {
    #[default]
    Memory,
    Milvus(String),
}

impl std::str::FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Backend, String> {
        if s == "memory" {
            Ok(Backend::Memory)
        } else if s.starts_with("milvus://") {
            Ok(Backend::Milvus(s.to_string()))
        } else {
            Err(format!(
                "{s}: expected `memory` or milvus://HOST:PORT/COLLECTION"
            ))
        }
    }
}

/// The candidate backend failed (Milvus unreachable, or not built in).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct BackendError {
    pub code: &'static str,
    pub message: String,
}

#[cfg(feature = "milvus")]
fn milvus_index(target: &str) -> Result<super::milvus::Index, BackendError> {
    let of = |e: super::milvus::MilvusError| BackendError {
        code: e.code(),
        message: e.to_string(),
    };
    let t: super::milvus::Target = target.parse().map_err(of)?;
    super::milvus::Index::connect(&t).map_err(of)
}

/// For each of `queries`, the indices of `items` that are candidates, from `backend`.
/// Milvus first receives the items' vectors (upsert: idempotent) when `store` is set.
#[cfg(feature = "milvus")]
fn milvus_candidates(
    target: &str,
    items: &[Item],
    queries: &[&Entry],
    store: bool,
) -> Result<Vec<Vec<u32>>, BackendError> {
    use super::exchange::content_id;
    let index = milvus_index(target)?;
    let of = |e: super::milvus::MilvusError| BackendError {
        code: e.code(),
        message: e.to_string(),
    };
    let mut by_content: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
    let mut vectors = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let c = content_id(&it.sha);
        by_content.entry(c).or_default().push(i as u32);
        if store {
            vectors.extend(candidates::milvus_vectors(&it.entry, c));
        }
    }
    if store {
        index.upsert(&vectors).map_err(of)?;
    }
    let found = candidates::milvus_candidates(&index, queries).map_err(of)?;
    // Contents stored by other scans (other stores) but not among `items` are not ours to
    // group or verify here; they are skipped.
    Ok(found
        .into_iter()
        .map(|cs| {
            let mut v: Vec<u32> = cs
                .iter()
                .filter_map(|c| by_content.get(c))
                .flatten()
                .copied()
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect())
}

/// Candidate pairs (i < j) among `items` that involve one of today's items: from the hashes
/// (in memory or Milvus) and from the local-feature index (`keys[i]` are item i's).
fn candidate_pairs(
    backend: &Backend,
    items: &[Item],
    keys: Option<&[Keys]>,
) -> Result<Vec<(u32, u32)>, BackendError> {
    let entries: Vec<&Entry> = items.iter().map(|i| &i.entry).collect();
    let involve: Vec<bool> = items.iter().map(|i| i.today).collect();
    let mut pairs = match backend {
        Backend::Memory => candidates::self_candidates(&entries, &involve),
        #[cfg(feature = "milvus")]
        Backend::Milvus(t) => {
            let queries: Vec<u32> = (0..items.len() as u32)
                .filter(|&i| involve[i as usize])
                .collect();
            let qe: Vec<&Entry> = queries.iter().map(|&i| entries[i as usize]).collect();
            let per = milvus_candidates(t, items, &qe, true)?;
            per.into_iter()
                .zip(queries)
                .flat_map(|(js, i)| {
                    js.into_iter()
                        .filter(move |&j| j != i)
                        .map(move |j| (i.min(j), i.max(j)))
                })
                .collect()
        }
        #[cfg(not(feature = "milvus"))]
        Backend::Milvus(t) => return Err(not_built(t)),
    };
    if let Some(keys) = keys {
        let ids: Vec<(u32, &Keys)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (i as u32, k))
            .collect();
        let index = FeatureIndex::build(&ids, &Params::DEFAULT);
        pairs.extend(index.self_pairs(keys, &involve));
    }
    pairs.sort_unstable();
    pairs.dedup();
    Ok(pairs)
}

#[cfg(not(feature = "milvus"))]
fn not_built(t: &str) -> BackendError {
    BackendError {
        code: "E_USAGE",
        message: format!(
            "{t}: this pairproof was built without Milvus support; rebuild with `cargo build --release --features milvus`"
        ),
    }
}

impl ScanOptions {
    pub fn new(roots: Vec<PathBuf>) -> ScanOptions {
        ScanOptions {
            roots,
            reference: vec![],
            min_similarity: 0.85,
            limits: Limits::default(),
            batch_files: 128,
            wait: false,
            isolate: None,
            backend: Backend::Memory,
            only_roots: false,
            partial: false,
        }
    }
}

/// Progress events (the CLI draws them as bars).
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// A stage starts; `total` is known for fingerprint and match, 0 for walk.
    Stage {
        name: &'static str,
        total: u64,
    },
    Advance(u64),
}

/// A file the scan could not use, with its stable code.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub path: String,
    pub code: String,
    pub message: String,
    /// The exact path bytes (base64) when the name is not valid UTF-8 (`path` is then shown
    /// with replacement characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes_b64: Option<String>,
}

/// Prefix of catalogue keys for paths that are not valid UTF-8: the rest is the base64 of
/// the path's bytes, so such files keep an exact, distinct key.
const B64_KEY: &str = "\u{1}b64:";

/// The catalogue key of a path: the path itself when it is UTF-8, else its bytes in base64.
pub fn path_key(p: &Path) -> String {
    match p.to_str() {
        Some(s) => s.to_string(),
        None => {
            use base64::Engine;
            #[cfg(unix)]
            let bytes = std::os::unix::ffi::OsStrExt::as_bytes(p.as_os_str()).to_vec();
            #[cfg(not(unix))]
            let bytes = p.to_string_lossy().as_bytes().to_vec();
            format!(
                "{B64_KEY}{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        }
    }
}

/// The path a catalogue key names (inverse of [`path_key`]).
pub fn key_path(k: &str) -> PathBuf {
    if let Some(b64) = k.strip_prefix(B64_KEY) {
        use base64::Engine;
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) {
            #[cfg(unix)]
            return PathBuf::from(
                <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&bytes),
            );
            #[cfg(not(unix))]
            return PathBuf::from(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    PathBuf::from(k)
}

/// A key as people see it (lossy for non-UTF-8 names) and the exact bytes in base64 if needed.
pub fn key_display(k: &str) -> (String, Option<String>) {
    use base64::Engine;
    match k.strip_prefix(B64_KEY) {
        Some(b) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b)
                .unwrap_or_default();
            (
                String::from_utf8_lossy(&bytes).into_owned(),
                Some(b.to_string()),
            )
        }
        None => (k.to_string(), None),
    }
}

fn shown(p: &Path) -> (String, Option<String>) {
    key_display(&path_key(p))
}

impl Problem {
    pub(crate) fn from_error(e: &Error) -> Problem {
        let (path, path_bytes_b64) = shown(e.path());
        Problem {
            path,
            code: e.code().to_string(),
            message: e.to_string(),
            path_bytes_b64,
        }
    }

    fn new(p: &Path, code: &str, message: String) -> Problem {
        let (path, path_bytes_b64) = shown(p);
        Problem {
            path,
            code: code.to_string(),
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
}

impl PairScore {
    /// Two paths with the same bytes: similarity 1 without analysis.
    fn identical(a: String, b: String) -> PairScore {
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
}

/// `pairproof.scan/1`.
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

/// Failure of the scan as a whole (per-file problems are data, in the report).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error("{path}: catalogue is in use by another scan (locked); run again when that scan has finished, or use --wait")]
    Busy { path: PathBuf },
    #[error(transparent)]
    Backend(#[from] BackendError),
}

impl ScanError {
    pub fn code(&self) -> &'static str {
        match self {
            ScanError::Catalogue(e) => e.code(),
            ScanError::Busy { .. } => "E_CATALOGUE_LOCKED",
            ScanError::Backend(e) => e.code,
        }
    }
}

/// Walk result: image files (sorted, absolute) and what could not be walked.
#[derive(Debug, Default)]
pub struct Walked {
    pub images: Vec<PathBuf>,
    pub problems: Vec<Problem>,
    pub ignored: usize,
    /// Roots walked without any error (only these may drop vanished files).
    pub complete_roots: Vec<PathBuf>,
}

fn is_image(path: &Path) -> bool {
    if let Some(ext) = decode::sniff::extension_of(path) {
        if IMAGE_EXTENSIONS.contains(&ext.as_str()) {
            return true;
        }
    }
    let mut head = [0u8; 32];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    !matches!(
        decode::sniff::sniff(&head[..n]),
        decode::sniff::Sniffed::Unrecognized(_)
    )
}

/// List image files under the roots. Symbolic links are listed as problems and not followed;
/// unreadable folders are problems and make their root incomplete.
pub fn walk(roots: &[PathBuf]) -> Walked {
    let mut w = Walked::default();
    let mut seen = BTreeSet::new();
    // (device, inode) of every regular file taken: a second path to it is a hard link.
    let mut inodes: std::collections::HashMap<(u64, u64), PathBuf> = Default::default();
    for root in roots {
        let abs = match std::fs::canonicalize(root) {
            Ok(p) => p,
            Err(e) => {
                w.problems
                    .push(Problem::from_error(&Error::from_io(root, e)));
                continue;
            }
        };
        let mut complete = true;
        let mut stack = vec![abs.clone()];
        while let Some(p) = stack.pop() {
            let meta = match std::fs::symlink_metadata(&p) {
                Ok(m) => m,
                Err(e) => {
                    complete = false;
                    w.problems.push(Problem::from_error(&Error::from_io(&p, e)));
                    continue;
                }
            };
            if meta.file_type().is_symlink() {
                w.problems.push(Problem::new(
                    &p,
                    W_SYMLINK_NOT_FOLLOWED,
                    format!("{}: symbolic link, not followed", p.display()),
                ));
            } else if meta.is_dir() {
                match std::fs::read_dir(&p) {
                    Ok(rd) => {
                        let mut kids: Vec<PathBuf> = Vec::new();
                        for e in rd {
                            match e {
                                Ok(e) => kids.push(e.path()),
                                Err(e) => {
                                    complete = false;
                                    w.problems.push(Problem::from_error(&Error::from_io(&p, e)));
                                }
                            }
                        }
                        kids.sort();
                        stack.extend(kids.into_iter().rev());
                    }
                    Err(e) => {
                        complete = false;
                        w.problems.push(Problem::from_error(&Error::from_io(&p, e)));
                    }
                }
            } else if is_image(&p) || !meta.is_file() {
                // Non-regular files (FIFOs, sockets) are reported by the reader, not skipped.
                if !seen.insert(p.clone()) {
                    continue;
                }
                #[cfg(unix)]
                if meta.is_file() {
                    use std::os::unix::fs::MetadataExt;
                    if let Some(first) = inodes.get(&(meta.dev(), meta.ino())) {
                        w.problems.push(Problem::new(
                            &p,
                            W_SAME_FILE,
                            format!(
                                "{}: same file as {} (hard link); scanned once",
                                p.display(),
                                first.display()
                            ),
                        ));
                        continue;
                    }
                    inodes.insert((meta.dev(), meta.ino()), p.clone());
                }
                w.images.push(p);
            } else {
                w.ignored += 1;
            }
        }
        if complete && abs.is_dir() {
            w.complete_roots.push(abs);
        }
    }
    w.images.sort();
    w
}

enum Outcome {
    /// Content known: (sha, how).
    Known([u8; 32], bool),
    Broken([u8; 32], String, String),
    New([u8; 32], Box<Analysis>),
    Failed(Problem),
}

/// Analyse one file, consulting the catalogue first.
fn fingerprint_one(
    cat: &Mutex<Catalogue>,
    path: &Path,
    opts: &ScanOptions,
) -> (Option<FileStat>, Outcome) {
    let limits = &opts.limits;
    let key = path_key(path);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            return (
                None,
                Outcome::Failed(Problem::from_error(&Error::from_io(path, e))),
            )
        }
    };
    let st = FileStat::of(&meta);
    let lookup = |sha: &[u8; 32], fast: bool| -> Result<Option<Outcome>, CatalogueError> {
        let c = cat.lock().unwrap_or_else(|p| p.into_inner());
        if c.has_record(sha)? {
            return Ok(Some(Outcome::Known(*sha, fast)));
        }
        if let Some((code, message)) = c.broken(sha)? {
            return Ok(Some(Outcome::Broken(*sha, code, message)));
        }
        Ok(None)
    };
    let catalogue_problem =
        |e: CatalogueError| Outcome::Failed(Problem::new(path, e.code(), e.to_string()));
    let known = {
        let c = cat.lock().unwrap_or_else(|p| p.into_inner());
        c.known_file(&key, st)
    };
    match known {
        Ok(Some(sha)) => match lookup(&sha, true) {
            Ok(Some(o)) => return (Some(st), o),
            Ok(None) => {}
            Err(e) => return (Some(st), catalogue_problem(e)),
        },
        Ok(None) => {}
        Err(e) => return (Some(st), catalogue_problem(e)),
    }
    let bytes = match decode::read_capped(path, limits.max_file_bytes) {
        Ok(b) => b,
        Err(e) => return (Some(st), Outcome::Failed(Problem::from_error(&e))),
    };
    crate::fault::after_read(path);
    // A file still being written (a download, a sync) must not be catalogued half-done.
    match std::fs::metadata(path).map(|m| FileStat::of(&m)) {
        Ok(now) if now == st => {}
        _ => {
            return (
                None,
                Outcome::Failed(Problem::new(
                    path,
                    W_UNSTABLE_FILE,
                    format!(
                        "{}: changed while being read (size or modification time); not catalogued, scan again when it is complete",
                        path.display()
                    ),
                )),
            )
        }
    }
    let sha = decode::sha256_bytes(&bytes);
    match lookup(&sha, false) {
        Ok(Some(o)) => return (Some(st), o),
        Ok(None) => {}
        Err(e) => return (Some(st), catalogue_problem(e)),
    }
    if let Some(iso) = &opts.isolate {
        drop(bytes);
        use crate::isolate::Outcome as W;
        return match crate::isolate::analyse(path, iso) {
            W::Analysed(s, a) => (Some(st), Outcome::New(s, a)),
            W::Rejected {
                sha256: Some(s),
                code,
                message,
            } => (Some(st), Outcome::Broken(s, code, message)),
            W::Rejected { code, message, .. } => (
                Some(st),
                Outcome::Failed(Problem::new(path, &code, message)),
            ),
            // Not cached: other limits might let it through.
            W::Failed(e) => (Some(st), Outcome::Failed(Problem::from_error(&e))),
        };
    }
    match decode::decode_bytes(path, &bytes, limits) {
        Ok(d) => {
            drop(bytes);
            let a = fingerprint::analyse(&d.pixels);
            (Some(st), Outcome::New(sha, Box::new(a)))
        }
        Err(e) => (
            Some(st),
            Outcome::Broken(sha, e.code().to_string(), e.to_string()),
        ),
    }
}

/// Run the walk and fingerprint stages: every image file ends up in the catalogue (record or
/// broken row) or in `problems`. Returns (path, sha) of the usable images.
fn fingerprint_stage(
    cat: &Mutex<Catalogue>,
    images: &[PathBuf],
    opts: &ScanOptions,
    scan_id: i64,
    stats: &mut ScanStats,
    problems: &mut Vec<Problem>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<(String, [u8; 32])>, ScanError> {
    progress(Progress::Stage {
        name: "fingerprint",
        total: images.len() as u64,
    });
    let mut usable = Vec::new();
    for chunk in images.chunks(opts.batch_files.max(1)) {
        let outcomes: Vec<(Option<FileStat>, Outcome)> = chunk
            .par_iter()
            .map(|p| {
                let r = fingerprint_one(cat, p, opts);
                crate::fault::point("after_file");
                progress(Progress::Advance(1));
                r
            })
            .collect();
        let mut c = cat.lock().unwrap_or_else(|p| p.into_inner());
        c.batch(|b| {
            for (path, (st, o)) in chunk.iter().zip(&outcomes) {
                let key = path_key(path);
                match o {
                    Outcome::Known(sha, fast) => {
                        if *fast {
                            stats.reused_unchanged += 1;
                        } else {
                            stats.reused_by_content += 1;
                        }
                        if let Some(st) = st {
                            b.put_file(&key, *st, sha, scan_id)?;
                        }
                        usable.push((key, *sha));
                    }
                    Outcome::New(sha, a) => {
                        stats.analysed += 1;
                        b.put_record(sha, a)?;
                        if let Some(st) = st {
                            b.put_file(&key, *st, sha, scan_id)?;
                        }
                        usable.push((key, *sha));
                    }
                    Outcome::Broken(sha, code, message) => {
                        stats.unreadable += 1;
                        b.put_broken(sha, code, message)?;
                        if let Some(st) = st {
                            b.put_file(&key, *st, sha, scan_id)?;
                        }
                        // A cached message names the path it was first seen under.
                        let message = match message.split_once(": ") {
                            Some((_, rest)) => format!("{}: {rest}", path.display()),
                            None => message.clone(),
                        };
                        problems.push(Problem::new(path, code, message));
                    }
                    Outcome::Failed(p) => {
                        if p.code.starts_with('E') {
                            stats.unreadable += 1;
                        }
                        problems.push(p.clone());
                    }
                }
            }
            crate::fault::point("before_commit");
            Ok(())
        })?;
    }
    Ok(usable)
}

/// What matching needs per distinct content.
struct Item {
    sha: [u8; 32],
    paths: Vec<String>,
    /// Every path is under a reference folder (pairs of such items are not reported).
    reference: bool,
    /// Seen by today's walk (the other items are the catalogue's memory): only pairs and
    /// groups involving today's items are looked for and reported.
    today: bool,
    /// Per path: under a reference folder (a content can be both a reference original and a
    /// copy elsewhere).
    path_reference: Vec<bool>,
    entry: Entry,
}

fn under_any(path: &str, roots: &[String]) -> bool {
    roots
        .iter()
        .any(|r| path == r || path.starts_with(&format!("{}/", r.trim_end_matches('/'))))
}

fn to_cached(
    s: f64,
    m: &fingerprint::HashMatch,
    v: &fingerprint::local::Verification,
) -> CachedScore {
    CachedScore {
        similarity: s,
        distance: m.distance,
        orientation: Dihedral::ALL
            .iter()
            .position(|d| *d == m.orientation)
            .unwrap_or(0) as u8,
        verified: v.verified(),
        mirrored: v.mirrored,
        inliers: v.inliers as u32,
    }
}

/// Score candidate pairs (indices into `items`) in chunks. Scores cached in the catalogue by a
/// previous scan are reused (a pair of contents always scores the same under one algorithm
/// version); the rest are verified with features loaded per chunk, and cached.
fn verify_candidates(
    cat: &Mutex<Catalogue>,
    items: &[Item],
    pairs: &[(u32, u32)],
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<(u32, u32, PairScore)>, CatalogueError> {
    const CHUNK: usize = 4096;
    let mut out = Vec::new();
    for chunk in pairs.chunks(CHUNK) {
        let c = cat.lock().unwrap_or_else(|p| p.into_inner());
        let mut cached = Vec::with_capacity(chunk.len());
        for &(i, j) in chunk {
            cached.push(c.pair_score(&items[i as usize].sha, &items[j as usize].sha)?);
        }
        let mut need: Vec<u32> = chunk
            .iter()
            .zip(&cached)
            .filter(|(_, c)| c.is_none())
            .flat_map(|(&(i, j), _)| [i, j])
            .collect();
        need.sort_unstable();
        need.dedup();
        let mut feats = HashMap::new();
        for &i in &need {
            let f = c.features(&items[i as usize].sha)?.unwrap_or_default();
            feats.insert(i, f);
        }
        drop(c);
        let scored: Vec<(u32, u32, CachedScore, bool)> = chunk
            .par_iter()
            .zip(&cached)
            .map(|(&(i, j), hit)| {
                progress(Progress::Advance(1));
                if let Some(h) = hit {
                    return (i, j, *h, false);
                }
                let (a, b) = (&items[i as usize], &items[j as usize]);
                let (s, m, v) = matching::score(
                    &a.entry.fingerprint,
                    &feats[&i],
                    &b.entry.fingerprint,
                    &feats[&j],
                );
                (i, j, to_cached(s, &m, &v), true)
            })
            .collect();
        let mut c = cat.lock().unwrap_or_else(|p| p.into_inner());
        c.batch(|b| {
            for (i, j, s, fresh) in &scored {
                if *fresh {
                    b.put_pair_score(&items[*i as usize].sha, &items[*j as usize].sha, s)?;
                }
            }
            Ok(())
        })?;
        drop(c);
        out.extend(scored.into_iter().map(|(i, j, s, _)| {
            (
                i,
                j,
                PairScore {
                    a: key_display(&items[i as usize].paths[0]).0,
                    b: key_display(&items[j as usize].paths[0]).0,
                    similarity: s.similarity,
                    identical: false,
                    hash_distance: Some(s.distance),
                    orientation: Dihedral::ALL.get(s.orientation as usize).copied(),
                    verified: s.verified,
                    mirrored: s.mirrored,
                    inliers: s.inliers as usize,
                },
            )
        }));
    }
    Ok(out)
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Group the scored items: pairs at or above `min` (and same-content paths) joined, groups
/// with at least two paths and at least one non-reference path reported.
fn group(items: &[Item], kept: Vec<(u32, u32, PairScore)>) -> Vec<Group> {
    let mut parent: Vec<usize> = (0..items.len()).collect();
    for &(i, j, _) in &kept {
        let (a, b) = (find(&mut parent, i as usize), find(&mut parent, j as usize));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut comps: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..items.len() {
        let r = find(&mut parent, i);
        comps.entry(r).or_default().push(i);
    }
    let mut pairs_by_root: HashMap<usize, Vec<PairScore>> = HashMap::new();
    for (i, _, p) in kept {
        let r = find(&mut parent, i as usize);
        pairs_by_root.entry(r).or_default().push(p);
    }
    let mut groups = Vec::new();
    for (root, idx) in comps {
        let mut members = Vec::new();
        let mut pairs = pairs_by_root.remove(&root).unwrap_or_default();
        for &i in &idx {
            let it = &items[i];
            for (p, &reference) in it.paths.iter().zip(&it.path_reference) {
                let (path, path_bytes_b64) = key_display(p);
                members.push(Member {
                    path,
                    sha256: decode::hex(&it.sha),
                    reference,
                    path_bytes_b64,
                });
            }
            for p in it.paths.iter().skip(1) {
                pairs.push(PairScore::identical(
                    key_display(&it.paths[0]).0,
                    key_display(p).0,
                ));
            }
        }
        if members.len() < 2
            || members.iter().all(|m| m.reference)
            || !idx.iter().any(|&i| items[i].today)
        {
            continue;
        }
        members.sort_by(|a, b| a.path.cmp(&b.path));
        for p in pairs.iter_mut() {
            if p.b < p.a {
                std::mem::swap(&mut p.a, &mut p.b);
            }
        }
        pairs.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
        groups.push(Group {
            id: 0,
            members,
            pairs,
        });
    }
    groups.sort_by(|a, b| a.members[0].path.cmp(&b.members[0].path));
    for (k, g) in groups.iter_mut().enumerate() {
        g.id = k + 1;
    }
    groups
}

/// Scan folders into the catalogue and group near-duplicates among the scanned files.
pub fn scan(
    catalogue: &Path,
    opts: &ScanOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<ScanReport, ScanError> {
    let _lock = if opts.wait {
        super::lock::ScanLock::acquire_waiting(catalogue)?
    } else {
        super::lock::ScanLock::acquire(catalogue)?
    };
    let mut cat = Catalogue::open(catalogue)?;
    let scan_id = cat.begin_scan()?;
    let abs = |ps: &[PathBuf]| -> Vec<String> {
        ps.iter()
            .map(|p| {
                std::fs::canonicalize(p)
                    .unwrap_or_else(|_| p.clone())
                    .display()
                    .to_string()
            })
            .collect()
    };
    let reference_roots = abs(&opts.reference);
    let decisions = cat.decisions()?;
    cat.batch(|b| {
        for r in &reference_roots {
            let d = UserDecision::ReferenceRoot { folder: r.clone() };
            if !decisions.contains(&d) {
                b.add_decision(&d)?;
            }
        }
        Ok(())
    })?;
    let decisions = cat.decisions()?;
    let all_reference: Vec<String> = decisions
        .iter()
        .filter_map(|d| match d {
            UserDecision::ReferenceRoot { folder } => Some(folder.clone()),
            UserDecision::NotACopy { .. } => None,
        })
        .collect();
    let not_a_copy: BTreeSet<UserDecision> = decisions
        .iter()
        .filter_map(|d| match d {
            UserDecision::NotACopy { a, b } => Some(UserDecision::not_a_copy(a, b)),
            UserDecision::ReferenceRoot { .. } => None,
        })
        .collect();

    progress(Progress::Stage {
        name: "walk",
        total: 0,
    });
    let mut roots: Vec<PathBuf> = opts.roots.clone();
    roots.extend(opts.reference.iter().cloned());
    // Reference folders recorded by earlier scans stay in force: walked again (cheap for
    // unchanged files) unless gone.
    if !opts.only_roots {
        for r in &all_reference {
            let p = PathBuf::from(r);
            if p.exists() && !reference_roots.contains(r) {
                roots.push(p);
            }
        }
    }
    let walked = walk(&roots);
    let mut stats = ScanStats {
        images: walked.images.len(),
        ignored_non_images: walked.ignored,
        ..ScanStats::default()
    };
    let mut problems = walked.problems.clone();
    if let Some(fs) = super::lock::catalogue_on_network_fs(catalogue) {
        problems.push(Problem::new(
            catalogue,
            W_CATALOGUE_NETWORK_FS,
            format!(
                "{}: the catalogue is on a network file system ({fs}); file locking there is unreliable, so two scans at once could damage it. Keep the catalogue on a local disk (--catalogue)",
                catalogue.display()
            ),
        ));
    }
    let cat = Mutex::new(cat);
    let usable = fingerprint_stage(
        &cat,
        &walked.images,
        opts,
        scan_id,
        &mut stats,
        &mut problems,
        progress,
    )?;
    {
        let mut c = cat.lock().unwrap_or_else(|p| p.into_inner());
        let removed = c.batch(|b| {
            let mut n = 0;
            for r in &walked.complete_roots {
                n += b.remove_unseen(&r.display().to_string(), scan_id)?;
            }
            Ok(n)
        })?;
        stats.removed_vanished = removed;
    }

    // Match.
    let mut by_sha: BTreeMap<[u8; 32], Vec<String>> = BTreeMap::new();
    for (p, sha) in &usable {
        by_sha.entry(*sha).or_default().push(p.clone());
    }
    let today: BTreeSet<[u8; 32]> = by_sha.keys().copied().collect();
    let seen: BTreeSet<&String> = usable.iter().map(|(p, _)| p).collect();
    let mut items = Vec::with_capacity(by_sha.len());
    let mut keys = Vec::with_capacity(by_sha.len());
    {
        let c = cat.lock().unwrap_or_else(|p| p.into_inner());
        if !opts.only_roots {
            // The catalogue's memory: every other catalogued file that still exists.
            for (p, sha) in c.files()? {
                if seen.contains(&p) {
                    continue;
                }
                if !key_path(&p).exists() {
                    stats.remembered_missing += 1;
                    continue;
                }
                stats.remembered += 1;
                by_sha.entry(sha).or_default().push(p);
            }
        }
        for (sha, mut paths) in by_sha {
            paths.sort();
            paths.dedup();
            let Some(a) = c.hashes(&sha)? else { continue };
            if opts.partial {
                let f = c.features(&sha)?.unwrap_or_default();
                keys.push(Keys::of(&f, &Params::DEFAULT));
            }
            let path_reference: Vec<bool> =
                paths.iter().map(|p| under_any(p, &all_reference)).collect();
            items.push(Item {
                sha,
                paths,
                reference: path_reference.iter().all(|r| *r),
                today: today.contains(&sha),
                path_reference,
                entry: Entry::from_analysis(a),
            });
        }
    }
    let mut pairs = candidate_pairs(
        &opts.backend,
        &items,
        opts.partial.then_some(keys.as_slice()),
    )?;
    drop(keys);
    pairs.retain(|&(i, j)| !(items[i as usize].reference && items[j as usize].reference));
    stats.candidate_pairs = pairs.len();
    progress(Progress::Stage {
        name: "match",
        total: pairs.len() as u64,
    });
    let scored = verify_candidates(&cat, &items, &pairs, progress)?;
    let kept: Vec<(u32, u32, PairScore)> = scored
        .into_iter()
        .filter(|(i, j, p)| {
            if p.similarity < opts.min_similarity {
                return false;
            }
            // "Not a copy" marks hold for any path pair of the two contents.
            !items[*i as usize].paths.iter().any(|a| {
                items[*j as usize]
                    .paths
                    .iter()
                    .any(|b| not_a_copy.contains(&UserDecision::not_a_copy(a, b)))
            })
        })
        .collect();
    stats.duplicate_pairs = kept.len();
    let groups = group(&items, kept);
    problems.sort();
    problems.dedup();
    Ok(ScanReport {
        schema: SCAN_SCHEMA,
        tool_version: crate::VERSION,
        catalogue: catalogue.to_path_buf(),
        algorithm: fingerprint::ALGORITHM,
        algorithm_version: fingerprint::ALGORITHM_VERSION,
        roots: abs(&opts.roots),
        reference_roots,
        min_similarity: opts.min_similarity,
        stats,
        groups,
        problems,
    })
}

/// One catalogue image matching a query.
#[derive(Debug, Clone, Serialize)]
pub struct MatchHit {
    pub path: String,
    pub sha256: String,
    pub score: PairScore,
}

/// `pairproof.match/1`: copies of one photo in the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct MatchReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub catalogue: PathBuf,
    pub query: String,
    pub query_sha256: String,
    pub min_similarity: f64,
    pub catalogue_images: usize,
    pub candidates: usize,
    /// Best first (similarity descending, then path).
    pub matches: Vec<MatchHit>,
}

/// Failure of `match`: the query file or the catalogue.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error(transparent)]
    Query(#[from] Error),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Backend(#[from] BackendError),
}

impl MatchError {
    pub fn code(&self) -> &'static str {
        match self {
            MatchError::Query(e) => e.code(),
            MatchError::Catalogue(e) => e.code(),
            MatchError::Backend(e) => e.code,
        }
    }
}

/// Find every copy of `query` among the catalogue's files (read-only; the query is not added).
pub fn match_image(
    catalogue: &Path,
    query: &Path,
    min_similarity: f64,
    limits: &Limits,
    backend: &Backend,
    partial: bool,
) -> Result<MatchReport, MatchError> {
    if !catalogue.exists() {
        return Err(MatchError::Catalogue(CatalogueError::Io {
            path: catalogue.to_path_buf(),
            detail: "no catalogue here yet; run `pairproof scan DIR --catalogue FILE` first".into(),
        }));
    }
    let d = decode::decode_path(query, limits)?;
    let qa = fingerprint::analyse(&d.pixels);
    let qsha = decode::sha256_from_hex(&d.source.sha256).unwrap_or([0; 32]);
    let cat = Catalogue::open_read_only(catalogue)?;
    let mut by_sha: BTreeMap<[u8; 32], Vec<String>> = BTreeMap::new();
    for (p, sha) in cat.files()? {
        by_sha.entry(sha).or_default().push(p);
    }
    // The query file itself, when it is catalogued, is not its own copy.
    let own = std::fs::canonicalize(query)
        .map(|p| path_key(&p))
        .unwrap_or_else(|_| path_key(query));
    let mut items = Vec::new();
    let mut keys = Vec::new();
    for (sha, mut paths) in by_sha {
        paths.retain(|p| *p != own);
        if paths.is_empty() {
            continue;
        }
        if let Some(a) = cat.hashes(&sha)? {
            if partial {
                let f = cat.features(&sha)?.unwrap_or_default();
                keys.push((items.len() as u32, Keys::of(&f, &Params::DEFAULT)));
            }
            items.push(Item {
                sha,
                path_reference: vec![false; paths.len()],
                paths,
                reference: false,
                today: false,
                entry: Entry::from_analysis(a),
            });
        }
    }
    let q_entry = Entry::from_analysis(Analysis {
        fingerprint: qa.fingerprint.clone(),
        windows: qa.windows.clone(),
        features: Default::default(),
    });
    let by_words: Vec<u32> = if !partial {
        vec![]
    } else {
        let ids: Vec<(u32, &Keys)> = keys.iter().map(|(i, k)| (*i, k)).collect();
        let index = FeatureIndex::build(&ids, &Params::DEFAULT);
        index
            .query(&Keys::of(&qa.features, &Params::DEFAULT), None)
            .into_iter()
            .map(|v| v.image)
            .collect()
    };
    drop(keys);
    let mut cands: Vec<u32> = match backend {
        Backend::Memory => {
            let entries: Vec<&Entry> = items.iter().map(|i| &i.entry).collect();
            candidates::query_candidates(&q_entry, &entries)
        }
        #[cfg(feature = "milvus")]
        Backend::Milvus(t) => {
            let mut c = milvus_candidates(t, &items, &[&q_entry], false)?
                .pop()
                .unwrap_or_default();
            // Identical fingerprints (featureless images) are paired in memory, as before.
            c.extend(
                items
                    .iter()
                    .enumerate()
                    .filter(|(_, it)| it.entry.fingerprint == q_entry.fingerprint)
                    .map(|(i, _)| i as u32),
            );
            c.sort_unstable();
            c.dedup();
            c
        }
        #[cfg(not(feature = "milvus"))]
        Backend::Milvus(t) => return Err(not_built(t).into()),
    };
    cands.extend(by_words);
    cands.sort_unstable();
    cands.dedup();
    let mut matches = Vec::new();
    for &i in &cands {
        let it = &items[i as usize];
        let score = if it.sha == qsha {
            PairScore::identical(query.display().to_string(), key_display(&it.paths[0]).0)
        } else {
            let f = cat.features(&it.sha)?.unwrap_or_default();
            let (s, m, v) =
                matching::score(&qa.fingerprint, &qa.features, &it.entry.fingerprint, &f);
            PairScore {
                a: query.display().to_string(),
                b: key_display(&it.paths[0]).0,
                similarity: s,
                identical: false,
                hash_distance: Some(m.distance),
                orientation: Some(m.orientation),
                verified: v.verified(),
                mirrored: v.mirrored,
                inliers: v.inliers,
            }
        };
        if score.similarity >= min_similarity {
            for p in &it.paths {
                let mut s = score.clone();
                s.b = key_display(p).0;
                matches.push(MatchHit {
                    path: key_display(p).0,
                    sha256: decode::hex(&it.sha),
                    score: s,
                });
            }
        }
    }
    matches.sort_by(|x, y| {
        y.score
            .similarity
            .total_cmp(&x.score.similarity)
            .then_with(|| x.path.cmp(&y.path))
    });
    Ok(MatchReport {
        schema: MATCH_SCHEMA,
        tool_version: crate::VERSION,
        catalogue: catalogue.to_path_buf(),
        query: query.display().to_string(),
        query_sha256: d.source.sha256.clone(),
        min_similarity,
        catalogue_images: items.len(),
        candidates: cands.len(),
        matches,
    })
}
