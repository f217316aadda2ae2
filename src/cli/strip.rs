use std::path::PathBuf;

use pairproof::metadata::{self, StripOptions};
use pairproof::report::exit;
use pairproof::report::{self, ErrorInfo, StripDocument};
use pairproof::Limits;

use pairproof::i18n::t;
use pairproof::tr;

use super::OutputFormat;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Images to clean (JPEG or PNG), or folders of them (not recursive). Inputs are never
    /// modified.
    #[arg(required = true)]
    images: Vec<PathBuf>,
    /// Directory for the cleaned copies (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Also remove comments, timestamps and an sRGB colour profile.
    #[arg(long)]
    all: bool,
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
}

pub fn run(a: Args) -> u8 {
    let limits = Limits::default();
    let opts = StripOptions { all: a.all };
    let mut doc = StripDocument {
        schema: report::STRIP_SCHEMA,
        tool_version: pairproof::VERSION,
        results: vec![],
        errors: vec![],
    };
    let Some(images) = super::expand_images(&a.images) else {
        return exit::ERROR;
    };
    for p in &images {
        match metadata::strip_file(p, &a.out, opts, &limits) {
            Ok(r) => doc.results.push(r),
            Err(e) => {
                super::print_error(&e);
                doc.errors.push(ErrorInfo::from(&e));
            }
        }
    }
    match a.format {
        OutputFormat::Json => super::print_json(&doc),
        OutputFormat::Text => {
            let lang = super::lang::get();
            for r in &doc.results {
                let gps = if r.gps_before {
                    "cli.strip.gps_removed"
                } else {
                    "cli.strip.gps_absent"
                };
                super::outln!(
                    "{}",
                    tr!(
                        lang,
                        "cli.strip.line",
                        input = r.input.display(),
                        output = r.output.display(),
                        before = r.bytes_before,
                        after = r.bytes_after,
                        gps = t(lang, gps, &[])
                    )
                );
                for x in &r.removed {
                    super::outln!("{}", tr!(lang, "cli.strip.removed", what = x));
                }
                for x in &r.kept {
                    super::outln!("{}", tr!(lang, "cli.strip.kept", what = x));
                }
            }
        }
    }
    exit::code(false, !doc.errors.is_empty())
}
