//! Milvus backend against a real server (cargo feature `milvus`; the embedded Milvus 2.3.5
//! from PyPI, started by tests/milvus/run.sh, which sets MILVUS_ADDR). ≥ 20 000 fingerprints
//! with planted near-duplicates: every planted neighbour is found (recall 100 %) and every
//! result list equals a brute-force radius search, distances included. Then a whole scan and a
//! match through Milvus (hashes and local descriptors) give the same groups and matches as the
//! in-memory backend, planted collage, heavy crop and screenshot copies included.
#![cfg(feature = "milvus")]
mod common;

use std::path::Path;
use std::time::Instant;

use pairproof::catalogue::milvus::{Hit, Index, Target, Vector};
use pairproof::catalogue::scan::{self, Backend, ScanOptions};

fn addr() -> String {
    std::env::var("MILVUS_ADDR").unwrap_or_else(|_| {
        panic!("MILVUS_ADDR is not set: run `bash tests/milvus/run.sh` (starts the embedded server and this test)")
    })
}

fn target(name: &str) -> Target {
    format!("milvus://{}/{name}_{}", addr(), std::process::id())
        .parse()
        .unwrap()
}

/// Random hashes from the tests' seeded generator.
struct Rng(common::cases::Rng);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn hash(&mut self) -> [u8; 32] {
        let mut h = [0u8; 32];
        for c in h.chunks_mut(8) {
            c.copy_from_slice(&self.next().to_le_bytes());
        }
        h
    }
    /// `h` with exactly `d` distinct bits flipped.
    fn near(&mut self, h: &[u8; 32], d: u32) -> [u8; 32] {
        let mut out = *h;
        let mut flipped = std::collections::BTreeSet::new();
        while flipped.len() < d as usize {
            flipped.insert((self.next() % 256) as usize);
        }
        for b in flipped {
            out[b / 8] ^= 1 << (b % 8);
        }
        out
    }
}

fn hamming(a: &[u8; 32], b: &[u8; 32]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

fn brute(stored: &[Vector], q: &[u8; 32], kinds: &[u8], radius: u32) -> Vec<Hit> {
    let mut v: Vec<Hit> = stored
        .iter()
        .filter(|s| kinds.contains(&s.kind))
        .map(|s| Hit {
            distance: hamming(&s.hash, q),
            content: s.content,
            kind: s.kind,
        })
        .filter(|h| h.distance <= radius)
        .collect();
    v.sort_unstable();
    v
}

struct Dropper<'a>(&'a Index);
impl Drop for Dropper<'_> {
    fn drop(&mut self) {
        let _ = self.0.drop_collection();
    }
}

