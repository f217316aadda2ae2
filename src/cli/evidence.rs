//! `evidence` and `verify`.
use pairproof::report::exit;
use std::path::PathBuf;

use pairproof::evidence::{self, bundle, EvidenceOptions};

use pairproof::i18n::Lang;
use pairproof::tr;

use super::{out, OutputFormat};

#[derive(Debug, clap::Args)]
pub struct EvidenceArgs {
    /// Your original photo.
    original: PathBuf,
    /// The suspected copies.
    #[arg(required = true)]
    suspects: Vec<PathBuf>,
    /// The bundle to write (a zip; written atomically; an existing file is kept unless
    /// --force).
    #[arg(long)]
    out: PathBuf,
    /// Replace the bundle at --out if one exists.
    #[arg(long)]
    force: bool,
    /// Also print the report to this PDF (for appeal forms that take PDF; needs Chromium, or
    /// $PAIRPROOF_CHROMIUM); an existing file is kept unless --force.
    #[arg(long)]
    pdf: Option<PathBuf>,
    /// Proof of authorisation (licence, invoice, …) to include; repeatable.
    #[arg(long)]
    authorisation: Vec<PathBuf>,
    /// Show the original's GPS coordinates in the report (redacted by default).
    #[arg(long)]
    show_gps: bool,
    /// Who claims the photo (a person or shop), shown in the report.
    #[arg(long)]
    claimant: Option<String>,
    /// The listing where a suspect was found; repeatable, one per suspect in their order.
    #[arg(long = "listing-url")]
    listing_url: Vec<String>,
    /// When the copies were found (YYYY-MM-DD).
    #[arg(long)]
    found_on: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// An evidence bundle (case.zip).
    bundle: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
}

pub fn evidence(a: EvidenceArgs) -> u8 {
    // Refuse before the work, not only after it (the write itself is no-clobber too).
    for p in std::iter::once(&a.out).chain(&a.pdf) {
        if !a.force && p.exists() {
            super::print_error(&pairproof::metadata::exists_error(p));
            return exit::ERROR;
        }
    }
    let opts = EvidenceOptions {
        original: a.original,
        suspects: a.suspects,
        authorisation: a.authorisation,
        // --lang (global): en, zh-CN or both; else the reader's language.
        lang: super::lang::report_lang(),
        show_gps: a.show_gps,
        command_line: std::env::args().collect::<Vec<_>>().join(" "),
        created_utc: None,
        limits: Default::default(),
        case: evidence::CaseDetails {
            claimant: a.claimant.filter(|c| !c.trim().is_empty()),
            found_on: a.found_on,
        },
        listing_urls: a.listing_url,
    };
    if let Err(m) = evidence::check_case(&opts) {
        super::error(pairproof::Code::Usage, &m);
        return exit::ERROR;
    }
    let case = evidence::build(&opts);
    if let Err(e) = bundle::write(&case, &a.out, a.force) {
        super::print_error(&e);
        return exit::ERROR;
    }
    if let Some(pdf) = &a.pdf {
        if let Err(e) = evidence::pdf::write_pdf(&case.html, pdf, a.force) {
            super::print_error(&e);
            return exit::ERROR;
        }
    }
    let r = &case.report;
    for f in std::iter::once(&r.original)
        .chain(r.suspects.iter().map(|s| &s.file))
        .chain(&r.authorisation)
    {
        if let Some(e) = &f.error {
            super::error(e.code, &e.message);
        }
    }
    match a.format {
        OutputFormat::Json => super::print_json(r),
        OutputFormat::Text => {
            let lang = super::lang::get();
            let zh = lang == Lang::ZhCn;
            let mut s = String::new();
            for x in &r.suspects {
                let words = if zh {
                    &x.result.words_zh
                } else {
                    &x.result.words_en
                };
                s.push_str(&format!(
                    "{:<11} {}  {words}\n",
                    x.result.verdict.words(zh),
                    x.file.name,
                ));
            }
            s.push_str(&tr!(
                lang,
                "cli.evidence.written",
                path = a.out.display(),
                id = r.report_id
            ));
            s.push('\n');
            if let Some(pdf) = &a.pdf {
                s.push_str(&tr!(lang, "cli.evidence.pdf", path = pdf.display()));
                s.push('\n');
            }
            out(&s);
        }
    }
    exit::code(r.any_match(), r.has_unreadable())
}

pub fn verify(a: VerifyArgs) -> u8 {
    let r = match bundle::verify(&a.bundle, &Default::default()) {
        Ok(r) => r,
        Err(e) => {
            super::print_error(&e);
            return exit::ERROR;
        }
    };
    match a.format {
        OutputFormat::Json => super::print_json(&r),
        OutputFormat::Text => {
            let lang = super::lang::get();
            let mut s = String::new();
            for c in r.checks.iter().filter(|c| !c.ok) {
                s.push_str(&tr!(
                    lang,
                    "cli.verify.fail",
                    what = c.what,
                    detail = c.detail
                ));
                s.push('\n');
            }
            let (path, n) = (a.bundle.display(), r.checks.len());
            let failed = r.checks.iter().filter(|c| !c.ok).count();
            s.push_str(&if r.ok {
                tr!(lang, "cli.verify.ok", path = path, n = n)
            } else {
                tr!(
                    lang,
                    "cli.verify.failed",
                    path = path,
                    failed = failed,
                    n = n
                )
            });
            s.push('\n');
            out(&s);
        }
    }
    exit::code(!r.ok, false)
}
