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
        OutputFormat::Text => {
            let mut out = String::new();
            for r in &doc.results {
                out.push_str(&format!(
                    "{}  {} ({}×{}, {}, {} bytes)\n",
                    report::text::status_word(r.verdict),
                    r.file.path.display(),
                    r.file.width,
                    r.file.height,
                    r.file.format.to_uppercase(),
                    r.file.bytes
                ));
                report::text::findings(&mut out, &r.findings);
                for w in &r.file.warnings {
                    out.push_str(&format!("  note [{}] {}\n", w.code, w.message));
                }
            }
            for e in &doc.errors {
                out.push_str(&format!(
                    "ERROR {} [{}] {}\n",
                    e.path.display(),
                    e.code,
                    e.message
                ));
            }
            let s = &doc.summary;
            out.push_str(&format!(
                "{} image(s): {} pass, {} warn, {} fail, {} error\n",
                s.total, s.pass, s.warn, s.fail, s.error
            ));
            super::out(&out);
        }
    }
    doc.summary.exit_code()
}
