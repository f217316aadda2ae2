//! The catalogue as the store's memory (a scan of B after a scan of A finds copies across
//! them; remembered reference folders; "not a copy" from the CLI), and retrieval by local
//! features (the default; `--hashes-only` turns it off): collages and heavy crops that hashes miss, and no candidate that an
//! exhaustive verification would accept is missing.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use image::RgbImage;
use pairproof::catalogue::decisions::{self, ReferenceChange};
use pairproof::catalogue::scan::{self, ScanOptions, ScanReport};
use pairproof::fingerprint::local;
use pairproof::matching;

fn save(img: &RgbImage, path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    img.save(path).unwrap();
}

/// The binary, speaking English whatever the machine's locale (these tests read its words).
fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pairproof"));
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    c
}

fn scan_with(cat: &Path, roots: &[PathBuf], f: impl FnOnce(&mut ScanOptions)) -> ScanReport {
    let mut o = ScanOptions::new(roots.to_vec());
    f(&mut o);
    scan::scan(cat, &o, &|_| {}).unwrap()
}

/// File names of each group's members.
fn groups(r: &ScanReport) -> Vec<Vec<String>> {
    r.groups
        .iter()
        .map(|g| {
            let mut v: Vec<String> = g
                .members
                .iter()
                .map(|m| {
                    Path::new(&m.path)
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            v.sort();
            v
        })
        .collect()
}

/// A 2×2 collage: `img` scaled into the top-left cell, three other scenes in the rest.
fn collage(img: &RgbImage, seed: u64) -> RgbImage {
    let mut out = RgbImage::from_pixel(800, 800, image::Rgb([255, 255, 255]));
    let cell = |i: &RgbImage| image::imageops::resize(i, 396, 396, image::imageops::Triangle);
    image::imageops::replace(&mut out, &cell(img), 0, 0);
    for (k, (x, y)) in [(404, 0), (0, 404), (404, 404)].into_iter().enumerate() {
        let other = common::cases::scene(500, 500, seed + k as u64);
        image::imageops::replace(&mut out, &cell(&other), x, y);
    }
    out
}

#[test]
fn a_scan_of_b_after_a_finds_copies_across_them_unless_only_roots() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("store"), t.path().join("downloads"));
    let photo = common::cases::scene(640, 480, 11);
    save(&photo, &a.join("photo.png"));
    save(&common::cases::scene(640, 480, 12), &a.join("other.png"));
    save(
        &image::imageops::flip_horizontal(&photo),
        &b.join("stolen.png"),
    );
    save(
        &common::cases::scene(600, 600, 13),
        &b.join("unrelated.png"),
    );
    let cat = t.path().join("cat.sqlite");
    let first = scan_with(&cat, std::slice::from_ref(&a), |_| {});
    assert!(first.groups.is_empty());
    let only = scan_with(&cat, std::slice::from_ref(&b), |o| o.only_roots = true);
    assert!(only.groups.is_empty(), "{:?}", groups(&only));
    assert_eq!(only.stats.remembered, 0);
    let r = scan_with(&cat, std::slice::from_ref(&b), |_| {});
    assert_eq!(groups(&r), vec![vec!["photo.png", "stolen.png"]]);
    assert_eq!(r.stats.remembered, 2, "store/ was compared from memory");
    // A remembered file that is gone is left out and counted.
    std::fs::remove_file(a.join("photo.png")).unwrap();
    let r = scan_with(&cat, std::slice::from_ref(&b), |_| {});
    assert!(r.groups.is_empty());
    assert_eq!(r.stats.remembered_missing, 1);
}

