//! Search at catalogue scale (synthetic fingerprints, as the issue allows):
//! `cargo run --release --example search_bench -- 1000000 [JOIN_ENTRIES]`
//! Prints build time, per-query latency (one hash's 8 orientations) for multi-index hashing and
//! the linear scan, and the time of a full self-join at 38 bits.
use std::time::Instant;

use pairproof::catalogue::search::{Linear, MultiIndex, Packed};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut s: u64 = 0x1234_5678_9ABC_DEF1;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut hashes: Vec<Packed> = (0..n).map(|_| [next(), next(), next(), next()]).collect();
    // Plant 1 % near-duplicates (2–30 bits away) so the join has real work to report.
    for i in 0..n / 100 {
        let mut h = hashes[i];
        for _ in 0..(2 + next() % 29) {
            let b = (next() % 256) as usize;
            h[b / 64] ^= 1 << (b % 64);
        }
        hashes[n - 1 - i] = h;
    }
    let t = Instant::now();
    let mih = MultiIndex::build(hashes.clone());
    println!(
        "entries {n}; build {:.2} s; memory ≈ {} MB (per entry: 32 B hash + 13 × 4 B table slots; plus 12 × 4 MB + 256 KB bucket offsets)",
        t.elapsed().as_secs_f64(),
        (n * (32 + 13 * 4) + 12 * (1 << 20) * 4 + (1 << 16) * 4) / 1_000_000
    );
    let mut scratch = mih.scratch();
    let queries: Vec<Packed> = (0..200).map(|i| hashes[(i * 4999) % n]).collect();
    let mut lat = Vec::new();
    for chunk in queries.chunks(8) {
        let t = Instant::now();
        let mut found = 0;
        for q in chunk {
            found += mih.within(q, 38, &mut scratch).len();
        }
        std::hint::black_box(found);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    lat.sort_by(f64::total_cmp);
    println!("multi-index: 8 queries (one image, 8 orientations) at 38 bits: median {:.2} ms, p95 {:.2} ms", lat[lat.len() / 2], lat[lat.len() * 95 / 100]);
    let lin = Linear::new(hashes.clone());
    let t = Instant::now();
    for q in &queries[..8] {
        std::hint::black_box(lin.within(q, 38));
    }
    println!(
        "linear scan: 8 queries: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let join_n: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(n);
    let sub = if join_n < n {
        MultiIndex::build(hashes[..join_n].to_vec())
    } else {
        mih
    };
    let t = Instant::now();
    let pairs = sub.self_join(38);
    println!(
        "self-join of {join_n} entries at 38 bits on {} threads: {} pairs in {:.1} s",
        rayon::current_num_threads(),
        pairs.len(),
        t.elapsed().as_secs_f64()
    );
}
