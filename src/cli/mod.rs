//! Command-line interface: clap definitions and the glue from arguments to library calls.
//! Results go to stdout, diagnostics to stderr; exit 0 pass, 1 a rule failed, 2 usage/input error.

mod check;
mod lint;
mod strip;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "pairproof",
    version,
    about = "Check marketplace main/hidden image pairs, lint main images, strip metadata losslessly.",
    after_help = "Exit codes: 0 pass / nothing found, 1 a rule failed, 2 usage or input error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
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
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Lint(a) => lint::run(a),
        Command::Strip(a) => strip::run(a),
    };
    ExitCode::from(code)
}

/// Print a JSON document on stdout. Serialising our own types cannot fail; if stdout is gone
/// (closed pipe) there is nobody left to tell.
pub(crate) fn print_json<T: serde::Serialize>(doc: &T) {
    match serde_json::to_string_pretty(doc) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("pairproof: internal error serialising output: {e}"),
    }
}

pub(crate) fn print_error(e: &pairproof::Error) {
    eprintln!("error[{}]: {e}", e.code());
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
