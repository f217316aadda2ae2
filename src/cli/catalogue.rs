//! `catalogue rebuild|export|import|decisions|references|not-a-copy`.
use pairproof::report::exit;
use std::path::PathBuf;

use pairproof::catalogue::decisions::{self, ReferenceChange};
use pairproof::catalogue::{exchange, lock::ScanLock, store};

use super::scan::default_catalogue;

#[derive(Debug, clap::Subcommand)]
pub enum CatalogueCommand {
    /// Export user decisions, move the catalogue aside, start a fresh one with the decisions
    /// (for E_CATALOGUE_CORRUPT). Fingerprints are recomputed by the next scan.
    Rebuild {
        #[arg(long)]
        catalogue: Option<PathBuf>,
    },
    /// Write every fingerprint (one row per image: id, packed PDQ hashes with orientation,
    /// quality, content SHA-256, path, algorithm) as Parquet (Spark, DuckDB, Milvus bulk
    /// import) or JSON lines. Schema: pairproof.fingerprints/1 (docs/schemas.md).
    Export {
        #[arg(long)]
        catalogue: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "parquet")]
        format: exchange::Format,
        /// A folder (receives fingerprints.parquet / .jsonl) or a file name ending in the format.
        #[arg(long)]
        out: PathBuf,
    },
    /// Merge exported files or `hash --manifest` shards into the catalogue (each file in one
    /// transaction; the next scan of those folders re-uses the fingerprints by content).
    Import {
        #[arg(long)]
        catalogue: Option<PathBuf>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the user decisions (reference folders, "not a copy" marks) as JSON.
    Decisions {
        #[arg(long)]
        catalogue: Option<PathBuf>,
    },
    /// Reference folders of your own originals, remembered until removed: every scan walks
    /// them and reports copies of their images elsewhere (never pairs inside them).
    #[command(subcommand)]
    References(ReferencesCommand),
    /// Mark two files as not copies of each other: no scan groups them again.
    NotACopy {
        #[arg(long)]
        catalogue: Option<PathBuf>,
        a: PathBuf,
        b: PathBuf,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum ReferencesCommand {
    /// Record folders as references (they must exist).
    Add {
        #[arg(long)]
        catalogue: Option<PathBuf>,
        #[arg(required = true)]
        folders: Vec<PathBuf>,
    },
    /// Forget reference folders (their images stay catalogued).
    Remove {
        #[arg(long)]
        catalogue: Option<PathBuf>,
        #[arg(required = true)]
        folders: Vec<PathBuf>,
    },
    /// List the reference folders in force.
    List {
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
                    super::error(e.code(), &e.to_string());
                    return exit::ERROR;
                }
            };
            let stamp = pairproof::evidence::now_utc().replace(':', "");
            match store::rebuild(&path, &stamp) {
                Ok(r) => {
                    if let Some(w) = &r.warning {
                        let lang = super::lang::get();
                        eprintln!("{}", pairproof::tr!(lang, "cli.warning", message = w));
                    }
                    super::print_json(&r);
                    exit::OK
                }
                Err(e) => {
                    super::error(e.code(), &e.to_string());
                    exit::ERROR
                }
            }
        }
        CatalogueCommand::Export {
            catalogue,
            format,
            out,
        } => {
            let path = catalogue.unwrap_or_else(default_catalogue);
            let r = store::Catalogue::open_read_only(&path)
                .map_err(exchange::TransferError::from)
                .and_then(|c| exchange::export(&c, &out, format));
            report(r)
        }
        CatalogueCommand::Import { catalogue, files } => {
            let path = catalogue.unwrap_or_else(default_catalogue);
            report(exchange::import_into(&path, &files))
        }
        CatalogueCommand::References(r) => references(r),
        CatalogueCommand::NotACopy { catalogue, a, b } => {
            let path = catalogue.unwrap_or_else(default_catalogue);
            for p in [&a, &b] {
                if let Err(e) = std::fs::metadata(p) {
                    let e = pairproof::error::Error::from_io(p, e);
                    super::error(e.code(), &e.to_string());
                    return exit::ERROR;
                }
            }
            match decisions::record_not_a_copy(&path, &a, &b) {
                Ok(()) => {
                    let lang = super::lang::get();
                    let line = pairproof::tr!(
                        lang,
                        "cli.catalogue.not_a_copy",
                        a = a.display(),
                        b = b.display()
                    );
                    eprintln!("{line}");
                    exit::OK
                }
                Err(e) => {
                    super::error(e.code(), &e.to_string());
                    exit::ERROR
                }
            }
        }
        CatalogueCommand::Decisions { catalogue } => {
            let path = catalogue.unwrap_or_else(default_catalogue);
            match store::read_decisions_best_effort(&path) {
                Ok(d) => {
                    super::print_json(&serde_json::json!({
                        "schema": pairproof::report::schema::DECISIONS,
                        "tool_version": pairproof::VERSION,
                        "catalogue": path,
                        "decisions": d,
                    }));
                    exit::OK
                }
                Err(e) => {
                    super::error(e.code(), &e.to_string());
                    exit::ERROR
                }
            }
        }
    }
}

fn references(c: ReferencesCommand) -> u8 {
    let (catalogue, change) = match c {
        ReferencesCommand::Add { catalogue, folders } => (catalogue, ReferenceChange::Add(folders)),
        ReferencesCommand::Remove { catalogue, folders } => {
            (catalogue, ReferenceChange::Remove(folders))
        }
        ReferencesCommand::List { catalogue } => (catalogue, ReferenceChange::List),
    };
    let path = catalogue.unwrap_or_else(default_catalogue);
    match decisions::edit_references(&path, &change) {
        Ok(r) => {
            super::print_json(&r);
            exit::OK
        }
        Err(e) => {
            super::error(e.code(), &e.to_string());
            exit::ERROR
        }
    }
}

fn report<T: serde::Serialize>(r: Result<T, exchange::TransferError>) -> u8 {
    match r {
        Ok(rep) => {
            super::print_json(&rep);
            exit::OK
        }
        Err(e) => {
            super::error(e.code(), &e.to_string());
            exit::ERROR
        }
    }
}
