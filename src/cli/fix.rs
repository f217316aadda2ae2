use std::path::PathBuf;

use pairproof::fix::{self, FixOptions};
use pairproof::metadata::KeepTag;
use pairproof::report::exit;
use pairproof::{Limits, Policy};

use super::OutputFormat;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The main image (with or without overlays).
    main: PathBuf,
    /// The hidden image.
    hidden: PathBuf,
    /// Folder for the fixed pair (created if missing; must not be the inputs' folder). Both
    /// images are written there under their own names; inputs are never modified.
    #[arg(long)]
    out: PathBuf,
    /// Replace files already in the output folder.
    #[arg(long)]
    force: bool,
    /// EXIF tags to carry over when EXIF is removed (GPS) or the image is saved again; the
    /// rest is dropped. Comma-separated: artist, copyright, camera, capture-time.
    #[arg(long, value_enum, value_delimiter = ',')]
    keep_exif: Vec<Keep>,
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
}

/// Exit 0 when the written pair passes, 1 when a rule still fails, 2 on an input or output error.
pub fn run(a: Args) -> u8 {
    let opts = FixOptions {
        force: a.force,
        keep: a.keep_exif.iter().map(|k| k.tag()).collect(),
    };
    match fix::fix_pair(
        &a.main,
        &a.hidden,
        &a.out,
        &Policy::default(),
        &Limits::default(),
        &opts,
    ) {
        Ok(r) => {
            match a.format {
                OutputFormat::Json => super::print_json(&r),
                OutputFormat::Text => {
                    super::out(&pairproof::report::text::fix(&r, super::lang::get()))
                }
            }
            r.after.exit_code()
        }
        Err(e) => {
            super::print_error(&e);
            exit::ERROR
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Keep {
    Artist,
    Copyright,
    Camera,
    CaptureTime,
}

impl Keep {
    fn tag(self) -> KeepTag {
        match self {
            Keep::Artist => KeepTag::Artist,
            Keep::Copyright => KeepTag::Copyright,
            Keep::Camera => KeepTag::Camera,
            Keep::CaptureTime => KeepTag::CaptureTime,
        }
    }
}
