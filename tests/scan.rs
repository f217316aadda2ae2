//! `scan` and `match`: grouping, problems, incremental re-scans, renames, reference folders,
//! "not a copy" decisions, locking, and a killed-and-resumed scan.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use image::RgbImage;
use pairproof::catalogue::scan::{self, ScanOptions, ScanReport};
use pairproof::catalogue::store::{Catalogue, UserDecision};
use pairproof::matching;

fn save(img: &RgbImage, path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    img.save(path).unwrap();
}

fn crop(img: &RgbImage, x: u32, y: u32, w: u32, h: u32) -> RgbImage {
    image::imageops::crop_imm(img, x, y, w, h).to_image()
}

fn brighter(img: &RgbImage) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = (*c as f32 * 1.12 + 6.0).min(255.0) as u8;
        }
    }
    out
}

/// A small shop: two photos with copies, two unrelated photos, one broken file, one text file,
/// one symbolic link. Returns the folder and the expected groups (file names).
fn shop(dir: &Path) -> Vec<Vec<&'static str>> {
    let a = common::cases::scene(640, 480, 1);
    let b = common::cases::scene(600, 600, 2);
    save(&a, &dir.join("a.png"));
    save(
        &image::imageops::flip_horizontal(&a),
        &dir.join("copies/a_mirror.png"),
    );
    // 35 % of the area removed, anchored at the right edge.
    save(
        &crop(&a, 124, 30, 516, 386),
        &dir.join("copies/a_crop35.png"),
    );
    save(&b, &dir.join("b.png"));
    std::fs::write(dir.join("b_q80.jpg"), common::bad::jpeg(&b, 80)).unwrap();
    save(&brighter(&b), &dir.join("copies/b_bright.png"));
    save(&common::cases::scene(640, 480, 3), &dir.join("c.png"));
    save(&common::cases::scene(500, 700, 4), &dir.join("d.png"));
    let png = common::bad::png(&common::cases::scene(200, 200, 5));
    std::fs::write(dir.join("broken.png"), &png[..png.len() / 2]).unwrap();
    std::fs::write(dir.join("notes.txt"), "not an image").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("a.png"), dir.join("link.png")).unwrap();
    vec![
        vec!["a.png", "copies/a_crop35.png", "copies/a_mirror.png"],
        vec!["b.png", "b_q80.jpg", "copies/b_bright.png"],
    ]
}

fn names(r: &ScanReport, root: &Path) -> Vec<Vec<String>> {
    let root = std::fs::canonicalize(root).unwrap();
    r.groups
        .iter()
        .map(|g| {
            g.members
                .iter()
                .map(|m| {
                    Path::new(&m.path)
                        .strip_prefix(&root)
                        .unwrap()
                        .display()
                        .to_string()
                })
                .collect()
        })
        .collect()
}

fn run(cat: &Path, roots: &[PathBuf]) -> ScanReport {
    scan::scan(cat, &ScanOptions::new(roots.to_vec()), &|_| {}).unwrap()
}

#[test]
fn pairs_already_joined_through_whole_copies_are_not_verified_and_groups_do_not_change() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    let expected = shop(&dir);
    let fast = run(&t.path().join("fast.sqlite"), std::slice::from_ref(&dir));
    let mut opts = ScanOptions::new(vec![dir.clone()]);
    opts.every_pair = true;
    let all = scan::scan(&t.path().join("all.sqlite"), &opts, &|_| {}).unwrap();
    assert_eq!(names(&fast, &dir), expected);
    assert_eq!(names(&all, &dir), expected);
    let pairs = |r: &ScanReport| -> Vec<Vec<(String, String, f64)>> {
        r.groups
            .iter()
            .map(|g| {
                g.pairs
                    .iter()
                    .map(|p| (p.a.clone(), p.b.clone(), p.similarity))
                    .collect()
            })
            .collect()
    };
    let (fast_pairs, all_pairs) = (pairs(&fast), pairs(&all));
    // Each group of three is three copy pairs when every pair is verified; by default the
    // pairs listed still join every member (a spanning set), with the same scores.
    assert_eq!(all_pairs.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3]);
    for (g, (fast_g, all_g)) in fast.groups.iter().zip(fast_pairs.iter().zip(&all_pairs)) {
        for p in fast_g {
            assert!(all_g.contains(p), "same scores: {p:?}");
        }
        let mut joined: Vec<&str> = vec![g.members[0].path.as_str()];
        for _ in 0..g.members.len() {
            for (a, b, _) in fast_g {
                if joined.contains(&a.as_str()) != joined.contains(&b.as_str()) {
                    joined.push(if joined.contains(&a.as_str()) { b } else { a });
                }
            }
        }
        assert_eq!(
            joined.len(),
            g.members.len(),
            "{fast_g:?} join every member"
        );
    }
    assert!(fast.stats.duplicate_pairs < all.stats.duplicate_pairs);
    assert_eq!(fast.stats.candidate_pairs, all.stats.candidate_pairs);
}

