use std::path::PathBuf;

use pairproof::compliance::{self, lint::Profile};
use pairproof::report::exit;
use pairproof::report::{self, ErrorInfo, LintReport, LintResult, Summary};
use pairproof::{decode, Limits, Policy};
use rayon::prelude::*;

use super::OutputFormat;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Main images to check, or folders of them (their .jpg/.jpeg/.png/.webp/.gif/.bmp files;
    /// not recursive).
    #[arg(required = true)]
    images: Vec<PathBuf>,
    /// Rule set: the listing's main image, or the 1080×1920 live-stream cover.
    #[arg(long, value_enum, default_value = "main")]
    profile: ProfileArg,
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ProfileArg {
    Main,
    LiveCover,
}

pub fn run(a: Args) -> u8 {
    let policy = Policy::default();
    let limits = Limits::default();
    let profile = match a.profile {
        ProfileArg::Main => Profile::Main,
        ProfileArg::LiveCover => Profile::LiveCover,
    };
    let Some(images) = super::expand_images(&a.images) else {
        return exit::ERROR;
    };
    let outcomes: Vec<_> = images
        .par_iter()
        .map(|p| {
            decode::decode_path(p, &limits).map(|d| {
                let findings = compliance::lint::evaluate(&d, &policy, profile);
                LintResult {
                    file: (&d).into(),
                    verdict: compliance::verdict(&findings),
                    findings,
                }
            })
        })
        .collect();
    let mut doc = LintReport {
        schema: report::LINT_SCHEMA,
        tool_version: pairproof::VERSION,
        profile,
        results: vec![],
        errors: vec![],
        summary: Summary::default(),
    };
    for o in outcomes {
        match o {
            Ok(r) => {
                doc.summary.add(r.verdict);
                doc.results.push(r);
            }
            Err(e) => {
                super::print_error(&e);
                doc.summary.add_error();
                doc.errors.push(ErrorInfo::from(&e));
            }
        }
    }
    match a.format {
        OutputFormat::Json => super::print_json(&doc),
        OutputFormat::Text => super::out(&report::text::lint(&doc, super::lang::get())),
    }
    doc.summary.exit_code()
}
