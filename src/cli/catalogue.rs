//! `catalogue rebuild` and `catalogue decisions`.
use std::path::PathBuf;

use pairproof::catalogue::{lock::ScanLock, store};

use super::scan::default_catalogue;

#[derive(Debug, clap::Subcommand)]
pub enum CatalogueCommand {
    /// Export user decisions, move the catalogue aside, start a fresh one with the decisions
    /// (for E_CATALOGUE_CORRUPT). Fingerprints are recomputed by the next scan.
    Rebuild {
        #[arg(long)]
        catalogue: Option<PathBuf>,
    },
    /// Print the user decisions (reference folders, "not a copy" marks) as JSON.
    Decisions {
        #[arg(long)]
        catalogue: Option<PathBuf>,
    },
}

pub fn run(c: CatalogueCommand) -> u8 {
    match c {
        CatalogueCommand::Rebuild { catalogue } => {
            let path = catalogue.unwrap_or_else(default_catalogue);
            let _lock = match ScanLock::acquire(&path) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("error[{}]: {e}", e.code());
                    return 2;
                }
            };
            let stamp = pairproof::evidence::now_utc().replace(':', "");
            match store::rebuild(&path, &stamp) {
                Ok(r) => {
                    if let Some(w) = &r.warning {
                        eprintln!("warning: {w}");
                    }
                    super::print_json(&r);
                    0
                }
                Err(e) => {
                    eprintln!("error[{}]: {e}", e.code());
                    2
                }
            }
        }
        CatalogueCommand::Decisions { catalogue } => {
            let path = catalogue.unwrap_or_else(default_catalogue);
            match store::read_decisions_best_effort(&path) {
                Ok(d) => {
                    super::print_json(&serde_json::json!({
                        "schema": "pairproof.decisions/1",
                        "tool_version": pairproof::VERSION,
                        "catalogue": path,
                        "decisions": d,
                    }));
                    0
                }
                Err(e) => {
                    eprintln!("error[{}]: {e}", e.code());
                    2
                }
            }
        }
    }
}
