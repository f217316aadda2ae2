//! Many pairs at once: pairing (a CSV list, or a folder by naming convention), a parallel run
//! that processes every pair even when some fail to decode, and a summary where the worst
//! result decides the exit code.
//!
//! Folder convention: `<SKU>_main.<ext>` pairs with `<SKU>_hidden.<ext>` (also `-main`/`-hidden`,
//! any case, any of .jpg/.jpeg/.png/.webp/.gif/.bmp). A main without its hidden (or the
//! reverse) is reported as `E_PAIR_INCOMPLETE`; other files are listed as ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::check::{self, CheckOptions, PairReport, Verdict};
use crate::policy::{Limits, Policy};

pub const SUMMARY_SCHEMA: &str = "pairproof.check-summary/1";

/// One pair to check, with a label (the SKU or the CSV line).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PairSpec {
    pub label: String,
    pub main: PathBuf,
    pub hidden: PathBuf,
}

/// A problem with the pair list itself (not with an image).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListProblem {
    pub path: PathBuf,
    pub code: &'static str,
    pub message: String,
}

/// Pairs found in a folder, plus what could not be paired.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pairing {
    pub pairs: Vec<PairSpec>,
    pub problems: Vec<ListProblem>,
    /// Files not named by the convention (listed, never silently dropped).
    pub ignored: Vec<PathBuf>,
}

const IMAGE_EXTS: &[&str] = &["jpg", "jpeg", "png", "webp", "gif", "bmp"];

/// Split a file stem into (SKU, role) by the `_main` / `_hidden` convention.
pub fn role_of(stem: &str) -> Option<(String, bool)> {
    let lower = stem.to_ascii_lowercase();
    for (suffix, is_main) in [
        ("_main", true),
        ("-main", true),
        ("_hidden", false),
        ("-hidden", false),
    ] {
        if lower.ends_with(suffix) && lower.len() > suffix.len() {
            return Some((stem[..stem.len() - suffix.len()].to_string(), is_main));
        }
    }
    None
}

/// Pair the files of one folder (not recursive) by the naming convention. Sorted by SKU.
pub fn pairs_from_dir(dir: &Path) -> Result<Pairing, ListProblem> {
    let rd = std::fs::read_dir(dir).map_err(|e| ListProblem {
        path: dir.to_path_buf(),
        code: "E_IO_READ",
        message: format!("{}: cannot list folder: {e}", dir.display()),
    })?;
    let mut files: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut mains: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut hiddens: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut out = Pairing::default();
    for f in files {
        let ext_ok = f
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| IMAGE_EXTS.contains(&e.to_ascii_lowercase().as_str()));
        let role = f.file_stem().and_then(|s| s.to_str()).and_then(role_of);
        match (ext_ok, role) {
            (true, Some((sku, true))) => mains.entry(sku).or_default().push(f),
            (true, Some((sku, false))) => hiddens.entry(sku).or_default().push(f),
            _ => out.ignored.push(f),
        }
    }
    let skus: std::collections::BTreeSet<String> =
        mains.keys().chain(hiddens.keys()).cloned().collect();
    for sku in skus {
        let m = mains.get(&sku).map(Vec::as_slice).unwrap_or(&[]);
        let h = hiddens.get(&sku).map(Vec::as_slice).unwrap_or(&[]);
        match (m, h) {
            ([main], [hidden]) => out.pairs.push(PairSpec {
                label: sku,
                main: main.clone(),
                hidden: hidden.clone(),
            }),
            _ => {
                let (path, what) = match (m.first(), h.first()) {
                    (Some(p), None) => (
                        p.clone(),
                        format!("SKU {sku}: main image has no matching {sku}_hidden file"),
                    ),
                    (None, Some(p)) => (
                        p.clone(),
                        format!("SKU {sku}: hidden image has no matching {sku}_main file"),
                    ),
                    (Some(p), Some(_)) => (
                        p.clone(),
                        format!(
                            "SKU {sku}: {} main and {} hidden files; exactly one of each is needed",
                            m.len(),
                            h.len()
                        ),
                    ),
                    (None, None) => continue,
                };
                out.problems.push(ListProblem {
                    path,
                    code: "E_PAIR_INCOMPLETE",
                    message: what,
                });
            }
        }
    }
    Ok(out)
}

/// Read a pair list: CSV with columns `main,hidden` (header optional; a third `label` column is
/// used when present). Relative paths are relative to the CSV's folder.
pub fn pairs_from_csv(csv_path: &Path) -> Result<Pairing, ListProblem> {
    let problem = |message: String| ListProblem {
        path: csv_path.to_path_buf(),
        code: "E_PAIR_LIST",
        message,
    };
    let base = csv_path.parent().unwrap_or(Path::new("."));
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(csv_path)
        .map_err(|e| {
            problem(format!(
                "{}: cannot read pair list: {e}",
                csv_path.display()
            ))
        })?;
    let mut out = Pairing::default();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 1;
        let rec = rec.map_err(|e| problem(format!("{}:{line}: {e}", csv_path.display())))?;
        if rec.iter().all(|f| f.is_empty()) {
            continue;
        }
        if line == 1 && rec.get(0).is_some_and(|f| f.eq_ignore_ascii_case("main")) {
            continue; // header
        }
        let (Some(m), Some(h)) = (rec.get(0), rec.get(1)) else {
            out.problems.push(problem(format!(
                "{}:{line}: expected two columns main,hidden",
                csv_path.display()
            )));
            continue;
        };
        let label = rec
            .get(2)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("line {line}"));
        out.pairs.push(PairSpec {
            label,
            main: base.join(m),
            hidden: base.join(h),
        });
    }
    Ok(out)
}

/// Counts over a batch and the exit code (worst result wins).
#[derive(Debug, Clone, Default, Serialize)]
pub struct BatchSummary {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub pairs: usize,
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub error: usize,
    pub list_problems: Vec<ListProblem>,
    pub ignored_files: Vec<PathBuf>,
    pub exit_code: u8,
}

/// Check every pair in parallel; `on_done` is called once per finished pair (progress bars).
/// Reports come back in input order.
pub fn run(
    pairs: &[PairSpec],
    policy: &Policy,
    limits: &Limits,
    on_done: &(dyn Fn() + Sync),
) -> Vec<PairReport> {
    pairs
        .par_iter()
        .map(|p| {
            let r = check::check_pair(&p.main, &p.hidden, policy, limits, CheckOptions::default())
                .report;
            on_done();
            r
        })
        .collect()
}

/// Summarise reports plus pairing problems.
pub fn summarise(reports: &[PairReport], pairing: &Pairing) -> BatchSummary {
    let mut s = BatchSummary {
        schema: SUMMARY_SCHEMA,
        tool_version: crate::VERSION,
        pairs: reports.len(),
        list_problems: pairing.problems.clone(),
        ignored_files: pairing.ignored.clone(),
        ..Default::default()
    };
    let mut worst = if pairing.problems.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Error
    };
    for r in reports {
        match r.verdict {
            Verdict::Pass => s.pass += 1,
            Verdict::Warn => s.warn += 1,
            Verdict::Fail => s.fail += 1,
            Verdict::Error => s.error += 1,
        }
        worst = worst.max(r.verdict);
    }
    s.exit_code = worst.exit_code();
    s
}