#[test]
fn scan_groups_copies_lists_problems_and_scores_like_compare() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    let expected = shop(&dir);
    let cat = t.path().join("cat.sqlite");
    let r = run(&cat, std::slice::from_ref(&dir));
    assert_eq!(names(&r, &dir), expected);
    assert_eq!(r.schema, "pairproof.scan/3");
    assert_eq!(r.stats.images, 9, "eight pictures and the broken file");
    assert_eq!(r.stats.analysed, 8);
    assert_eq!(r.stats.unreadable, 1);
    assert_eq!(r.stats.ignored_non_images, 1, "notes.txt");
    let codes: Vec<(&str, String)> = r
        .problems
        .iter()
        .map(|p| {
            (
                p.code.as_str(),
                Path::new(&p.path)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            ("E_DECODE_TRUNCATED", "broken.png".to_string()),
            ("W_SYMLINK_NOT_FOLLOWED", "link.png".to_string())
        ]
    );
    // Every reported pair scores what `compare` scores for the same two files.
    for g in &r.groups {
        for p in &g.pairs {
            assert!(p.similarity >= 0.85);
            let la = matching::hash_file(Path::new(&p.a), &Default::default());
            let lb = matching::hash_file(Path::new(&p.b), &Default::default());
            let line = matching::compare_hashed(&la, &lb, Path::new(&p.a), Path::new(&p.b));
            assert_eq!(line.similarity, p.similarity, "{} vs {}", p.a, p.b);
        }
    }
    let mirror = r.groups[0]
        .pairs
        .iter()
        .find(|p| p.b.ends_with("a_mirror.png"))
        .expect("the mirrored copy is paired directly with its original");
    assert!(mirror.mirrored && mirror.verified);
}

#[test]
fn rescans_are_incremental_renames_are_not_reanalysed_and_vanished_files_go() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    let expected = shop(&dir);
    let cat = t.path().join("cat.sqlite");
    let first = run(&cat, std::slice::from_ref(&dir));
    let again = run(&cat, std::slice::from_ref(&dir));
    assert_eq!(again.stats.analysed, 0);
    assert_eq!(again.stats.reused_unchanged, 8);
    assert_eq!(
        again.stats.unreadable, 1,
        "the broken file's error is cached, not re-decoded"
    );
    assert_eq!(again.groups, first.groups);
    assert_eq!(again.problems, first.problems);

    std::fs::create_dir_all(dir.join("moved")).unwrap();
    std::fs::rename(
        dir.join("copies/a_mirror.png"),
        dir.join("moved/a_flipped.png"),
    )
    .unwrap();
    std::fs::remove_file(dir.join("c.png")).unwrap();
    let r = run(&cat, std::slice::from_ref(&dir));
    assert_eq!(
        r.stats.analysed, 0,
        "a renamed file is recognised by its content"
    );
    assert_eq!(r.stats.reused_by_content, 1);
    assert_eq!(
        r.stats.removed_vanished, 2,
        "old name of the moved file, and c.png"
    );
    let mut want = expected;
    want[0] = vec!["a.png", "copies/a_crop35.png", "moved/a_flipped.png"];
    assert_eq!(names(&r, &dir), want);
    let c = Catalogue::open(&cat).unwrap();
    assert!(!c
        .files()
        .unwrap()
        .iter()
        .any(|(p, _)| p.ends_with("/c.png")));
}

#[test]
fn a_vanished_root_keeps_its_entries() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    shop(&dir);
    let cat = t.path().join("cat.sqlite");
    run(&cat, std::slice::from_ref(&dir));
    let before = Catalogue::open(&cat).unwrap().files().unwrap().len();
    std::fs::rename(&dir, t.path().join("unmounted")).unwrap();
    let r = run(&cat, std::slice::from_ref(&dir));
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].code, "E_IO_NOT_FOUND");
    assert_eq!(
        Catalogue::open(&cat).unwrap().files().unwrap().len(),
        before
    );
}

