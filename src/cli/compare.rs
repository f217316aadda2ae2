use std::path::PathBuf;

use pairproof::catalogue::exchange;
use pairproof::matching::{self, HashLine};
use pairproof::report::exit;
use pairproof::Limits;
use rayon::prelude::*;

use super::OutputFormat;

/// Threshold for "this is a copy" in `compare`'s exit code: the platform's "more than 85 %".

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The original image.
    a: PathBuf,
    /// The suspected copy.
    b: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
}

#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// TSV file: `path_a<TAB>path_b` per line.
    #[arg(long)]
    pairs: PathBuf,
    /// Output format (JSON lines, one pairproof.compare/1 object per pair, in input order).
    #[arg(long, value_enum, default_value = "jsonl")]
    format: BatchFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum BatchFormat {
    Jsonl,
}

#[derive(Debug, clap::Args)]
pub struct HashArgs {
    /// Images to fingerprint.
    #[arg(required_unless_present = "manifest", conflicts_with = "manifest")]
    images: Vec<PathBuf>,
    /// Fingerprint the files listed here (one path per line) into a shard for
    /// `catalogue import` (distributed fingerprinting: one manifest per machine).
    #[arg(long, requires = "out")]
    manifest: Option<PathBuf>,
    /// The shard to write with --manifest (.parquet or .jsonl).
    #[arg(long, requires = "manifest")]
    out: Option<PathBuf>,
    /// Shard format (default: from the --out file name, else Parquet).
    #[arg(long, value_enum, requires = "manifest")]
    format: Option<pairproof::catalogue::exchange::Format>,
}

pub fn compare(a: CompareArgs) -> u8 {
    let limits = Limits::default();
    let line = matching::compare_files(&a.a, &a.b, &limits);
    for e in &line.errors {
        super::error(e.code, &e.message);
    }
    match a.format {
        OutputFormat::Json => super::print_json(&line),
        OutputFormat::Text => {
            super::out(&pairproof::report::text::compare(&line, super::lang::get()))
        }
    }
    exit::code(
        pairproof::policy::is_copy(line.similarity, pairproof::policy::MIN_COPY_SIMILARITY),
        !line.errors.is_empty(),
    )
}

pub fn compare_batch(a: BatchArgs) -> u8 {
    let BatchFormat::Jsonl = a.format;
    let pairs = match matching::read_pairs_tsv(&a.pairs) {
        Ok(p) => p,
        Err(e) => {
            super::print_error(&e);
            return exit::ERROR;
        }
    };
    let progress = super::progress::bar(
        Some(pairs.len() as u64 * 2),
        &super::progress::stage("fingerprinting"),
    );
    let lines = matching::compare_pairs(&pairs, &Limits::default(), &|| progress.inc(1));
    progress.finish_and_clear();
    let mut failed = 0;
    let mut out = String::new();
    for l in &lines {
        if !l.errors.is_empty() {
            failed += 1;
            for e in &l.errors {
                super::error(e.code, &e.message);
            }
        }
        match serde_json::to_string(l) {
            Ok(s) => {
                out.push_str(&s);
                out.push('\n');
            }
            Err(e) => eprintln!("pairproof: internal error serialising output: {e}"),
        }
    }
    super::out(&out);
    let lang = super::lang::get();
    eprintln!(
        "{}",
        pairproof::tr!(lang, "cli.compare.batch", n = lines.len(), failed = failed)
    );
    // A scoring command: it exits 0 whatever the scores are; 2 when a file could not be read.
    exit::code(false, failed > 0)
}

pub fn hash(a: HashArgs) -> u8 {
    let limits = Limits::default();
    if let (Some(list), Some(out)) = (&a.manifest, &a.out) {
        return hash_manifest(list, out, a.format, &limits);
    }
    let lines: Vec<HashLine> = a
        .images
        .par_iter()
        .map(|p| HashLine::of_file(p, &limits))
        .collect();
    let mut errored = false;
    for l in &lines {
        if let Some(e) = &l.error {
            super::error(e.code, &e.message);
            errored = true;
        }
        match serde_json::to_string(l) {
            Ok(s) => super::outln!("{s}"),
            Err(e) => eprintln!("pairproof: internal error serialising output: {e}"),
        }
    }
    exit::code(false, errored)
}

fn hash_manifest(
    list: &std::path::Path,
    out: &std::path::Path,
    format: Option<exchange::Format>,
    limits: &Limits,
) -> u8 {
    let format = format.unwrap_or_else(|| exchange::Format::from_name(out));
    let b = super::progress::bar(Some(0), &super::progress::stage("fingerprinting"));
    let r = exchange::hash_manifest(list, out, format, limits, |done, total| {
        b.set_length(total);
        b.set_position(done);
    });
    b.finish_and_clear();
    match r {
        Ok(rep) => {
            for p in &rep.problems {
                super::error(p.code, &p.message);
            }
            super::print_json(&rep);
            exit::code(false, !rep.problems.is_empty())
        }
        Err(e) => {
            super::error(e.code(), &e.to_string());
            exit::ERROR
        }
    }
}
