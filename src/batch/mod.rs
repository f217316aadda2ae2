//! Many pairs at once: pairing (a CSV list, or a folder by the naming rules of [`naming`]), a
//! parallel run that processes every pair even when some fail to decode, and a summary where
//! the worst result decides the exit code.
//!
//! A SKU without exactly one main and one hidden image is `E_PAIR_INCOMPLETE`; a list or
//! folder that yields no pair at all is `E_PAIR_NONE` (exit 2, the naming rules in the
//! message); every other file is listed with the reason it was ignored.

pub mod list;
pub mod naming;

use crate::code::Code;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::check::{self, CheckOptions, PairReport, Verdict};
use crate::policy::{Limits, Policy};
pub use naming::{role_of, IgnoreReason, Role};

pub const SUMMARY_SCHEMA: &str = crate::report::schema::CHECK_SUMMARY;

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
    pub code: Code,
    pub message: String,
}

/// A file that is not part of any pair, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredFile {
    pub path: PathBuf,
    pub reason: IgnoreReason,
}

/// Pairs found in a folder or list, plus what could not be paired.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pairing {
    pub pairs: Vec<PairSpec>,
    pub problems: Vec<ListProblem>,
    /// Files not named by the rules (listed, never silently dropped).
    pub ignored: Vec<IgnoredFile>,
}

/// The entries of one folder, or `E_IO_READ` naming it.
fn list_dir(d: &Path) -> Result<std::fs::ReadDir, ListProblem> {
    std::fs::read_dir(d).map_err(|e| ListProblem {
        path: d.to_path_buf(),
        code: Code::IoRead,
        message: format!("{}: cannot list folder: {e}", d.display()),
    })
}

/// Every file under `dir` (recursively; symbolic links to folders are not followed), with its
/// path relative to `dir`, sorted.
fn files_under(dir: &Path) -> Result<Vec<(String, PathBuf)>, ListProblem> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), dir.to_path_buf())];
    while let Some((rel, d)) = stack.pop() {
        let rd = list_dir(&d)?;
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let r = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push((r, p));
            } else if p.is_file() {
                out.push((r, p));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The images named by `paths` for commands that take many images (`lint`, `strip`): a file is
/// taken as given (its content decides), a folder gives its image files by extension, sorted,
/// not recursively; the folder's other files are returned as ignored.
pub fn expand_images(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<IgnoredFile>), ListProblem> {
    let mut images = Vec::new();
    let mut ignored = Vec::new();
    for p in paths {
        if !p.is_dir() {
            images.push(p.clone());
            continue;
        }
        let rd = list_dir(p)?;
        let mut files: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|f| f.is_file())
            .collect();
        files.sort();
        for f in files {
            let ext = f
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .unwrap_or_default();
            if naming::IMAGE_EXTS.contains(&ext.as_str()) {
                images.push(f);
            } else {
                ignored.push(IgnoredFile {
                    path: f,
                    reason: IgnoreReason::NotAnImage,
                });
            }
        }
    }
    Ok((images, ignored))
}

fn no_pairs(path: &Path, what: &str) -> ListProblem {
    ListProblem {
        path: path.to_path_buf(),
        code: Code::PairNone,
        message: format!(
            "{}: no pairs found {what}; {}",
            path.display(),
            naming::RULES
        ),
    }
}

/// Pair the files under a folder (and its SKU folders) by the naming rules. Sorted by label.
pub fn pairs_from_dir(dir: &Path) -> Result<Pairing, ListProblem> {
    let files = files_under(dir)?
        .into_iter()
        .map(|(rel, item)| naming::Named { rel, item })
        .collect();
    let p = naming::pair_by_name(files);
    let mut out = Pairing::default();
    for (label, main, hidden) in p.pairs {
        out.pairs.push(PairSpec {
            label,
            main,
            hidden,
        });
    }
    for i in p.incomplete {
        let Some(path) = i.mains.first().or(i.hiddens.first()).cloned() else {
            continue;
        };
        out.problems.push(ListProblem {
            path,
            code: Code::PairIncomplete,
            message: i.message(),
        });
    }
    out.ignored = p
        .ignored
        .into_iter()
        .map(|(path, reason)| IgnoredFile { path, reason })
        .collect();
    if out.pairs.is_empty() && out.problems.is_empty() {
        out.problems.push(no_pairs(
            dir,
            &format!("({} file(s) ignored, listed below)", out.ignored.len()),
        ));
    }
    Ok(out)
}

/// Read a pair list: CSV with columns `main,hidden` (header optional; a third `label` column is
/// used when present), separated by `,`, `;` or tab, in UTF-8 (BOM or not), UTF-16 with BOM or
/// GBK/GB18030. Relative paths are relative to the CSV's folder.
pub fn pairs_from_csv(csv_path: &Path) -> Result<Pairing, ListProblem> {
    let problem = |message: String| ListProblem {
        path: csv_path.to_path_buf(),
        code: Code::PairList,
        message,
    };
    let base = csv_path.parent().unwrap_or(Path::new("."));
    let bytes = std::fs::read(csv_path).map_err(|e| {
        problem(format!(
            "{}: cannot read pair list: {e}",
            csv_path.display()
        ))
    })?;
    let text = list::decode(&bytes).ok_or_else(|| {
        problem(format!(
            "{}: the pair list is neither UTF-8 nor GBK/GB18030 text; save it from Excel as \"CSV UTF-8\"",
            csv_path.display()
        ))
    })?;
    let rows = list::rows(&text.text)
        .map_err(|(line, what)| problem(format!("{}:{line}: {what}", csv_path.display())))?;
    let mut out = Pairing::default();
    for (k, row) in rows.iter().enumerate() {
        let line = row.line;
        if k == 0 && list::is_header(row) {
            continue;
        }
        let (Some(m), Some(h)) = (row.fields.first(), row.fields.get(1)) else {
            out.problems.push(problem(format!(
                "{}:{line}: expected two columns main,hidden",
                csv_path.display()
            )));
            continue;
        };
        let label = row
            .fields
            .get(2)
            .filter(|l| !l.is_empty())
            .cloned()
            .unwrap_or_else(|| format!("line {line}"));
        out.pairs.push(PairSpec {
            label,
            main: base.join(m),
            hidden: base.join(h),
        });
    }
    if out.pairs.is_empty() && out.problems.is_empty() {
        out.problems
            .push(no_pairs(csv_path, "(the list has no main,hidden rows)"));
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
    pub ignored: Vec<IgnoredFile>,
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
        ignored: pairing.ignored.clone(),
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
