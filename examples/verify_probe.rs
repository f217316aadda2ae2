//! Development probe (not a test): inlier statistics of the verification stage on the
//! near-duplicate benchmark's dev manifest. `cargo run --release --example verify_probe -- /tmp/neardup [neg_limit]`
use std::collections::{BTreeMap, HashMap};

use pairproof::fingerprint::local;
use rayon::prelude::*;

fn main() {
    let root = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/neardup".into());
    let neg_limit: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(6000);
    let man: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/manifest_dev.json")).expect("manifest"),
    )
    .expect("json");
    let paths: HashMap<String, String> = man["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                format!("{root}/{}", i["path"].as_str().unwrap()),
            )
        })
        .collect();
    let pairs: Vec<&serde_json::Value> = {
        let all = man["pairs"].as_array().unwrap();
        let mut negs = 0;
        all.iter()
            .filter(|p| {
                if p["label"] == 1 {
                    true
                } else {
                    negs += 1;
                    negs % (31605 / neg_limit).max(1) == 0
                }
            })
            .collect()
    };
    let mut ids: Vec<&str> = pairs
        .iter()
        .flat_map(|p| [p["a"].as_str().unwrap(), p["b"].as_str().unwrap()])
        .collect();
    ids.sort();
    ids.dedup();
    let t = std::time::Instant::now();
    let feats: HashMap<&str, local::Features> = ids
        .par_iter()
        .map(|id| {
            (
                *id,
                local::features(&image::open(&paths[*id]).expect("img").to_rgb8()),
            )
        })
        .collect();
    eprintln!(
        "features for {} images in {:.1}s",
        ids.len(),
        t.elapsed().as_secs_f64()
    );
    let t = std::time::Instant::now();
    let res: Vec<(String, i64, usize, f32)> = pairs
        .par_iter()
        .map(|p| {
            let v = local::verify_any(
                &feats[p["a"].as_str().unwrap()],
                &feats[p["b"].as_str().unwrap()],
            );
            let key = if p["label"] == 1 {
                p["transform"].as_str().unwrap().to_string()
            } else {
                format!("~neg {}", p["type"].as_str().unwrap())
            };
            (
                key,
                p["label"].as_i64().unwrap(),
                v.inliers,
                v.spread_a.min(v.spread_b),
            )
        })
        .collect();
    eprintln!(
        "{} pairs verified in {:.1}s",
        res.len(),
        t.elapsed().as_secs_f64()
    );
    let mut by: BTreeMap<String, Vec<(usize, f32)>> = BTreeMap::new();
    for (k, _, n, s) in &res {
        by.entry(k.clone()).or_default().push((*n, *s));
    }
    for (k, mut v) in by {
        v.sort_by_key(|x| x.0);
        let q = |f: f64| v[((v.len() - 1) as f64 * f) as usize].0;
        let ge = |t: usize| 100.0 * v.iter().filter(|x| x.0 >= t).count() as f64 / v.len() as f64;
        println!("{k:30} n={:5} p5={:4} p50={:4} max={:4}  >=8:{:5.1}% >=12:{:5.1}% >=16:{:5.1}% >=24:{:5.1}%", v.len(), q(0.05), q(0.5), v[v.len() - 1].0, ge(8), ge(12), ge(16), ge(24));
    }
}