#[test]
fn reference_folders_and_not_a_copy_decisions_are_respected() {
    let t = tempfile::tempdir().unwrap();
    let refdir = t.path().join("originals");
    let shopdir = t.path().join("shop");
    let a = common::cases::scene(640, 480, 11);
    // Two versions of the same photo among the originals: not reported by themselves.
    save(&a, &refdir.join("a.png"));
    save(&brighter(&a), &refdir.join("a_edit.png"));
    save(&common::cases::scene(640, 480, 12), &refdir.join("b.png"));
    save(
        &common::cases::scene(640, 480, 13),
        &shopdir.join("own.png"),
    );
    let cat = t.path().join("cat.sqlite");
    let mut opts = ScanOptions::new(vec![shopdir.clone()]);
    opts.reference = vec![refdir.clone()];
    let r = scan::scan(&cat, &opts, &|_| {}).unwrap();
    assert!(r.groups.is_empty(), "{:?}", r.groups);
    // A stolen copy in the shop is reported with its original marked as the reference.
    save(
        &image::imageops::flip_horizontal(&a),
        &shopdir.join("listing.png"),
    );
    let r = scan::scan(
        &cat,
        &ScanOptions::new(vec![shopdir.clone(), refdir.clone()]),
        &|_| {},
    )
    .unwrap();
    assert_eq!(
        r.groups.len(),
        1,
        "reference roots are remembered by the catalogue"
    );
    let refs: Vec<bool> = r.groups[0].members.iter().map(|m| m.reference).collect();
    assert_eq!(refs, vec![true, true, false]);
    // The seller marks the listing as "not a copy" of both originals: the group goes.
    let listing = std::fs::canonicalize(shopdir.join("listing.png")).unwrap();
    {
        let mut c = Catalogue::open(&cat).unwrap();
        c.batch(|b| {
            for o in ["a.png", "a_edit.png"] {
                let o = std::fs::canonicalize(refdir.join(o)).unwrap();
                b.add_decision(&UserDecision::not_a_copy(
                    &listing.display().to_string(),
                    &o.display().to_string(),
                ))?;
            }
            Ok(())
        })
        .unwrap();
    }
    let r = scan::scan(&cat, &ScanOptions::new(vec![shopdir, refdir]), &|_| {}).unwrap();
    assert!(r.groups.is_empty(), "{:?}", r.groups);
}

#[test]
fn match_finds_every_copy_of_one_photo() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    shop(&dir);
    let cat = t.path().join("cat.sqlite");
    run(&cat, std::slice::from_ref(&dir));
    let q = t.path().join("query.jpg");
    std::fs::write(
        &q,
        common::bad::jpeg(&common::cases::scene(640, 480, 1), 90),
    )
    .unwrap();
    let m = scan::match_image(
        &cat,
        &q,
        0.85,
        &Default::default(),
        &Default::default(),
        false,
    )
    .unwrap();
    let mut found: Vec<String> = m
        .matches
        .iter()
        .map(|h| {
            Path::new(&h.path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    found.sort();
    assert_eq!(found, vec!["a.png", "a_crop35.png", "a_mirror.png"]);
    assert!(m
        .matches
        .windows(2)
        .all(|w| w[0].score.similarity >= w[1].score.similarity));
    let none = t.path().join("other.png");
    save(&common::cases::scene(640, 480, 99), &none);
    assert!(scan::match_image(
        &cat,
        &none,
        0.85,
        &Default::default(),
        &Default::default(),
        false
    )
    .unwrap()
    .matches
    .is_empty());
}

#[test]
fn a_second_scan_of_the_same_catalogue_is_refused_at_once() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    std::fs::create_dir_all(&dir).unwrap();
    let cat = t.path().join("cat.sqlite");
    let _held = pairproof::catalogue::lock::ScanLock::acquire(&cat).unwrap();
    let e = scan::scan(&cat, &ScanOptions::new(vec![dir]), &|_| {}).unwrap_err();
    assert_eq!(e.code(), "E_CATALOGUE_LOCKED");
}

/// The binary, speaking English whatever the machine's locale (these tests read its words).
fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pairproof"));
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    c
}

fn groups_json(cat: &Path, dir: &Path) -> (serde_json::Value, i32) {
    let out = bin()
        .args(["scan", "--format", "json", "--catalogue"])
        .arg(cat)
        .arg(dir)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (doc["groups"].clone(), out.status.code().unwrap_or(-1))
}

