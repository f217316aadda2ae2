use std::path::PathBuf;

use pairproof::metadata::{self, StripOptions};
use pairproof::report::exit;
use pairproof::report::{self, ErrorInfo, StripDocument};
use pairproof::Limits;

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
            for r in &doc.results {
                super::outln!(
                    "{} -> {} ({} → {} bytes; pixels identical; GPS {})",
                    r.input.display(),
                    r.output.display(),
                    r.bytes_before,
                    r.bytes_after,
                    if r.gps_before {
                        "removed"
                    } else {
                        "was absent"
                    }
                );
                for x in &r.removed {
                    super::outln!("  removed {x}");
                }
                for x in &r.kept {
                    super::outln!("  kept    {x}");
                }
            }
        }
    }
    exit::code(false, !doc.errors.is_empty())
}
