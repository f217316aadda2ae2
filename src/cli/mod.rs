//! Command-line interface: clap definitions and the glue from arguments to library calls.
//! Results go to stdout, diagnostics to stderr; exit 0 pass, 1 a rule failed, 2 usage/input error.

use std::process::ExitCode;

use pairproof::report::exit;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "pairproof",
    version,
    about = "Check marketplace main/hidden image pairs, lint main images, strip metadata losslessly, and find stolen or duplicated photos.",
    after_help = "Exit codes: 0 pass / nothing found, 1 a rule failed / duplicates found, 2 usage or input error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Language of what is printed for people (JSON and codes do not change); default from
    /// LC_ALL / LC_MESSAGES / LANG. `both`: English and Chinese in one evidence report.
    #[arg(long, global = true, value_enum, value_name = "LANG")]
    pub lang: Option<lang::LangArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a hidden image against its main image: every marketplace rule.
    Check(check::Args),
    /// Check main images against the marketplace's main-image rules.
    Lint(lint::Args),
    /// Remove EXIF/GPS (and optionally all metadata) without re-encoding pixels.
    Strip(strip::Args),
    /// Apply the safe fixes to a failing pair (sRGB, 1-px size slip, GPS, format, file size),
    /// write the fixed pair to a new folder and check it again (exit 1 when a rule still fails).
    Fix(fix::Args),
    /// Is B a copy of A (mirrored, recoloured, cropped, re-padded)? Exit 1 when similarity ≥ 0.85.
    Compare(compare::CompareArgs),
    /// Score many pairs from a TSV (path_a<TAB>path_b); JSON lines out, input order.
    CompareBatch(compare::BatchArgs),
    /// Print fingerprints (pairproof.hash/1, JSON lines) for scripts.
    Hash(compare::HashArgs),
    /// Fingerprint folders into the catalogue and group near-duplicates (exit 1 when found).
    Scan(scan::ScanArgs),
    /// Find every copy of one photo in the catalogue (exit 1 when found).
    Match(scan::MatchArgs),
    /// Build an appeal bundle (case.zip): report (HTML + JSON), originals, overlay, heatmap, SHA256SUMS.
    Evidence(evidence::EvidenceArgs),
    /// Check an evidence bundle: every hash and every score recomputed from its originals.
    Verify(evidence::VerifyArgs),
    /// Start the local web page (pair check, batch, scan, evidence; Chinese and English) on
    /// 127.0.0.1 and print its address.
    Serve(serve::ServeArgs),
    /// Internal: the `--isolate` worker (one file in, one reply out).
    #[command(hide = true)]
    AnalyseWorker(scan::WorkerArgs),
    /// Catalogue maintenance: export / import fingerprints (Parquet, JSON lines), rebuild a damaged catalogue, list decisions.
    #[command(subcommand)]
    Catalogue(catalogue::CatalogueCommand),
}

pub fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = lang::choose(&args);
    let parsed = lang::localise(Cli::command(), lang)
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(usage_error(e, lang)),
    };
    let code = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Lint(a) => lint::run(a),
        Command::Strip(a) => strip::run(a),
        Command::Fix(a) => fix::run(a),
        Command::Compare(a) => compare::compare(a),
        Command::CompareBatch(a) => compare::compare_batch(a),
        Command::Hash(a) => compare::hash(a),
        Command::Scan(a) => scan::scan(a),
        Command::Match(a) => scan::match_cmd(a),
        Command::Evidence(a) => evidence::evidence(a),
        Command::Verify(a) => evidence::verify(a),
        Command::Catalogue(c) => catalogue::run(c),
        Command::Serve(a) => serve::run(a),
        Command::AnalyseWorker(a) => scan::worker(a),
    };
    ExitCode::from(code)
}

/// Write to stdout. A reader that went away (`| head`) ends the process quietly with the exit
/// code so far being irrelevant to it; any other write failure is an output error (exit 2).
/// Never panics, unlike `println!`.
pub(crate) fn out(s: &str) {
    use std::io::Write;
    let mut so = std::io::stdout().lock();
    if let Err(e) = so.write_all(s.as_bytes()).and_then(|()| so.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(exit::OK.into());
        }
        eprintln!("pairproof: cannot write output: {e}");
        std::process::exit(exit::ERROR.into());
    }
}