/// SIGKILL a scan at several points (small batches so every kill lands mid-scan), resume, and
/// compare with an uninterrupted run: same catalogue rows, same groups.
#[test]
fn a_killed_scan_resumes_to_the_same_catalogue_and_groups() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    for k in 0..24u64 {
        let img = common::cases::scene(900, 700, 100 + k);
        save(&img, &dir.join(format!("p{k:02}.png")));
        if k % 4 == 0 {
            save(
                &image::imageops::flip_horizontal(&img),
                &dir.join(format!("p{k:02}_m.png")),
            );
        }
    }
    let clean = t.path().join("clean.sqlite");
    let started = std::time::Instant::now();
    let (want, code) = groups_json(&clean, &dir);
    let full = started.elapsed();
    assert_eq!(code, 1);
    assert_eq!(want.as_array().unwrap().len(), 6);

    let cat = t.path().join("killed.sqlite");
    let mut kills = 0;
    // Kill times as shares of an uninterrupted scan (process start included): fixed delays from
    // 150 ms on stopped landing once a scan of these 30 images took under 300 ms on a fast core.
    // Each resumed scan has less left to do, so the shares grow slowly.
    for share in [0.05, 0.1, 0.2, 0.3, 0.4, 0.55, 0.7, 0.9] {
        let delay = full.mul_f64(share);
        let mut child = bin()
            .args([
                "scan",
                "--batch-files",
                "2",
                "--format",
                "json",
                "--catalogue",
            ])
            .arg(&cat)
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL on Unix
            kills += 1;
        }
        child.wait().unwrap();
    }
    assert!(
        kills >= 2,
        "the test must actually interrupt scans ({kills})"
    );
    let (got, code) = groups_json(&cat, &dir);
    assert_eq!(code, 1);
    assert_eq!(got, want);
    let a = Catalogue::open(&clean).unwrap().export_lines().unwrap();
    let b = Catalogue::open(&cat).unwrap().export_lines().unwrap();
    assert_eq!(a, b);
}

#[test]
fn cli_formats_and_exit_codes() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    shop(&dir);
    std::fs::remove_file(dir.join("broken.png")).unwrap();
    let cat = t.path().join("cat.sqlite");
    let go = |fmt: &str| {
        let o = bin()
            .args(["scan", "--format", fmt, "--catalogue"])
            .arg(&cat)
            .arg(&dir)
            .output()
            .unwrap();
        (String::from_utf8(o.stdout).unwrap(), o.status.code())
    };
    let (text, code) = go("text");
    assert_eq!(code, Some(1), "duplicates found");
    assert!(
        text.starts_with("2 group(s) of near-duplicates at or above 85.0 %"),
        "{text}"
    );
    let (jsonl, _) = go("jsonl");
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let schemas: Vec<&str> = lines
        .iter()
        .map(|l| l["schema"].as_str().unwrap())
        .collect();
    assert_eq!(
        schemas,
        [
            "pairproof.scan-group/3",
            "pairproof.scan-group/3",
            "pairproof.scan-problem/1",
            "pairproof.scan-summary/1"
        ]
    );
    let (csv, _) = go("csv");
    assert_eq!(csv.lines().filter(|l| l.starts_with("member,")).count(), 6);
    assert!(csv
        .lines()
        .any(|l| l.starts_with("problem,") && l.contains("W_SYMLINK_NOT_FOLLOWED")));
    // Nothing alike: exit 0.
    let lone = t.path().join("lone");
    save(&common::cases::scene(300, 300, 77), &lone.join("x.png"));
    let o = bin()
        .args(["scan", "--catalogue"])
        .arg(&cat)
        .arg(&lone)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    // Unreadable file: exit 2, listed.
    std::fs::write(lone.join("bad.jpg"), b"\xff\xd8\xff\xe0 truncated").unwrap();
    let o = bin()
        .args(["scan", "--catalogue"])
        .arg(&cat)
        .arg(&lone)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.jpg"));
    // match through the binary.
    let o = bin()
        .args(["match", "--format", "json", "--catalogue"])
        .arg(&cat)
        .arg(dir.join("b.png"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["schema"], "pairproof.match/1");
    // Its two copies; the catalogued query file itself is not its own copy.
    let found: Vec<&str> = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["path"].as_str().unwrap())
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|p| !p.ends_with("/b.png")), "{found:?}");
}

fn many_images(dir: &Path, n: u64) {
    for k in 0..n {
        save(
            &common::cases::scene(700, 500, 300 + k),
            &dir.join(format!("q{k:02}.png")),
        );
    }
}

