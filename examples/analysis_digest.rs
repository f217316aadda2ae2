//! SHA-256 of each image's stored analysis (`Analysis::encode`: PDQ views, window hashes, local
//! features): run before and after a change that must not alter what is stored, and diff.
//!
//!     cargo run --release --example analysis_digest -- DIR > before.txt
use sha2::{Digest, Sha256};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: analysis_digest DIR");
    let limits = pairproof::Limits::default();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for p in paths {
        let Ok(d) = pairproof::decode::decode_path(&p, &limits) else {
            continue;
        };
        let a = pairproof::fingerprint::analyse(&d.pixels);
        let h = Sha256::digest(a.encode());
        let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
        println!("{hex}  {}", p.display());
    }
}