#[test]
fn twenty_thousand_fingerprints_recall_and_distances_equal_brute_force() {
    let mut rng = Rng(common::cases::Rng::new(7));
    let n = 20_000i64;
    // Contents 1..=n: a PDQ view (kind 0) each; every fourth also a canonical view (kind 1);
    // every second a window pair (kinds 2, 3).
    let mut stored = Vec::new();
    for c in 1..=n {
        let content = c * 7919; // spread ids; low bits are replaced by the kind in the key
        stored.push(Vector {
            content,
            kind: 0,
            hash: rng.hash(),
        });
        if c % 4 == 0 {
            stored.push(Vector {
                content,
                kind: 1,
                hash: rng.hash(),
            });
        }
        if c % 2 == 0 {
            stored.push(Vector {
                content,
                kind: 2,
                hash: rng.hash(),
            });
            stored.push(Vector {
                content,
                kind: 3,
                hash: rng.hash(),
            });
        }
    }
    // A tight cluster of 300 views around one hash: more neighbours than the first top-k.
    let centre = rng.hash();
    for c in 0..300i64 {
        let hash = rng.near(&centre, (c % 12) as u32);
        stored.push(Vector {
            content: (n + 1 + c) * 7919,
            kind: 0,
            hash,
        });
    }
    assert!(stored.len() >= 20_000);

    let t = target("pp_recall");
    let index = Index::connect(&t).unwrap();
    let _drop = Dropper(&index);
    let t0 = Instant::now();
    index.upsert(&stored).unwrap();
    let insert_s = t0.elapsed().as_secs_f64();
    assert_eq!(index.count().unwrap() as usize, stored.len());
    // Upserting again changes nothing (keys are content + kind).
    index.upsert(&stored[..1000]).unwrap();
    assert_eq!(index.count().unwrap() as usize, stored.len());

    // Planted queries: a stored vector with 0..=38 (views) or 0..=64 (windows) bits changed,
    // one just outside each radius, random queries, and the cluster centre.
    let mut planted: Vec<([u8; 32], i64, u8, u32)> = Vec::new();
    for k in 0..600usize {
        let s = stored[(rng.next() as usize) % (n as usize)];
        let radius = if s.kind < 2 { 38 } else { 64 };
        let d = if k % 50 == 0 {
            radius + 1
        } else {
            (rng.next() % (radius as u64 + 1)) as u32
        };
        planted.push((rng.near(&s.hash, d), s.content, s.kind, d));
    }
    let mut q_views: Vec<[u8; 32]> = planted.iter().filter(|p| p.2 < 2).map(|p| p.0).collect();
    let q_windows: Vec<[u8; 32]> = planted.iter().filter(|p| p.2 >= 2).map(|p| p.0).collect();
    for _ in 0..100 {
        q_views.push(rng.hash());
    }
    q_views.push(centre);

    let t1 = Instant::now();
    let got_views = index.within(&q_views, &[0, 1], 38).unwrap();
    let got_windows = index.within(&q_windows, &[2, 3], 64).unwrap();
    let query_s = t1.elapsed().as_secs_f64();
    for (q, got) in q_views.iter().zip(&got_views) {
        assert_eq!(got, &brute(&stored, q, &[0, 1], 38), "view query");
    }
    for (q, got) in q_windows.iter().zip(&got_windows) {
        assert_eq!(got, &brute(&stored, q, &[2, 3], 64), "window query");
    }
    let cluster = got_views.last().unwrap();
    assert!(
        cluster.len() >= 300,
        "top-k widened past its first 64: {}",
        cluster.len()
    );
    // Recall of the planted neighbours.
    let (mut found, mut expected) = (0, 0);
    let views = planted.iter().filter(|p| p.2 < 2).zip(&got_views);
    let windows = planted.iter().filter(|p| p.2 >= 2).zip(&got_windows);
    for (p, got) in views.chain(windows) {
        let radius = if p.2 < 2 { 38 } else { 64 };
        if p.3 <= radius {
            expected += 1;
            let hit = |h: &Hit| h.content == p.1 && h.kind == p.2 && h.distance == p.3;
            found += got.iter().any(hit) as usize;
        }
    }
    assert_eq!(found, expected, "recall 100 %");
    let queries = q_views.len() + q_windows.len();
    eprintln!(
        "milvus: {} vectors upserted in {insert_s:.2} s ({:.0}/s); {queries} radius queries in {query_s:.2} s ({:.0}/s); planted recall {found}/{expected}",
        stored.len(),
        stored.len() as f64 / insert_s,
        queries as f64 / query_s
    );
}

fn save(img: &image::RgbImage, path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    img.save(path).unwrap();
}

/// Originals p1–p5 and a real photo (the shoe fixture), and their copies: mirrors and 30 %
/// crops (found by the hash tiers), and what only local features retrieve — the shoe in a 2 × 2
/// collage with three pictures found nowhere else and shrunk into a phone-screenshot-like
/// frame, p5 cropped to 36 % of its area.
fn plant(root: &Path) {
    use image::{imageops, Rgb, RgbImage};
    let mut originals = Vec::new();
    for seed in 1..=5u64 {
        let img = common::cases::scene(480 + 40 * seed as u32, 400, seed);
        save(&img, &root.join(format!("p{seed}.png")));
        originals.push(img);
    }
    for (i, img) in originals.iter().enumerate().take(3) {
        let seed = i + 1;
        save(
            &imageops::flip_horizontal(img),
            &root.join(format!("copies/p{seed}_mirror.png")),
        );
        // 30 % of the area cut away: found by the window tier.
        let (w, h) = img.dimensions();
        let crop = imageops::crop_imm(img, w / 6, 0, w - w / 6, h * 5 / 6).to_image();
        save(&crop, &root.join(format!("copies/p{seed}_crop.png")));
    }
    let shoe = image::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/shoe-main.jpg"))
        .unwrap()
        .to_rgb8();
    save(&shoe, &root.join("shoe.png"));
    // 2 × 2 collage: the shoe in the top left quarter.
    let mut collage = RgbImage::from_pixel(800, 800, Rgb([255, 255, 255]));
    let tiles = [
        shoe.clone(),
        common::cases::scene(500, 420, 21),
        common::cases::scene(520, 400, 22),
        common::cases::scene(480, 440, 23),
    ];
    for (k, t) in tiles.iter().enumerate() {
        let r = imageops::resize(t, 396, 396, imageops::FilterType::Triangle);
        imageops::replace(&mut collage, &r, (k as i64 % 2) * 404, (k as i64 / 2) * 404);
    }
    save(&collage, &root.join("copies/shoe_collage.png"));
    // The shoe at 60 % size in a tall grey frame with a coloured bar (a screenshot's chrome).
    let mut shot = RgbImage::from_pixel(720, 1280, Rgb([236, 236, 240]));
    for y in 0..110 {
        for x in 0..720 {
            shot.put_pixel(x, y, Rgb([230, 60, 40]));
        }
    }
    let (w, h) = shoe.dimensions();
    let small = imageops::resize(&shoe, 680, 680 * h / w, imageops::FilterType::Triangle);
    imageops::replace(&mut shot, &small, 20, 220);
    save(&shot, &root.join("copies/shoe_screenshot.png"));
    // 60 % × 60 % of p5, off centre.
    let (w, h) = originals[4].dimensions();
    let heavy = imageops::crop_imm(&originals[4], w / 3, h / 8, w * 6 / 10, h * 6 / 10).to_image();
    save(&heavy, &root.join("copies/p5_heavy_crop.png"));
}

