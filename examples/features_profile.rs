//! Profiling driver for the per-image analysis: times each stage on one image (median of 30)
//! and can be run under `perf record target/release/examples/features_profile IMG`.
use std::time::Instant;

use pairproof::fingerprint::{self, local, pdq, windows};

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..30)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v[15]
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/shoe-main.jpg".into());
    let bytes = std::fs::read(&path).expect("read");
    let limits = pairproof::Limits::default();
    let p = std::path::Path::new(&path);
    let img = pairproof::decode::decode_bytes(p, &bytes, &limits)
        .expect("decode")
        .pixels;
    let rows = [
        (
            "decode (pairproof::decode, incl. SHA-256 and header walk)",
            median_ms(|| {
                std::hint::black_box(pairproof::decode::decode_bytes(p, &bytes, &limits).ok());
            }),
        ),
        (
            "PDQ whole frame, 8 orientations",
            median_ms(|| {
                std::hint::black_box(pdq::pdq_dihedral(&img));
            }),
        ),
        (
            "retrieval fingerprint (whole + canonical PDQ)",
            median_ms(|| {
                std::hint::black_box(fingerprint::fingerprint(&img));
            }),
        ),
        (
            "window hashes (grid + 35 windows)",
            median_ms(|| {
                std::hint::black_box(windows::windows(&img));
            }),
        ),
        (
            "local features",
            median_ms(|| {
                std::hint::black_box(local::features(&img));
            }),
        ),
        (
            "analyse (all three)",
            median_ms(|| {
                std::hint::black_box(fingerprint::analyse(&img));
            }),
        ),
    ];
    println!("{} ({}×{})", path, img.width(), img.height());
    for (name, ms) in rows {
        println!("  {ms:7.2} ms  {name}");
    }
}
