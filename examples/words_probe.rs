//! Development probe (not a test): how well the local-feature index (`catalogue::words`)
//! retrieves the copies of the everyday-edits benchmark (`benches/edits/`), per edit and per
//! parameter set, against what exhaustive verification of the same pairs achieves.
//!
//!     cargo run --release --example words_probe -- target/edits [tables,bits,features,votes,maxc ...]
//!
//! Features are cached in DIR/features.bin between runs.
use std::collections::{BTreeMap, HashMap, HashSet};

use pairproof::catalogue::words::{FeatureIndex, Keys, Params};
use pairproof::fingerprint::local::{self, Features};
use rayon::prelude::*;

fn load(dir: &str, paths: &[String]) -> Vec<Features> {
    let cache = format!("{dir}/features.bin");
    if let Ok(b) = std::fs::read(&cache) {
        let mut out = Vec::new();
        let mut at = 0;
        while at + 4 <= b.len() {
            let n = u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize;
            out.push(Features::decode(&b[at + 4..at + 4 + n]).unwrap_or_default());
            at += 4 + n;
        }
        if out.len() == paths.len() {
            return out;
        }
    }
    let feats: Vec<Features> = paths
        .par_iter()
        .map(|p| {
            let d = pairproof::decode::decode_path(
                std::path::Path::new(&format!("{dir}/{p}")),
                &Default::default(),
            )
            .expect("decodes");
            local::features(&d.pixels)
        })
        .collect();
    let mut b = Vec::new();
    for f in &feats {
        let e = f.encode();
        b.extend((e.len() as u32).to_le_bytes());
        b.extend(e);
    }
    std::fs::write(&cache, b).expect("cache");
    feats
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "target/edits".into());
    let man: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/manifest.json")).unwrap())
            .unwrap();
    let images = man["images"].as_array().unwrap();
    let paths: Vec<String> = images
        .iter()
        .map(|i| i["path"].as_str().unwrap().to_string())
        .collect();
    let id: HashMap<&str, u32> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i as u32))
        .collect();
    let source: Vec<&str> = images
        .iter()
        .map(|i| i["source"].as_str().unwrap_or(""))
        .collect();
    let t = std::time::Instant::now();
    let feats = load(&dir, &paths);
    eprintln!("{} images, features in {:?}", feats.len(), t.elapsed());
    let pairs: Vec<(u32, u32, String)> = man["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                id[p["copy"].as_str().unwrap()],
                id[p["original"].as_str().unwrap()],
                p["edit"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let t = std::time::Instant::now();
    let vers: Vec<local::Verification> = pairs
        .par_iter()
        .map(|(c, o, _)| local::verify_any(&feats[*o as usize], &feats[*c as usize]))
        .collect();
    let verified: Vec<bool> = vers.iter().map(|v| v.verified()).collect();
    if std::env::var("PROBE_AGREE").is_ok() {
        let mut by: BTreeMap<&str, Vec<f32>> = BTreeMap::new();
        for ((_, _, e), v) in pairs.iter().zip(&vers) {
            if v.verified() {
                by.entry(e.as_str()).or_default().push(v.agreement);
            }
        }
        for (e, mut v) in by {
            v.sort_by(|a, b| a.total_cmp(b));
            let q = |p: f64| v[((v.len() - 1) as f64 * p) as usize];
            println!(
                "agreement {e}: min {:.2} p05 {:.2} p10 {:.2} p50 {:.2}",
                q(0.0),
                q(0.05),
                q(0.1),
                q(0.5)
            );
        }
        // Unrelated pairs (no shared source) that verify today: every pair of screenshots,
        // collages and negatives.
        let contains: Vec<HashSet<String>> = images
            .iter()
            .map(|i| {
                let mut s: HashSet<String> = i["contains"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|x| x.as_str().unwrap_or("").to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                s.insert(i["source"].as_str().unwrap_or("").to_string());
                s
            })
            .collect();
        let idx: Vec<usize> = (0..paths.len())
            .filter(|&i| {
                paths[i].contains("screenshot")
                    || paths[i].contains("collage")
                    || paths[i].contains("negatives")
            })
            .collect();
        let mut un: Vec<(usize, usize)> = Vec::new();
        for (x, &i) in idx.iter().enumerate() {
            for &j in &idx[x + 1..] {
                if contains[i].is_disjoint(&contains[j]) {
                    un.push((i, j));
                }
            }
        }
        let res: Vec<(usize, usize, local::Verification)> = un
            .par_iter()
            .map(|&(i, j)| (i, j, local::verify_any(&feats[i], &feats[j])))
            .filter(|(_, _, v)| v.verified())
            .collect();
        let mut ag: Vec<f32> = res.iter().map(|r| r.2.agreement).collect();
        ag.sort_by(|a, b| b.total_cmp(a));
        println!(
            "unrelated pairs tried {}, verified {}; agreement max {:?}",
            un.len(),
            res.len(),
            &ag[..ag.len().min(20)]
        );
        for t in [0.3f32, 0.4, 0.5, 0.6, 0.7] {
            println!(
                "  unrelated with agreement >= {t}: {}",
                ag.iter().filter(|&&a| a >= t).count()
            );
        }
        let kind = |p: &str| p.split('/').nth(2).unwrap_or("?").to_string();
        let mut kinds: BTreeMap<(String, String), (usize, Vec<usize>)> = BTreeMap::new();
        for (i, j, v) in &res {
            let (a, b) = (kind(&paths[*i]), kind(&paths[*j]));
            let k = if a <= b { (a, b) } else { (b, a) };
            let e = kinds.entry(k).or_default();
            e.0 += 1;
            e.1.push(v.inliers);
        }
        for (k, (n, mut inl)) in kinds {
            inl.sort_unstable();
            println!(
                "  {k:?}: {n} verified, inliers p50 {} p90 {} max {}",
                inl[inl.len() / 2],
                inl[inl.len() * 9 / 10],
                inl[inl.len() - 1]
            );
        }
        let mut pos_inl: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for ((_, _, e), v) in pairs.iter().zip(&vers) {
            if v.verified() {
                pos_inl.entry(e.as_str()).or_default().push(v.inliers);
            }
        }
        for (e, mut v) in pos_inl {
            v.sort_unstable();
            println!(
                "  positives {e}: inliers p05 {} p10 {} p50 {}",
                v[v.len() / 20],
                v[v.len() / 10],
                v[v.len() / 2]
            );
        }
    }
    eprintln!("verified {} pairs in {:?}", pairs.len(), t.elapsed());
    let mut sets: Vec<Params> = Vec::new();
    for a in args.iter().skip(2) {
        let v: Vec<f64> = a.split(',').map(|x| x.parse().unwrap()).collect();
        sets.push(Params {
            tables: v[0] as usize,
            key_bits: v[1] as usize,
            features: v[2] as usize,
            min_votes: v[3] as u32,
            max_candidates: v[4] as usize,
            ..Params::DEFAULT
        });
    }
    if sets.is_empty() {
        sets.push(Params::DEFAULT);
    }
    for p in sets {
        let t = std::time::Instant::now();
        let keys: Vec<Keys> = feats.par_iter().map(|f| Keys::of(f, &p)).collect();
        let items: Vec<(u32, &Keys)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (i as u32, k))
            .collect();
        let index = FeatureIndex::build(&items, &p);
        let built = t.elapsed();
        let cand: HashSet<(u32, u32)> = index
            .self_pairs(&keys, &vec![true; keys.len()])
            .into_iter()
            .collect();
        if std::env::var("PROBE_VOTES").is_ok() {
            // Votes of each positive (both directions, best) and its rank; the best
            // unrelated vote per query.
            let all: Vec<Vec<pairproof::catalogue::words::Vote>> = keys
                .par_iter()
                .enumerate()
                .map(|(i, k)| index.votes(k, Some(i as u32)))
                .collect();
            let mut neg_best = Vec::new();
            for (i, v) in all.iter().enumerate() {
                let b = v
                    .iter()
                    .filter(|v| source[v.image as usize] != source[i])
                    .map(|v| v.best())
                    .max()
                    .unwrap_or(0);
                neg_best.push(b);
            }
            neg_best.sort_unstable();
            let q = |p: f64| neg_best[((neg_best.len() - 1) as f64 * p) as usize];
            println!(
                "  best unrelated votes per query: p50 {} p90 {} p99 {} max {}",
                q(0.5),
                q(0.9),
                q(0.99),
                q(1.0)
            );
            for (c, o, e) in &pairs {
                if e == "collage_2x2" || e == "screenshot" {
                    let f = |a: u32, b: u32| {
                        all[a as usize]
                            .iter()
                            .position(|v| v.image == b)
                            .map(|r| (r, all[a as usize][r].best()))
                    };
                    println!(
                        "    {e} copy→orig {:?} orig→copy {:?} (copy feats {})",
                        f(*c, *o),
                        f(*o, *c),
                        feats[*c as usize].descriptors.len()
                    );
                    if std::env::var("PROBE_TOP").is_ok() {
                        for v in all[*c as usize].iter().take(8) {
                            println!(
                                "        {} {:.1} {}/{}",
                                paths[v.image as usize], v.score, v.direct, v.mirrored
                            );
                        }
                    }
                }
            }
        }
        let total = t.elapsed();
        let unrelated = cand
            .iter()
            .filter(|(a, b)| source[*a as usize] != source[*b as usize])
            .count();
        let mut per: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
        for ((c, o, e), v) in pairs.iter().zip(&verified) {
            let found = cand.contains(&((*c).min(*o), (*c).max(*o)));
            let r = per.entry(e.as_str()).or_default();
            r[0] += 1;
            r[1] += *v as usize;
            r[2] += found as usize;
            r[3] += (found && *v) as usize;
        }
        println!(
            "{p:?}\n  index {:.1} KB/image, build {built:?}, all queries {total:?}; {} candidate pairs ({:.1}/image), {} across sources",
            index.bytes() as f64 / 1024.0 / feats.len() as f64,
            cand.len(),
            2.0 * cand.len() as f64 / feats.len() as f64,
            unrelated
        );
        println!("  | edit | pairs | verified | retrieved | retrieved & verified / verified |");
        let mut all = [0; 4];
        for (e, r) in &per {
            println!(
                "  | {e} | {} | {} | {} | {:.0} % |",
                r[0],
                r[1],
                r[2],
                100.0 * r[3] as f64 / r[1].max(1) as f64
            );
            for k in 0..4 {
                all[k] += r[k];
            }
        }
        println!(
            "  | all | {} | {} | {} | {:.1} % |",
            all[0],
            all[1],
            all[2],
            100.0 * all[3] as f64 / all[1].max(1) as f64
        );
    }
}