#[test]
fn remembered_references_stay_in_force_until_removed() {
    let t = tempfile::tempdir().unwrap();
    let (own, shop) = (t.path().join("originals"), t.path().join("shop"));
    let photo = common::cases::scene(640, 480, 21);
    save(&photo, &own.join("mine.png"));
    save(
        &image::imageops::flip_horizontal(&photo),
        &own.join("mine_mirror.png"),
    );
    let cat = t.path().join("cat.sqlite");
    let r = decisions::edit_references(&cat, &ReferenceChange::Add(vec![own.clone()])).unwrap();
    assert_eq!(r.references.len(), 1);
    assert_eq!(r.added, r.references);
    // Adding twice records once; a missing folder is an input error.
    let r = decisions::edit_references(&cat, &ReferenceChange::Add(vec![own.clone()])).unwrap();
    assert!(r.added.is_empty());
    let e = decisions::edit_references(&cat, &ReferenceChange::Add(vec![t.path().join("nope")]))
        .unwrap_err();
    assert_eq!(e.code(), "E_IO_NOT_FOUND");
    // The copy in the shop is found without naming the reference folder again; pairs inside
    // the reference folder are not reported.
    save(&photo, &shop.join("listing.png"));
    let r = scan_with(&cat, std::slice::from_ref(&shop), |_| {});
    assert_eq!(
        groups(&r),
        vec![vec!["listing.png", "mine.png", "mine_mirror.png"]]
    );
    for m in &r.groups[0].members {
        assert_eq!(m.reference, !m.path.ends_with("listing.png"), "{m:?}");
    }
    // Through the binary: list, remove.
    let o = bin()
        .args(["catalogue", "references", "list", "--catalogue"])
        .arg(&cat)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["schema"], "pairproof.references/1");
    assert_eq!(doc["references"].as_array().unwrap().len(), 1);
    let o = bin()
        .args(["catalogue", "references", "remove", "--catalogue"])
        .arg(&cat)
        .arg(&own)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["removed"].as_array().unwrap().len(), 1);
    assert!(doc["references"].as_array().unwrap().is_empty());
    // No longer a reference: the three are plain copies of each other now.
    let r = scan_with(&cat, std::slice::from_ref(&shop), |_| {});
    assert!(r.groups[0].members.iter().all(|m| !m.reference));
}

