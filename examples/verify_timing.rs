//! Time geometric verification alone (no decoding): features of the edits benchmark's images
//! (cached by `words_probe` in DIR/features.bin), each image verified against the next 8.
//!
//!     cargo run --release --example verify_timing -- target/edits
use pairproof::fingerprint::local::{self, Features};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/edits".into());
    let b = std::fs::read(format!("{dir}/features.bin")).expect("run words_probe first");
    let mut feats = Vec::new();
    let mut at = 0;
    while at + 4 <= b.len() {
        let n = u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize;
        feats.push(Features::decode(&b[at + 4..at + 4 + n]).unwrap_or_default());
        at += 4 + n;
    }
    let n = feats.len().min(400);
    let t = std::time::Instant::now();
    let mut verified = 0;
    let mut pairs = 0;
    for i in 0..n {
        for k in 1..=8 {
            let j = (i + k * 61) % feats.len();
            verified += local::verify_any(&feats[i], &feats[j]).verified() as usize;
            pairs += 1;
        }
    }
    let dt = t.elapsed().as_secs_f64();
    println!(
        "{pairs} pairs ({verified} verified) in {dt:.2} s: {:.2} ms per pair, one core",
        1e3 * dt / pairs as f64
    );
}