/// Fault row 7 with `--wait`: the second scan waits for the first and then completes.
#[test]
fn a_second_scan_with_wait_runs_after_the_first() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    many_images(&dir, 6);
    let cat = t.path().join("cat.sqlite");
    let held = pairproof::catalogue::lock::ScanLock::acquire(&cat).unwrap();
    let mut child = bin()
        .args(["scan", "--wait", "--format", "json", "--catalogue"])
        .arg(&cat)
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(
        child.try_wait().unwrap().is_none(),
        "it waits while the lock is held"
    );
    drop(held);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["stats"]["analysed"], 6);
}

/// Fault row 8: `match` reads the last committed state while a scan writes.
#[test]
fn match_works_while_a_scan_is_writing() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    many_images(&dir, 16);
    let cat = t.path().join("cat.sqlite");
    // A first, complete scan so the catalogue exists; then a rescan of a grown folder.
    run(&cat, std::slice::from_ref(&dir));
    for k in 16..30u64 {
        save(
            &common::cases::scene(900, 700, 300 + k),
            &dir.join(format!("q{k:02}.png")),
        );
    }
    let mut child = bin()
        .args([
            "scan",
            "--batch-files",
            "1",
            "--format",
            "json",
            "--catalogue",
        ])
        .arg(&cat)
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // A copy of a catalogued photo, from outside the catalogue.
    let q = t.path().join("query.png");
    save(
        &image::imageops::flip_horizontal(&common::cases::scene(700, 500, 303)),
        &q,
    );
    let mut queries = 0;
    while child.try_wait().unwrap().is_none() {
        let m = scan::match_image(
            &cat,
            &q,
            0.85,
            &Default::default(),
            &Default::default(),
            false,
        )
        .unwrap();
        assert!(m.matches.iter().any(|h| h.path.ends_with("q03.png")));
        queries += 1;
    }
    assert!(queries >= 1);
    assert!(child.wait().unwrap().success());
}

/// Fault row 4: the file size limit is hit while the catalogue grows (EFBIG; SIGXFSZ ignored
/// as a shell trap, which survives exec). The scan stops with a clean catalogue error (exit 2),
/// and the catalogue still opens, passes its check, and keeps every committed batch.
#[test]
fn a_full_disk_stops_the_scan_cleanly_and_keeps_committed_work() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    many_images(&dir, 12);
    let cat = t.path().join("cat.sqlite");
    // ulimit -f counts 1024-byte blocks: 250 KiB per file holds a few records (≈ 23 KB each).
    let script = format!(
        "trap '' XFSZ; ulimit -f 250; exec '{}' scan --batch-files 2 --catalogue '{}' '{}'",
        env!("CARGO_BIN_EXE_pairproof"),
        cat.display(),
        dir.display()
    );
    let o = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("E_CATALOGUE_IO") || err.contains("E_CATALOGUE"),
        "{err}"
    );
    let c = Catalogue::open(&cat).expect("the catalogue still opens and passes quick_check");
    let committed = c.fingerprint_count().unwrap();
    assert!(committed >= 2, "earlier batches survive ({committed})");
    assert!(committed < 12);
    // With room again, the scan resumes and finishes.
    let r = run(&cat, std::slice::from_ref(&dir));
    assert_eq!(r.stats.analysed as u64, 12 - committed);
}

