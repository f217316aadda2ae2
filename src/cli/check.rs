use std::path::PathBuf;

use pairproof::batch::{self, Pairing};
use pairproof::check::{self, CheckOptions};
use pairproof::i18n::t;
use pairproof::report::exit;
use pairproof::similarity::heatmap::HeatmapStyle;
use pairproof::tr;
use pairproof::{metadata, report, Limits, Policy};

use super::OutputFormat;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Batch: --pairs FILE.csv (columns main,hidden[,label]; relative paths are relative \
to the CSV; UTF-8 or GBK, separated by , ; or tab) or --dir DIR (SKU_main.jpg + SKU_hidden.jpg, \
SKU_主图.jpg + SKU_隐藏图.jpg, or SKU/main.jpg + SKU/hidden.jpg). Batch JSON output is one \
pairproof.check/1 object per line, then one pairproof.check-summary/2 line."
)]
pub struct Args {
    /// The main image (may carry promo text, logos, borders).
    #[arg(required_unless_present_any = ["pairs", "dir"], conflicts_with_all = ["pairs", "dir"])]
    main: Option<PathBuf>,
    /// The hidden image (the same photo, clean).
    #[arg(required_unless_present_any = ["pairs", "dir"])]
    hidden: Option<PathBuf>,
    /// Check every pair listed in a CSV file.
    #[arg(long, conflicts_with = "dir")]
    pairs: Option<PathBuf>,
    /// Check every main/hidden pair in a folder and its SKU folders (SKU_main / SKU_hidden,
    /// SKU_主图 / SKU_隐藏图, SKU/main + SKU/hidden).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Parallel jobs for a batch (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Write the local-SSIM heatmap (PNG, fixed labelled scale) to this file.
    #[arg(long, conflicts_with_all = ["pairs", "dir"])]
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
    if let Some(n) = a.jobs {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
        {
            eprintln!("pairproof: could not set --jobs: {e}");
        }
    }
    match (&a.main, &a.hidden) {
        (Some(m), Some(h)) => single(m.clone(), h.clone(), &a),
        _ => many(&a),
    }
}

fn single(main: PathBuf, hidden: PathBuf, a: &Args) -> u8 {
    let policy = Policy::default();
    let limits = Limits::default();
    let opts = CheckOptions {
        keep_map: a.heatmap.is_some() || a.regions,
    };
    let mut pc = check::check_pair(&main, &hidden, &policy, &limits, opts);
    let style = HeatmapStyle {
        blend_over_main: a.heatmap_blend.then_some(0.65),
        no_legend: false,
    };
    let heatmap = a
        .heatmap
        .as_ref()
        .and_then(|p| Some((p, pc.heatmap(style)?)));
    if let Some((path, img)) = heatmap {
        let mut png = Vec::new();
        let written = img
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|e| pairproof::Error::Output {
                path: path.clone(),
                detail: e.to_string(),
            })
            .and_then(|()| metadata::write_atomically(path, &png));
        match written {
            Ok(()) => pc.report.heatmap = Some(path.clone()),
            Err(e) => {
                pc.report.errors.push((&e).into());
                pc.report.verdict = check::Verdict::Error;
            }
        }
    }
    let r = &pc.report;
    for e in &r.errors {
        super::error(e.code, &e.message);
    }
    match a.format {
        OutputFormat::Json => super::print_json(r),
        OutputFormat::Text => super::out(&report::text::pair(r, super::lang::get())),
    }
    r.verdict.exit_code()
}

fn many(a: &Args) -> u8 {
    let listed = match (&a.pairs, &a.dir) {
        (Some(csv), _) => batch::pairs_from_csv(csv),
        (None, Some(dir)) => batch::pairs_from_dir(dir),
        _ => unreachable!("clap requires MAIN HIDDEN, --pairs or --dir"),
    };
    let pairing: Pairing = match listed {
        Ok(p) => p,
        Err(e) => {
            super::error(e.code, &e.message);
            return exit::ERROR;
        }
    };
    for p in &pairing.problems {
        super::error(p.code, &p.message);
    }
    let lang = super::lang::get();
    let bar = super::progress::bar(
        Some(pairing.pairs.len() as u64),
        &t(lang, "cli.progress.checking", &[]),
    );
    let reports = batch::run(
        &pairing.pairs,
        &Policy::default(),
        &Limits::default(),
        &|| bar.inc(1),
    );
    bar.finish_and_clear();
    let summary = batch::summarise(&reports, &pairing);
    match a.format {
        OutputFormat::Json => {
            for r in &reports {
                match serde_json::to_string(r) {
                    Ok(s) => super::outln!("{s}"),
                    Err(e) => eprintln!("pairproof: internal error serialising output: {e}"),
                }
            }
            match serde_json::to_string(&summary) {
                Ok(s) => super::outln!("{s}"),
                Err(e) => eprintln!("pairproof: internal error serialising output: {e}"),
            }
        }
        OutputFormat::Text => {
            for (spec, r) in pairing.pairs.iter().zip(&reports) {
                super::outln!("{}", report::text::pair_line(&spec.label, r, lang));
            }
            for f in &summary.ignored {
                super::outln!(
                    "{}",
                    tr!(
                        lang,
                        "cli.batch.ignored",
                        path = f.path.display(),
                        reason = super::ignored_words(f.reason)
                    )
                );
            }
            super::outln!(
                "{}",
                tr!(
                    lang,
                    "cli.batch.summary",
                    pairs = summary.pairs,
                    pass = summary.pass,
                    warn = summary.warn,
                    fail = summary.fail,
                    error = summary.error,
                    problems = summary.list_problems.len()
                )
            );
        }
    }
    summary.exit_code
}