#[test]
fn scan_and_match_through_milvus_find_what_memory_finds() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("shop");
    plant(&root);
    let run = |cat: &str, backend: Backend| {
        let mut o = ScanOptions::new(vec![root.clone()]);
        o.backend = backend;
        scan::scan(&t.path().join(cat), &o, &|_| {}).unwrap()
    };
    let memory = run("m.sqlite", Backend::Memory);
    let tg = target("pp_scan");
    let milvus = run("v.sqlite", Backend::Milvus(tg.to_string()));
    let _drop = Dropper(&Index::connect_local(&tg).unwrap());
    let groups = |r: &scan::ScanReport| -> Vec<Vec<String>> {
        r.groups
            .iter()
            .map(|g| {
                let mut m: Vec<String> = g
                    .members
                    .iter()
                    .map(|m| {
                        let p = Path::new(&m.path);
                        p.file_name().unwrap().to_string_lossy().into_owned()
                    })
                    .collect();
                m.sort();
                m
            })
            .collect()
    };
    let expected: Vec<Vec<String>> = vec![
        vec!["p1.png", "p1_crop.png", "p1_mirror.png"],
        vec!["p2.png", "p2_crop.png", "p2_mirror.png"],
        vec!["p3.png", "p3_crop.png", "p3_mirror.png"],
        vec!["p5.png", "p5_heavy_crop.png"],
        vec!["shoe.png", "shoe_collage.png", "shoe_screenshot.png"],
    ]
    .into_iter()
    .map(|g| g.into_iter().map(String::from).collect())
    .collect();
    let sorted = |mut g: Vec<Vec<String>>| {
        g.sort();
        g
    };
    assert_eq!(sorted(groups(&memory)), expected);
    assert_eq!(sorted(groups(&milvus)), expected);
    // Through Milvus by hashes only, the copies that need local features are missed: the
    // descriptor collection found them above, not a memory fallback.
    let hashes_only = {
        let mut o = ScanOptions::new(vec![root.clone()]);
        o.backend = Backend::Milvus(tg.to_string());
        o.partial = false;
        scan::scan(&t.path().join("h.sqlite"), &o, &|_| {}).unwrap()
    };
    let found: Vec<String> = groups(&hashes_only).concat();
    for name in [
        "shoe_collage.png",
        "shoe_screenshot.png",
        "p5_heavy_crop.png",
    ] {
        assert!(!found.contains(&name.to_string()), "{name}: {found:?}");
    }
    for (q, want) in [
        ("copies/p2_crop.png", "p2.png"),
        ("copies/shoe_collage.png", "shoe.png"),
        ("copies/shoe_screenshot.png", "shoe.png"),
        ("copies/p5_heavy_crop.png", "p5.png"),
    ] {
        let q = root.join(q);
        let m = |cat: &str, backend: Backend| {
            scan::match_image(
                &t.path().join(cat),
                &q,
                0.85,
                &Default::default(),
                &backend,
                true,
            )
            .unwrap()
        };
        let names = |m: &scan::MatchReport| {
            m.matches
                .iter()
                .map(|h| {
                    Path::new(&h.path)
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect::<Vec<_>>()
        };
        let m1 = names(&m("m.sqlite", Backend::Memory));
        let m2 = names(&m("v.sqlite", Backend::Milvus(tg.to_string())));
        assert!(m1.contains(&want.to_string()), "{q:?}: {m1:?}");
        assert_eq!(m2, m1, "{q:?}");
    }
}