/// Fault row 6: a damaged catalogue is detected, and `catalogue rebuild` exports the user
/// decisions before touching anything, then starts afresh with them; the next scan recomputes.
#[test]
fn a_corrupt_catalogue_is_rebuilt_with_its_decisions() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    let expected = shop(&dir);
    let refdir = t.path().join("originals");
    save(&common::cases::scene(300, 300, 70), &refdir.join("own.png"));
    let cat = t.path().join("cat.sqlite");
    let mut opts = ScanOptions::new(vec![dir.clone()]);
    opts.reference = vec![refdir.clone()];
    scan::scan(&cat, &opts, &|_| {}).unwrap();
    {
        let mut c = Catalogue::open(&cat).unwrap();
        c.batch(|b| b.add_decision(&UserDecision::not_a_copy("/x/1.jpg", "/x/2.jpg")))
            .unwrap();
    }
    // Overwrite the root page of the fingerprints table with garbage (structural damage).
    let (root, page_size): (i64, i64) = {
        let conn = rusqlite::Connection::open(&cat).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        (
            conn.query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'fingerprints'",
                [],
                |r| r.get(0),
            )
            .unwrap(),
            conn.query_row("PRAGMA page_size", [], |r| r.get(0))
                .unwrap(),
        )
    };
    let mut bytes = std::fs::read(&cat).unwrap();
    let at = ((root - 1) * page_size) as usize;
    for (i, b) in bytes[at..at + page_size as usize].iter_mut().enumerate() {
        *b = (i * 37 % 251) as u8;
    }
    std::fs::write(&cat, &bytes).unwrap();
    assert_eq!(
        Catalogue::open(&cat).err().map(|e| e.code().as_str()),
        Some("E_CATALOGUE_CORRUPT")
    );
    let e = scan::scan(&cat, &ScanOptions::new(vec![dir.clone()]), &|_| {}).unwrap_err();
    assert_eq!(e.code(), "E_CATALOGUE_CORRUPT");

    let o = bin()
        .args(["catalogue", "rebuild", "--catalogue"])
        .arg(&cat)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["decisions"], 2);
    let export: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(doc["decisions_export"].as_str().unwrap()).unwrap())
            .unwrap();
    assert_eq!(export.len(), 2);
    assert_eq!(export[1]["kind"], "not_a_copy");
    assert!(
        Path::new(doc["old_catalogue"].as_str().unwrap()).exists(),
        "old file kept"
    );
    let c = Catalogue::open(&cat).unwrap();
    assert_eq!(c.decisions().unwrap().len(), 2);
    assert_eq!(c.fingerprint_count().unwrap(), 0);
    drop(c);
    // The reference root is still remembered (and so walked again: references stay in force
    // until removed); the next scan recomputes and groups as before.
    let r = run(&cat, std::slice::from_ref(&dir));
    assert_eq!(
        r.stats.analysed,
        8 + 1,
        "the shop and the remembered reference folder"
    );
    assert_eq!(names(&r, &dir), expected);
    assert_eq!(
        r.reference_roots.len(),
        0,
        "none given on this command line"
    );
}

/// Rows 28 and 32: symbolic-link loops, self-links and dangling links are listed once each and
/// never followed; a hard link is the same file, scanned once and not its own duplicate.
#[test]
fn links_loops_and_hard_links() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    save(
        &common::cases::scene(300, 200, 90),
        &dir.join("a/photo.png"),
    );
    std::os::unix::fs::symlink("..", dir.join("a/loop")).unwrap();
    std::os::unix::fs::symlink("self", dir.join("self")).unwrap();
    std::os::unix::fs::symlink("missing.png", dir.join("dangling.png")).unwrap();
    std::fs::hard_link(dir.join("a/photo.png"), dir.join("b-hardlink.png")).unwrap();
    let cat = t.path().join("cat.sqlite");
    let r = run(&cat, std::slice::from_ref(&dir));
    assert!(
        r.groups.is_empty(),
        "a hard link is not a duplicate: {:?}",
        r.groups
    );
    let got: Vec<(String, String)> = r
        .problems
        .iter()
        .map(|p| {
            (
                p.code.to_string(),
                Path::new(&p.path)
                    .strip_prefix(std::fs::canonicalize(&dir).unwrap())
                    .unwrap()
                    .display()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("W_SYMLINK_NOT_FOLLOWED".to_string(), "a/loop".to_string()),
            ("W_SAME_FILE".to_string(), "b-hardlink.png".to_string()),
            (
                "W_SYMLINK_NOT_FOLLOWED".to_string(),
                "dangling.png".to_string()
            ),
            ("W_SYMLINK_NOT_FOLLOWED".to_string(), "self".to_string()),
        ]
    );
    assert_eq!(r.stats.images, 1);
}

