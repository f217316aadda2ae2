//! Ingest: each walked file's content analysed once, ever (fast path by file identity,
//! then by content SHA-256), committed in batches.

use crate::code::Code;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use super::*;
use crate::catalogue::store::{Catalogue, CatalogueError, FileStat};
use crate::decode;
use crate::error::Error;
use crate::fingerprint::{self, Analysis};

pub(super) enum Outcome {
    /// Content known: (sha, how).
    Known([u8; 32], bool),
    Broken([u8; 32], Code, String),
    New([u8; 32], Box<Analysis>),
    Failed(Problem),
}

/// Analyse one file, consulting the catalogue first.
pub(super) fn fingerprint_one(
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
        // A code this version does not know (never written by it) means: decode again.
        if let Some((code, message)) = c.broken(sha)? {
            if let Some(code) = Code::parse(&code) {
                return Ok(Some(Outcome::Broken(*sha, code, message)));
            }
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
                    Code::UnstableFile,
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
            W::Rejected { code, message, .. } => {
                (Some(st), Outcome::Failed(Problem::new(path, code, message)))
            }
            // Not cached: other limits might let it through.
            W::Failed(e) => (Some(st), Outcome::Failed(Problem::from_error(&e))),
        };
    }
    match fingerprint::analyse_bytes(path, bytes, limits) {
        Ok(a) => (Some(st), Outcome::New(sha, Box::new(a))),
        Err(e) => (Some(st), Outcome::Broken(sha, e.code(), e.to_string())),
    }
}

/// Run the walk and fingerprint stages: every image file ends up in the catalogue (record or
/// broken row) or in `problems`. Returns (path, sha) of the usable images.
pub(super) fn fingerprint_stage(
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
                        b.put_broken(sha, code.as_str(), message)?;
                        if let Some(st) = st {
                            b.put_file(&key, *st, sha, scan_id)?;
                        }
                        // A cached message names the path it was first seen under.
                        let message = match message.split_once(": ") {
                            Some((_, rest)) => format!("{}: {rest}", path.display()),
                            None => message.clone(),
                        };
                        problems.push(Problem::new(path, *code, message));
                    }
                    Outcome::Failed(p) => {
                        if p.code.is_error() {
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
