//! `scan` and `match`: walk folders into the catalogue, then find near-duplicates.
//!
//! Stages, one way: **walk** (list image files, no symlinks followed) → **fingerprint** (each
//! file's content analysed once, ever: the (device, inode, size, mtime) fast path, then the
//! content SHA-256, so renamed and moved files are not re-analysed; batches committed in their
//! own transactions, so a killed scan resumes where it stopped) → **match** (candidates from
//! hashes, see [`super::candidates`], then every candidate scored exactly as `compare` scores
//! it) → **groups** (connected components of the pairs at or above the threshold, in a
//! deterministic order).

mod group;
mod ingest;
mod paths;
mod query;
mod report;
mod verify;
mod walk;

pub use crate::catalogue::backend::Backend;
pub use crate::catalogue::index::BackendError;
use crate::code::Code;
pub use paths::{key_display, key_path, path_key};
pub use query::{match_image, MatchError, MatchHit, MatchReport};
pub use report::{Group, Member, PairScore, Problem, ScanReport, ScanStats};
pub use walk::{walk, Walked};

use group::group;
use ingest::fingerprint_stage;
use verify::verify_candidates;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::catalogue::candidates::Entry;
use crate::catalogue::index::Indexed;
use crate::catalogue::store::{Catalogue, CatalogueError, UserDecision};
use crate::fingerprint::{self};
use crate::policy::Limits;

pub const SCAN_SCHEMA: &str = crate::report::schema::SCAN;
pub const MATCH_SCHEMA: &str = crate::report::schema::MATCH;

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
    /// Also retrieve candidates by local features (the default; `--hashes-only` turns it off):
    /// finds collages, screenshots, heavy crops and new backgrounds, at the cost of more
    /// verification; see `catalogue::words` and docs/accuracy.md.
    pub partial: bool,
    /// Verify every candidate pair (`--all-pairs`), also those whose two images are already
    /// joined through whole-image copies (which cannot change the groups; see
    /// `verify::verify_candidates`): the report then lists every copy pair among members.
    pub every_pair: bool,
}

impl ScanOptions {
    pub fn new(roots: Vec<PathBuf>) -> ScanOptions {
        ScanOptions {
            roots,
            reference: vec![],
            min_similarity: crate::policy::MIN_COPY_SIMILARITY,
            limits: Limits::default(),
            batch_files: 128,
            wait: false,
            isolate: None,
            backend: Backend::Memory,
            only_roots: false,
            partial: true,
            every_pair: false,
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

/// Failure of the scan as a whole (per-file problems are data, in the report).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Backend(#[from] BackendError),
}

impl ScanError {
    pub fn code(&self) -> Code {
        match self {
            ScanError::Catalogue(e) => e.code(),
            ScanError::Backend(e) => e.code,
        }
    }
}

/// What matching needs per distinct content.
pub(super) struct Item {
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

/// The items as a candidate index sees them (same positions).
pub(super) fn indexed(items: &[Item]) -> Vec<Indexed<'_>> {
    items
        .iter()
        .map(|i| Indexed {
            sha: &i.sha,
            entry: &i.entry,
        })
        .collect()
}

pub(super) fn under_any(path: &str, roots: &[String]) -> bool {
    roots
        .iter()
        .any(|r| path == r || path.starts_with(&format!("{}/", r.trim_end_matches('/'))))
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
            Code::CatalogueNetworkFs,
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
    let mut index = opts.backend.open(opts.partial)?;
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
                index.add_local(items.len() as u32, &sha, &f.descriptors)?;
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
    let indexed = indexed(&items);
    let involve: Vec<bool> = items.iter().map(|i| i.today).collect();
    let mut pairs = index.pairs(&indexed, &involve)?;
    drop(indexed);
    drop(index);
    pairs.retain(|&(i, j)| !(items[i as usize].reference && items[j as usize].reference));
    stats.candidate_pairs = pairs.len();
    progress(Progress::Stage {
        name: "match",
        total: pairs.len() as u64,
    });
    // "Not a copy" marks hold for any path pair of the two contents.
    let marked = |i: u32, j: u32| {
        items[i as usize].paths.iter().any(|a| {
            items[j as usize]
                .paths
                .iter()
                .any(|b| not_a_copy.contains(&UserDecision::not_a_copy(a, b)))
        })
    };
    let joins = |i: u32, j: u32, s: &crate::catalogue::store::CachedScore| {
        crate::policy::is_copy(s.similarity, opts.min_similarity)
            && verify::whole_in_each_other(s)
            && !marked(i, j)
    };
    let scored = verify_candidates(&cat, &items, &pairs, opts.every_pair, &joins, progress)?;
    let kept: Vec<(u32, u32, PairScore)> = scored
        .into_iter()
        .filter(|(i, j, p)| {
            crate::policy::is_copy(p.similarity, opts.min_similarity) && !marked(*i, *j)
        })
        .collect();
    stats.duplicate_pairs = kept.len();
    let (groups, shared_parts) = group(&items, kept);
    stats.shared_part_groups = shared_parts;
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
