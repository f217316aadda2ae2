use std::path::PathBuf;

use pairproof::check::{self, CheckOptions};
use pairproof::similarity::heatmap::{self, HeatmapStyle};
use pairproof::{metadata, report, Limits, Policy};

use super::OutputFormat;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The main image (may carry promo text, logos, borders).
    main: PathBuf,
    /// The hidden image (the same photo, clean).
    hidden: PathBuf,
    /// Write the local-SSIM heatmap (PNG, fixed labelled scale) to this file.
    #[arg(long)]
    heatmap: Option<PathBuf>,
    /// Blend the heatmap over a greyscale copy of the main image.
    #[arg(long, requires = "heatmap")]
    heatmap_blend: bool,
    /// List the differing regions even when SSIM passes clearly.
    #[arg(long)]
    regions: bool,
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
}

pub fn run(a: Args) -> u8 {
    let policy = Policy::default();
    let limits = Limits::default();
    let opts = CheckOptions {
        keep_map: a.heatmap.is_some() || a.regions,
    };
    let mut pc = check::check_pair(&a.main, &a.hidden, &policy, &limits, opts);
    if let (Some(path), Some(map), Some(r)) = (&a.heatmap, &pc.map, &pc.report.ssim) {
        let (w, h) = r.crop.map(|c| c.size).unwrap_or_else(|| {
            pc.main_pixels
                .as_ref()
                .map(|m| m.dimensions())
                .unwrap_or((0, 0))
        });
        let style = HeatmapStyle {
            blend_over_main: a.heatmap_blend.then_some(0.65),
        };
        let img = heatmap::render(map, w, h, pc.main_pixels.as_ref(), style);
        let mut png = Vec::new();
        match img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png) {
            Ok(()) => match metadata::write_atomically(path, &png) {
                Ok(()) => pc.report.heatmap = Some(path.clone()),
                Err(e) => {
                    super::print_error(&e);
                    pc.report.errors.push((&e).into());
                    pc.report.verdict = check::Verdict::Error;
                }
            },
            Err(e) => eprintln!("pairproof: could not encode heatmap: {e}"),
        }
    }
    let r = &pc.report;
    for e in &r.errors {
        eprintln!("error[{}]: {}", e.code, e.message);
    }
    match a.format {
        OutputFormat::Json => super::print_json(r),
        OutputFormat::Text => print!("{}", report::text::pair(r)),
    }
    r.verdict.exit_code()
}
