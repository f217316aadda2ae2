//! Insert and query throughput of the Milvus backend on a running server (docs/scale.md).
//! `MILVUS_ADDR=127.0.0.1:PORT cargo run --release --features milvus --example milvus_bench -- [N] [QUERIES]`
//! Inserts N random 256-bit vectors (kind 0) in upserts of 5 000, then times radius-38
//! queries (the tier-1 search) for QUERIES random and planted vectors, in calls of 256.
use std::time::Instant;

use pairproof::catalogue::milvus::{Index, Target, Vector};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let q: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let addr = std::env::var("MILVUS_ADDR").expect("MILVUS_ADDR=HOST:PORT");
    let t: Target = format!("milvus://{addr}/pp_bench_{}", std::process::id())
        .parse()
        .unwrap();
    let mut s = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut hash = || {
        let mut h = [0u8; 32];
        for c in h.chunks_mut(8) {
            c.copy_from_slice(&next().to_le_bytes());
        }
        h
    };
    let vectors: Vec<Vector> = (0..n as i64)
        .map(|c| Vector {
            content: (c + 1) * 4,
            kind: 0,
            hash: hash(),
        })
        .collect();
    let queries: Vec<[u8; 32]> = (0..q)
        .map(|i| {
            if i % 2 == 0 {
                let mut h = vectors[(i * 7919) % n].hash;
                h[i % 32] ^= 0x0f; // 4 bits away: a planted neighbour
                h
            } else {
                hash()
            }
        })
        .collect();
    let t0 = Instant::now();
    let index = Index::connect(&t).unwrap();
    let connect = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    index.upsert(&vectors).unwrap();
    let insert = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    index.flush().unwrap();
    let count = index.count().unwrap();
    let flush = t2.elapsed().as_secs_f64();
    let t3 = Instant::now();
    let hits = index.within(&queries, &[0, 1], 38).unwrap();
    let query = t3.elapsed().as_secs_f64();
    let found = hits.iter().step_by(2).filter(|h| !h.is_empty()).count();
    index.drop_collection().unwrap();
    println!(
        "vectors {n} (count {count}): connect+create {connect:.2} s, upsert {insert:.2} s ({:.0}/s), flush+count {flush:.2} s; {q} radius-38 queries {query:.2} s ({:.0}/s, {:.2} ms each); planted found {found}/{}",
        n as f64 / insert,
        q as f64 / query,
        1000.0 * query / q as f64,
        q.div_ceil(2)
    );
}