#[test]
fn not_a_copy_from_the_cli_keeps_two_files_apart() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    let photo = common::cases::scene(640, 480, 31);
    save(&photo, &dir.join("a.png"));
    save(
        &image::imageops::flip_horizontal(&photo),
        &dir.join("b.png"),
    );
    let cat = t.path().join("cat.sqlite");
    assert_eq!(
        scan_with(&cat, std::slice::from_ref(&dir), |_| {})
            .groups
            .len(),
        1
    );
    let o = bin()
        .args(["catalogue", "not-a-copy", "--catalogue"])
        .arg(&cat)
        .arg(dir.join("a.png"))
        .arg(dir.join("b.png"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(scan_with(&cat, std::slice::from_ref(&dir), |_| {})
        .groups
        .is_empty());
    // A file that does not exist is a clean input error naming it.
    let o = bin()
        .args(["catalogue", "not-a-copy", "--catalogue"])
        .arg(&cat)
        .arg(dir.join("a.png"))
        .arg(dir.join("missing.png"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("missing.png") && err.contains("E_IO_NOT_FOUND"),
        "{err}"
    );
}

/// A shop with copies hashes cannot find (a 2×2 collage, a 45 % corner crop) beside hash-found
/// copies and unrelated photos.
fn shoe() -> RgbImage {
    image::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/shoe-main.jpg"))
        .unwrap()
        .to_rgb8()
}

fn partial_shop(dir: &Path) {
    let a = shoe();
    let b = common::cases::scene(600, 600, 42);
    save(&a, &dir.join("a.png"));
    save(&b, &dir.join("b.png"));
    save(&collage(&a, 500), &dir.join("a_collage.png"));
    // Keep 55 % of the area, the top-left corner.
    save(
        &image::imageops::crop_imm(&b, 0, 0, 445, 445).to_image(),
        &dir.join("b_corner.png"),
    );
    save(
        &image::imageops::flip_horizontal(&a),
        &dir.join("a_mirror.png"),
    );
    for k in 0..4 {
        save(
            &common::cases::scene(640, 480, 60 + k),
            &dir.join(format!("other{k}.png")),
        );
    }
}

#[test]
fn partial_retrieval_finds_collages_and_heavy_crops() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    partial_shop(&dir);
    let r = scan_with(
        &t.path().join("p.sqlite"),
        std::slice::from_ref(&dir),
        |o| o.partial = true,
    );
    assert_eq!(
        groups(&r),
        vec![
            vec!["a.png", "a_collage.png", "a_mirror.png"],
            vec!["b.png", "b_corner.png"],
        ]
    );
    // The default is the same; by hashes only (`--hashes-only`) the collage is missed.
    let d = scan_with(
        &t.path().join("d.sqlite"),
        std::slice::from_ref(&dir),
        |_| {},
    );
    assert_eq!(groups(&d), groups(&r));
    let r = scan_with(
        &t.path().join("h.sqlite"),
        std::slice::from_ref(&dir),
        |o| o.partial = false,
    );
    assert!(
        groups(&r).iter().flatten().all(|n| n != "a_collage.png"),
        "{:?}",
        groups(&r)
    );
}

/// Every pair that exhaustive verification (`matching::score` over all pairs, the definition of
/// a copy) accepts is a candidate of the partial scan: the index loses nothing the verifier
/// would keep on this set.
#[test]
fn partial_candidates_cover_every_pair_exhaustive_verification_accepts() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    partial_shop(&dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::canonicalize(e.unwrap().path()).unwrap())
        .collect();
    files.sort();
    let hashed: Vec<matching::Hashed> = files
        .iter()
        .map(|p| matching::hash_file(p, &Default::default()).unwrap())
        .collect();
    let mut accepted = Vec::new();
    for i in 0..hashed.len() {
        for j in i + 1..hashed.len() {
            let s = matching::score(
                &hashed[i].fingerprint,
                &hashed[i].features,
                &hashed[j].fingerprint,
                &hashed[j].features,
            )
            .similarity;
            if s >= 0.85 {
                accepted.push((
                    files[i].display().to_string(),
                    files[j].display().to_string(),
                ));
            }
        }
    }
    assert!(accepted.len() >= 4, "{accepted:?}");
    let r = scan_with(
        &t.path().join("p.sqlite"),
        std::slice::from_ref(&dir),
        |o| {
            o.partial = true;
            // Report every scored candidate, so the report lists the candidates.
            o.min_similarity = 0.0;
        },
    );
    let scored: std::collections::BTreeSet<(String, String)> = r
        .groups
        .iter()
        .flat_map(|g| g.pairs.iter().map(|p| (p.a.clone(), p.b.clone())))
        .collect();
    for p in &accepted {
        assert!(scored.contains(p), "{p:?} missing from {scored:?}");
    }
}

/// The shipped fixtures: a default scan groups the stolen copy (a crop inside a new frame) and
/// the far-away shot with the main photo.
#[test]
fn fixtures_scan_groups_the_stolen_copy_with_the_main_photo() {
    let t = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let r = scan_with(
        &t.path().join("f.sqlite"),
        std::slice::from_ref(&fixtures),
        |_| {},
    );
    let g = groups(&r)
        .into_iter()
        .find(|g| g.iter().any(|n| n == "shoe-main.jpg"))
        .expect("a group with shoe-main.jpg");
    for n in ["shoe-stolen-copy.jpg", "shoe-far-away.jpg"] {
        assert!(g.iter().any(|m| m == n), "{n} not in {g:?}");
    }
}

/// Photometric agreement: 1 for a copy inside a collage, low for a different photo in the same
/// frame (shared border, different picture inside).
#[test]
fn photometric_agreement_tells_a_shared_frame_from_a_shared_photo() {
    let a = shoe();
    let fa = local::features(&a);
    let c = local::features(&collage(&a, 800));
    let v = local::verify_any(&fa, &c);
    assert!(v.verified(), "{v:?}");
    assert!(v.agreement > 0.9, "{v:?}");
    // Two different photos inside the same thick patterned frame.
    let frame = |inner: &RgbImage| {
        let mut out = common::cases::scene(800, 600, 99);
        let small = image::imageops::resize(inner, 400, 300, image::imageops::Triangle);
        image::imageops::replace(&mut out, &small, 200, 150);
        out
    };
    let f1 = local::features(&frame(&common::cases::scene(640, 480, 72)));
    let f2 = local::features(&frame(&common::cases::scene(640, 480, 73)));
    let v = local::verify_any(&f1, &f2);
    assert!(v.transform.is_some(), "{v:?}");
    assert!(v.agreement < 0.9, "{v:?}");
}

