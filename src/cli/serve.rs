//! `serve`: parse, start the library's server, print its address.
use pairproof::report::exit;
use std::net::IpAddr;
use std::path::PathBuf;

use pairproof::serve::{self, ServeOptions};

use super::scan::default_catalogue;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port (0 = any free port).
    #[arg(long, default_value_t = 8722)]
    port: u16,
    /// A folder the Scan page may read (repeatable). Nothing outside these is ever read.
    #[arg(long = "root")]
    roots: Vec<PathBuf>,
    /// Address to listen on; anything but loopback requires --token.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Shared secret for every API request (header X-Pairproof-Token; the page takes it
    /// from ?token= once). Also read from $PAIRPROOF_TOKEN (kept out of `ps`).
    #[arg(long)]
    token: Option<String>,
    /// The catalogue the Scan page uses (default as for `scan`).
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// Largest uploaded file in MB.
    #[arg(long, default_value_t = 25)]
    max_upload_mb: usize,
}

pub fn run(a: ServeArgs) -> u8 {
    let mut o = ServeOptions::new(a.catalogue.unwrap_or_else(default_catalogue));
    o.port = a.port;
    o.roots = a.roots;
    o.bind = a.bind;
    o.token = a.token.or_else(|| std::env::var("PAIRPROOF_TOKEN").ok());
    // MB as the marketplace rule counts it (5 MB = 5 × 2^20 bytes), and as the page shows it.
    o.max_file_bytes = a.max_upload_mb.saturating_mul(1 << 20);
    let token = o.token.clone();
    let r = serve::run(o, |addr| {
        let q = token
            .as_deref()
            .map(|t| format!("?token={t}"))
            .unwrap_or_default();
        println!("pairproof serve: http://{addr}/{q}");
        eprintln!(
            "{}",
            pairproof::i18n::t(super::lang::get(), "cli.serve.open", &[])
        );
        use std::io::Write;
        let _ = std::io::stdout().flush();
    });
    match r {
        Ok(()) => exit::OK,
        Err(e) => {
            super::error(e.code(), &e.to_string());
            exit::ERROR
        }
    }
}