/// `--isolate`: the same groups as in-process analysis; a worker that runs out of its memory
/// limit gives `E_WORKER_FAILED` for that file (not cached), and the scan goes on.
#[test]
fn isolated_scan_matches_in_process_and_contains_workers_that_fail() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    let expected = shop(&dir);
    let go = |cat: &Path, extra: &[&str]| {
        let o = bin()
            .args(["scan", "--format", "json", "--isolate"])
            .args(extra)
            .arg("--catalogue")
            .arg(cat)
            .arg(&dir)
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (o.status.code(), doc)
    };
    // Three large photos beside the shop's small ones (640×480 at most): under a limit between
    // the two sizes the large ones fail on an allocation and the small ones are analysed. The
    // gap between the sizes (≥ 17 MB of decoded pixels and planes per large photo) is far wider
    // than the limit ladder's 2-MiB step, so the ladder does not depend on how large the
    // binary's own mappings are (the step from "every file fails" to "none does" for the small
    // photos alone was under 2 MiB wide, and moved with every dependency linked in).
    let large = ["large1.png", "large2.png", "large3.png"];
    for (k, name) in large.iter().enumerate() {
        save(
            &common::cases::scene(2400, 2400, 70 + k as u64),
            &dir.join(name),
        );
    }
    let files = 8 + large.len();
    let mut chosen = None;
    for mib in (16..=160).step_by(2) {
        // A fresh catalogue each time: what one attempt analysed would be reused by the next.
        let cat = t.path().join(format!("cat-{mib}.sqlite"));
        let (code, doc) = go(&cat, &["--isolate-memory-mib", &mib.to_string()]);
        let failed: Vec<serde_json::Value> = doc["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["code"] == "E_WORKER_FAILED")
            .cloned()
            .collect();
        let on_allocation = failed
            .iter()
            .all(|f| f["message"].as_str().unwrap().contains("memory allocation"));
        let large_fail = large.iter().all(|n| {
            failed
                .iter()
                .any(|f| f["path"].as_str().unwrap().ends_with(n))
        });
        if large_fail && failed.len() < files && on_allocation {
            assert_eq!(code, Some(2));
            chosen = Some((cat, doc, failed));
            break;
        }
    }
    let (cat, doc, failed) =
        chosen.expect("a limit makes the large photos fail on an allocation, not the small ones");
    assert_eq!(doc["stats"]["analysed"], (files - failed.len()) as u64);
    // Default limits: the rest analysed in workers (failures were not cached), groups as
    // in-process.
    let (_, doc) = go(&cat, &[]);
    assert_eq!(doc["stats"]["analysed"], failed.len() as u64);
    let r = run(&t.path().join("plain.sqlite"), std::slice::from_ref(&dir));
    assert_eq!(names(&r, &dir), expected);
    assert_eq!(doc["groups"].as_array().unwrap().len(), 2);
    let plain = serde_json::to_value(&r.groups).unwrap();
    assert_eq!(doc["groups"], plain, "identical scores and groups");
}

fn integrity_ok(cat: &Path) -> bool {
    let conn = rusqlite::Connection::open(cat).unwrap();
    let r: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    r == "ok"
}

fn small_shop(dir: &Path, n: u64) {
    for k in 0..n {
        let img = common::cases::scene(200, 150, 900 + k);
        save(&img, &dir.join(format!("s{k:02}.png")));
        if k % 5 == 0 {
            save(
                &image::imageops::flip_horizontal(&img),
                &dir.join(format!("s{k:02}_m.png")),
            );
        }
    }
}

fn faulted_scan(cat: &Path, dir: &Path, fault: &str, batch: &str) -> std::process::ExitStatus {
    bin()
        .env("PAIRPROOF_FAULT", fault)
        .args([
            "scan",
            "--batch-files",
            batch,
            "--format",
            "json",
            "--catalogue",
        ])
        .arg(cat)
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap()
}

/// Fault row 1: SIGKILL at 100 random points of a scan (the process kills itself after its Nth
/// file, N random); after every kill the catalogue opens and passes `integrity_check`; the
/// resumed result equals an uninterrupted run's catalogue export and groups.
#[test]
fn sigkill_at_100_random_points_then_resume() {
    use std::os::unix::process::ExitStatusExt;
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    small_shop(&dir, 30);
    let clean = t.path().join("clean.sqlite");
    let (want, _) = groups_json(&clean, &dir);
    let cat = t.path().join("cat.sqlite");
    let mut rng = common::cases::Rng::new(20261123);
    let mut kills = 0;
    for _ in 0..100 {
        let n = 1 + (rng.next_u64() % 36);
        let st = faulted_scan(&cat, &dir, &format!("after_file:{n}"), "3");
        if st.signal() == Some(9) {
            kills += 1;
        }
        assert!(integrity_ok(&cat));
        assert!(Catalogue::open(&cat).is_ok());
    }
    assert!(kills >= 50, "most runs must really die mid-scan ({kills})");
    let (got, _) = groups_json(&cat, &dir);
    assert_eq!(got, want);
    assert_eq!(
        Catalogue::open(&cat).unwrap().export_lines().unwrap(),
        Catalogue::open(&clean).unwrap().export_lines().unwrap()
    );
}