/// `println!` through [`out`].
macro_rules! outln {
    ($($t:tt)*) => { $crate::cli::out(&format!("{}\n", format_args!($($t)*))) };
}
pub(crate) use outln;

mod catalogue;
mod check;
mod compare;
mod evidence;
mod fix;
mod lang;
mod lint;
mod progress;
mod scan;
mod serve;
mod strip;

/// Print a JSON document on stdout. Serialising our own types cannot fail.
pub(crate) fn print_json<T: serde::Serialize>(doc: &T) {
    match serde_json::to_string_pretty(doc) {
        Ok(s) => outln!("{s}"),
        Err(e) => eprintln!("pairproof: internal error serialising output: {e}"),
    }
}

pub(crate) fn print_error(e: &pairproof::Error) {
    error(e.code(), &e.to_string());
}

/// Print one error on stderr in the reader's language: `error[CODE]: detail` in English; in
/// Chinese the code's sentence from the catalogue, then the detail (which names the file) as
/// technical details.
pub(crate) fn error(code: pairproof::Code, detail: &str) {
    use pairproof::i18n::Lang;
    match lang::get() {
        Lang::En => eprintln!("error[{code}]: {detail}"),
        l @ Lang::ZhCn => eprintln!(
            "{}\n  {}",
            pairproof::tr!(l, "cli.error", code = code, words = code_words(l, code)),
            pairproof::tr!(l, "cli.error.detail", detail = detail)
        ),
    }
}

/// Why a file was left out of a batch, in the reader's language.
pub(crate) fn ignored_words(r: pairproof::batch::IgnoreReason) -> String {
    use pairproof::batch::IgnoreReason as R;
    let lang = lang::get();
    if lang == pairproof::i18n::Lang::En {
        return r.words().to_string();
    }
    let key = match r {
        R::NotAnImage => "cli.ignored.not_an_image",
        R::NoRoleInName => "cli.ignored.no_role",
        R::NoSku => "cli.ignored.no_sku",
    };
    pairproof::i18n::t(lang, key, &[])
}

/// The sentence for a code. `E_USAGE` on the command line is a wrong argument, not the page's
/// "cannot be done for this file".
fn code_words(lang: pairproof::i18n::Lang, code: pairproof::Code) -> String {
    let key = match code {
        pairproof::Code::Usage => "cli.error.usage",
        c => c.as_str(),
    };
    pairproof::i18n::t(lang, key, &[])
}

/// A usage error from clap (exit 2), or the help / version it was asked for (exit 0). Clap
/// writes its own sentences in English; in Chinese a line saying what kind of error it is
/// comes first.
fn usage_error(e: clap::Error, lang: pairproof::i18n::Lang) -> u8 {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            exit::ERROR
        } else {
            exit::OK
        };
    }
    if lang == pairproof::i18n::Lang::ZhCn {
        eprintln!("{}", pairproof::i18n::t(lang, "cli.usage", &[]));
    }
    let _ = e.print();
    exit::ERROR
}

/// The images of `lint`/`strip` arguments (folders expanded, see `batch::expand_images`);
/// each file a folder held that is not an image is named on stderr with the reason. `None`
/// (the error printed) when a folder cannot be listed.
pub(crate) fn expand_images(paths: &[std::path::PathBuf]) -> Option<Vec<std::path::PathBuf>> {
    match pairproof::batch::expand_images(paths) {
        Ok((images, ignored)) => {
            for f in &ignored {
                let lang = lang::get();
                let line = pairproof::tr!(
                    lang,
                    "cli.ignored",
                    path = f.path.display(),
                    reason = ignored_words(f.reason)
                );
                eprintln!("{line}");
            }
            if images.is_empty() {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                error(
                    pairproof::Code::Usage,
                    &format!(
                        "{}: no image files there (.jpg, .jpeg, .png, .webp, .gif, .bmp)",
                        names.join(", ")
                    ),
                );
                return None;
            }
            Some(images)
        }
        Err(e) => {
            error(e.code, &e.message);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
