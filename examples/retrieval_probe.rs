//! Development probe (not a test): can a copy be *retrieved* by hashes? For every pair of the
//! near-duplicate benchmark's dev manifest, the PDQ best-match distance and the sub-window
//! distance under several window layouts; prints per-transform retrieval recall and the share
//! of negative pairs that would become candidates.
//! `cargo run --release --example retrieval_probe -- /tmp/neardup`
use std::collections::{BTreeMap, HashMap};

use pairproof::fingerprint::{self, pdq, windows};
use rayon::prelude::*;

const CONFIGS: &[(f32, usize)] = &[(0.8, 3), (0.8, 5), (0.9, 2), (0.9, 3), (0.7, 3), (0.85, 3)];

struct Img {
    fp: fingerprint::Fingerprint,
    whole: [pdq::Hash256; 8],
    subs: Vec<Vec<pdq::Hash256>>,
}

fn main() {
    let root = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/neardup".into());
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
    let pairs = man["pairs"].as_array().unwrap();
    let mut ids: Vec<&String> = paths.keys().collect();
    ids.sort();
    let t = std::time::Instant::now();
    let imgs: HashMap<&str, Img> = ids
        .par_iter()
        .map(|id| {
            let img = image::open(&paths[*id]).expect("img").to_rgb8();
            let grid = windows::luma_grid(&img);
            let wd = windows::window_dct(&grid, 0.0, 0.0, 1.0, 1.0);
            let whole = pdq::Dihedral::ALL.map(|d| pdq::bits(&pdq::dihedral_dct(&wd, d)));
            let subs = CONFIGS
                .iter()
                .map(|&(side, n)| {
                    let mut v = vec![];
                    for iy in 0..n {
                        for ix in 0..n {
                            let step = if n > 1 {
                                (1.0 - side) / (n - 1) as f32
                            } else {
                                0.0
                            };
                            v.push(pdq::bits(&windows::window_dct(
                                &grid,
                                ix as f32 * step,
                                iy as f32 * step,
                                side,
                                side,
                            )));
                        }
                    }
                    v
                })
                .collect();
            (
                id.as_str(),
                Img {
                    fp: fingerprint::fingerprint(&img),
                    whole,
                    subs,
                },
            )
        })
        .collect();
    eprintln!("{} images in {:.1}s", imgs.len(), t.elapsed().as_secs_f64());
    let win = |a: &Img, b: &Img, cfgs: &[usize]| -> u32 {
        let mut best = 256;
        for &c in cfgs {
            for s in &a.subs[c] {
                for w in &b.whole {
                    best = best.min(s.hamming(w));
                }
            }
            for s in &b.subs[c] {
                // b's window against a in every orientation: a.whole[k] vs b.sub is the same
                // relation as b's sub seen in a's frame.
                for w in &a.whole {
                    best = best.min(s.hamming(w));
                }
            }
        }
        best
    };
    let layouts: Vec<(&str, Vec<usize>)> = vec![
        ("none", vec![]),
        ("0.8x3", vec![0]),
        ("0.8x3+0.9x2", vec![0, 2]),
        ("0.8x5+0.9x3", vec![1, 3]),
        ("0.7x3+0.8x3+0.9x2", vec![4, 0, 2]),
        ("0.85x3", vec![5]),
    ];
    // rows: (transform or "NEG"/"HARDNEG") -> per layout -> distances (pdq, win, gridwhole)
    let mut rows: BTreeMap<String, Vec<(u32, Vec<u32>)>> = BTreeMap::new();
    for p in pairs {
        let a = &imgs[p["a"].as_str().unwrap()];
        let b = &imgs[p["b"].as_str().unwrap()];
        let m = fingerprint::best_match(&a.fp, &b.fp);
        let dp = if m.reliable { m.distance } else { 256 };
        let gw = b.whole.iter().map(|w| a.whole[0].hamming(w)).min().unwrap();
        let ds: Vec<u32> = layouts.iter().map(|(_, c)| win(a, b, c).min(gw)).collect();
        let key = if p["label"] == 1 {
            p["transform"].as_str().unwrap().to_string()
        } else if p["type"].as_str().unwrap_or("").contains("hard") {
            "~NEG_hard".into()
        } else {
            "~NEG".into()
        };
        rows.entry(key).or_default().push((dp, ds));
    }
    for r in [56u32, 64, 72, 80] {
        println!("\n## candidate if pdq <= {r} or window <= R (R = {r})");
        print!("{:28}", "transform");
        for (n, _) in &layouts {
            print!(" {:>18}", n);
        }
        println!();
        for (k, v) in &rows {
            print!("{:28}", k);
            for li in 0..layouts.len() {
                let hit = v.iter().filter(|(dp, ds)| *dp <= r || ds[li] <= r).count();
                print!(" {:>18.2}", 100.0 * hit as f64 / v.len() as f64);
            }
            println!();
        }
    }
}