/// An app screenshot: the same header and footer bands (a status bar, buttons) around `photo`.
fn screenshot(photo: &RgbImage) -> RgbImage {
    let mut out = common::cases::scene(600, 650, 99);
    let inner = image::imageops::resize(photo, 600, 450, image::imageops::Triangle);
    image::imageops::replace(&mut out, &inner, 0, 100);
    out
}

/// Two screenshots of different photos in the same app share only the app's chrome: verified
/// geometry on a part of both, so not a copy (similarity below 0.85) and the report says how
/// much of each is shared; the photo itself is a copy of its screenshot.
#[test]
fn a_shared_frame_is_not_a_copy_but_the_photo_inside_is() {
    let (p1, p2) = (
        common::cases::scene(640, 480, 72),
        common::cases::scene(640, 480, 73),
    );
    let (s1, s2) = (screenshot(&p1), screenshot(&p2));
    let f = |i: &RgbImage| local::features(i);
    let v = local::verify_any(&f(&s1), &f(&s2));
    assert!(v.verified(), "the chrome alone verifies: {v:?}");
    assert!(!v.holds_a_whole(), "{v:?}");
    // Header and footer are 31 % of each image (two of its eight grid rows); with the
    // neighbouring rows counted (the dilation that tolerates sparse inliers), four to five
    // rows: well under `MIN_COVER`.
    assert!(v.region.cover_a < 0.7 && v.region.cover_b < 0.7, "{v:?}");
    let t = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = ["s1.png", "s2.png", "p1.png"]
        .iter()
        .map(|n| t.path().join(n))
        .collect();
    save(&s1, &paths[0]);
    save(&s2, &paths[1]);
    save(&p1, &paths[2]);
    let h: Vec<matching::Hashed> = paths
        .iter()
        .map(|p| matching::hash_file(p, &Default::default()).unwrap())
        .collect();
    let score = |a: &matching::Hashed, b: &matching::Hashed| {
        let s = matching::score(&a.fingerprint, &a.features, &b.fingerprint, &b.features);
        (s.similarity, s.hash, s.verification)
    };
    let (s, _, v) = score(&h[0], &h[1]);
    assert!(
        (pairproof::fingerprint::SHARED_PART_FLOOR..0.85).contains(&s),
        "{s} {v:?}"
    );
    let (s, _, v) = score(&h[2], &h[0]);
    assert!(s > 0.85 && v.holds_a_whole(), "{s} {v:?}");
    assert!(
        v.region.cover_a > 0.9,
        "all of the photo is in its screenshot: {v:?}"
    );
}

/// A 1×2 collage of two products is a copy of each, but the two products are not copies of
/// each other: it is in two groups, one per product, and they are not joined through it.
#[test]
fn a_collage_is_in_each_products_group_without_joining_them() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    let a = shoe();
    let b = common::cases::scene(600, 600, 42);
    let mut side = RgbImage::from_pixel(1000, 500, image::Rgb([255, 255, 255]));
    let half = |i: &RgbImage| image::imageops::resize(i, 496, 496, image::imageops::Triangle);
    image::imageops::replace(&mut side, &half(&a), 0, 2);
    image::imageops::replace(&mut side, &half(&b), 504, 2);
    save(&a, &dir.join("a.png"));
    save(&b, &dir.join("b.png"));
    save(&side, &dir.join("ab_collage.png"));
    save(&common::cases::scene(640, 480, 61), &dir.join("other.png"));
    let r = scan_with(
        &t.path().join("c.sqlite"),
        std::slice::from_ref(&dir),
        |o| o.partial = true,
    );
    assert_eq!(
        groups(&r),
        vec![
            vec!["a.png", "ab_collage.png"],
            vec!["ab_collage.png", "b.png"],
        ]
    );
}