/// Fault row 2: SIGKILL inside a transaction, after its writes and before its commit: the batch
/// is entirely absent, earlier batches entirely present, the file passes `integrity_check`,
/// and a resumed scan completes to the uninterrupted result.
#[test]
fn sigkill_inside_a_commit_leaves_the_batch_out_entirely() {
    use std::os::unix::process::ExitStatusExt;
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    small_shop(&dir, 12);
    let clean = t.path().join("clean.sqlite");
    let (want, _) = groups_json(&clean, &dir);
    for k in 1..=4u64 {
        let cat = t.path().join(format!("cat{k}.sqlite"));
        let st = faulted_scan(&cat, &dir, &format!("before_commit:{k}"), "4");
        assert_eq!(st.signal(), Some(9));
        assert!(integrity_ok(&cat));
        let files = Catalogue::open(&cat).unwrap().files().unwrap().len() as u64;
        assert_eq!(
            files,
            (k - 1) * 4,
            "batches before the {k}th committed, the {k}th absent"
        );
        let (got, _) = groups_json(&cat, &dir);
        assert_eq!(got, want);
    }
}

/// Bad-input row 26: a file that changes while it is read is listed `W_UNSTABLE_FILE`, not
/// catalogued, and read again by the next scan.
#[test]
fn a_file_changing_during_the_scan_is_not_catalogued() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    small_shop(&dir, 3);
    let cat = t.path().join("cat.sqlite");
    let o = bin()
        .env("PAIRPROOF_FAULT", "touch_after_read:4")
        .args(["scan", "--jobs", "1", "--format", "json", "--catalogue"])
        .arg(&cat)
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "a warning, not an error; the mirrored pair is found"
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let unstable: Vec<&serde_json::Value> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["code"] == "W_UNSTABLE_FILE")
        .collect();
    assert_eq!(unstable.len(), 1);
    assert_eq!(doc["stats"]["analysed"], 3);
    let r = run(&cat, std::slice::from_ref(&dir));
    assert_eq!(r.stats.analysed, 1, "the changed file is read again");
    assert!(r.problems.iter().all(|p| p.code != "W_UNSTABLE_FILE"));
}

/// Bad-input row 30: names that are not UTF-8, or hold a newline, a comma or a leading dash,
/// are scanned, keep distinct catalogue keys, and come out escaped (JSON with the exact bytes
/// in `path_bytes_b64`, CSV quoted); `--` passes a dash-led name to `check`.
#[test]
fn awkward_file_names() {
    use std::os::unix::ffi::OsStrExt;
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    let img = common::cases::scene(300, 200, 95);
    let raw = std::ffi::OsStr::from_bytes(b"caf\xe9-latin1.png");
    save(&img, &dir.join(raw));
    save(
        &image::imageops::flip_horizontal(&img),
        &dir.join("new\nline, \"quoted\".png"),
    );
    save(&common::cases::scene(300, 200, 96), &dir.join("-dash.png"));
    let cat = t.path().join("cat.sqlite");
    let r = run(&cat, std::slice::from_ref(&dir));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.groups.len(), 1);
    let m = &r.groups[0].members;
    let latin = m
        .iter()
        .find(|x| x.path_bytes_b64.is_some())
        .expect("the non-UTF-8 name");
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(latin.path_bytes_b64.as_ref().unwrap())
        .unwrap();
    assert!(bytes.ends_with(b"caf\xe9-latin1.png"));
    assert!(latin.path.ends_with("caf\u{FFFD}-latin1.png"));
    // A re-scan finds every file by its exact key (nothing re-analysed, nothing vanished).
    let again = run(&cat, std::slice::from_ref(&dir));
    assert_eq!((again.stats.analysed, again.stats.removed_vanished), (0, 0));
    let o = bin()
        .args(["scan", "--format", "csv", "--catalogue"])
        .arg(&cat)
        .arg(&dir)
        .output()
        .unwrap();
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(csv.contains("line, \"\"quoted\"\".png\""), "{csv}");
    let o = bin()
        .args(["check", "--", "-dash.png", "-dash.png"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_byte_identical_copy_of_a_reference_original_is_flagged_per_path() {
    let t = tempfile::tempdir().unwrap();
    let refdir = t.path().join("originals");
    let shopdir = t.path().join("shop");
    let a = common::cases::scene(640, 480, 21);
    save(&a, &refdir.join("a.png"));
    std::fs::create_dir_all(&shopdir).unwrap();
    std::fs::copy(refdir.join("a.png"), shopdir.join("stolen.png")).unwrap();
    let mut opts = ScanOptions::new(vec![shopdir.clone()]);
    opts.reference = vec![refdir.clone()];
    let r = scan::scan(&t.path().join("c.sqlite"), &opts, &|_| {}).unwrap();
    assert_eq!(r.groups.len(), 1);
    let flags: Vec<(bool, bool)> = r.groups[0]
        .members
        .iter()
        .map(|m| (m.path.contains("/originals/"), m.reference))
        .collect();
    assert_eq!(flags, vec![(true, true), (false, false)]);
}
