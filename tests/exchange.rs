//! Fingerprint exchange: `catalogue export` → `catalogue import` round trips (Parquet and JSON
//! lines) give the same groups without re-analysing anything; `hash --manifest` shards made by
//! two processes merge to exactly what one run makes; bad shards are refused whole.
mod common;

use pairproof::fingerprint::ALGORITHM_VERSION;
use std::path::{Path, PathBuf};
use std::process::Command;

use pairproof::catalogue::exchange::{self, Format};
use pairproof::catalogue::scan::{self, ScanOptions, ScanReport};
use pairproof::catalogue::store::Catalogue;

const BIN: &str = env!("CARGO_BIN_EXE_pairproof");

fn save(img: &image::RgbImage, path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    img.save(path).unwrap();
}

/// Eight photos, three of them with copies (mirror, crop, re-encode), in two folders.
fn shop(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for seed in 1..=5u64 {
        let img = common::cases::scene(480 + 40 * seed as u32, 400, seed);
        let p = dir.join(format!("p{seed}.png"));
        save(&img, &p);
        files.push(p);
        if seed <= 3 {
            let c = dir.join(format!("copies/p{seed}_mirror.png"));
            save(&image::imageops::flip_horizontal(&img), &c);
            files.push(c);
            let j = dir.join(format!("copies/p{seed}_q80.jpg"));
            std::fs::write(&j, common::bad::jpeg(&img, 80)).unwrap();
            files.push(j);
        }
    }
    files.sort();
    files
}

fn scan_with(cat: &Path, root: &Path) -> ScanReport {
    scan::scan(cat, &ScanOptions::new(vec![root.to_path_buf()]), &|_| {}).unwrap()
}

fn groups(r: &ScanReport) -> Vec<Vec<String>> {
    r.groups
        .iter()
        .map(|g| g.members.iter().map(|m| m.path.clone()).collect())
        .collect()
}

fn dump(cat: &Path) -> Vec<String> {
    Catalogue::open_read_only(cat)
        .unwrap()
        .export_lines()
        .unwrap()
}

#[test]
fn export_import_round_trip_gives_same_groups_without_reanalysis() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("shop");
    let files = shop(&root);
    let first = scan_with(&t.path().join("a.sqlite"), &root);
    assert_eq!(first.stats.analysed as usize, files.len());
    assert_eq!(first.groups.len(), 3, "{:?}", groups(&first));
    for format in [Format::Parquet, Format::Jsonl] {
        let out = t.path().join(format!("export-{}", format.extension()));
        let a = Catalogue::open_read_only(&t.path().join("a.sqlite")).unwrap();
        let rep = exchange::export(&a, &out, format).unwrap();
        assert_eq!(rep.rows as usize, files.len());
        assert_eq!(rep.contents as usize, files.len());
        let fresh = t.path().join(format!("b-{}.sqlite", format.extension()));
        let mut b = Catalogue::open(&fresh).unwrap();
        let imp = exchange::import(&mut b, std::slice::from_ref(&rep.out)).unwrap();
        assert_eq!(imp.records as usize, files.len());
        drop(b);
        // Same fingerprints and file rows, byte for byte (blobs compared by digest).
        assert_eq!(dump(&fresh), dump(&t.path().join("a.sqlite")));
        let again = scan_with(&fresh, &root);
        assert_eq!(again.stats.analysed, 0, "{format:?}: nothing re-analysed");
        assert_eq!(again.stats.reused_by_content as usize, files.len());
        assert_eq!(groups(&again), groups(&first), "{format:?}");
    }
}

#[test]
fn two_shards_from_two_processes_merge_to_one_run() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("shop");
    let files = shop(&root);
    let list = |name: &str, part: &[PathBuf]| {
        let p = t.path().join(name);
        let text: String = part.iter().map(|f| format!("{}\n", f.display())).collect();
        std::fs::write(&p, format!("# manifest\n{text}\n")).unwrap();
        p
    };
    let (left, right) = files.split_at(files.len() / 2);
    let m1 = list("m1.txt", left);
    let m2 = list("m2.txt", right);
    let all = list("all.txt", &files);
    let spawn = |m: &Path, out: &str| {
        Command::new(BIN)
            .args(["hash", "--manifest"])
            .arg(m)
            .arg("--out")
            .arg(t.path().join(out))
            .env("RAYON_NUM_THREADS", "1")
            .spawn()
            .unwrap()
    };
    // Two processes at once, as two machines of a batch job would.
    let mut p1 = spawn(&m1, "s1.parquet");
    let mut p2 = spawn(&m2, "s2.jsonl");
    assert!(p1.wait().unwrap().success());
    assert!(p2.wait().unwrap().success());
    let single = spawn(&all, "all.parquet").wait_with_output().unwrap();
    assert!(single.status.success());

    let merged = t.path().join("merged.sqlite");
    let out = Command::new(BIN)
        .args(["catalogue", "import", "--catalogue"])
        .arg(&merged)
        .arg(t.path().join("s1.parquet"))
        .arg(t.path().join("s2.jsonl"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "pairproof.import/1");
    assert_eq!(doc["rows"].as_u64().unwrap() as usize, files.len());

    let one = t.path().join("one.sqlite");
    let mut c = Catalogue::open(&one).unwrap();
    exchange::import(&mut c, &[t.path().join("all.parquet")]).unwrap();
    drop(c);
    assert_eq!(dump(&merged), dump(&one));
    // And both equal what a scan computes itself.
    let scanned = t.path().join("scanned.sqlite");
    let direct = scan_with(&scanned, &root);
    assert_eq!(dump(&merged), dump(&scanned));
    let via_shards = scan_with(&merged, &root);
    assert_eq!(via_shards.stats.analysed, 0);
    assert_eq!(groups(&via_shards), groups(&direct));
}

#[test]
fn importing_twice_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("shop");
    shop(&root);
    scan_with(&t.path().join("a.sqlite"), &root);
    let a = Catalogue::open_read_only(&t.path().join("a.sqlite")).unwrap();
    let rep = exchange::export(&a, t.path(), Format::Parquet).unwrap();
    let b = t.path().join("b.sqlite");
    let mut c = Catalogue::open(&b).unwrap();
    exchange::import(&mut c, std::slice::from_ref(&rep.out)).unwrap();
    let once = c.export_lines().unwrap();
    exchange::import(&mut c, std::slice::from_ref(&rep.out)).unwrap();
    assert_eq!(c.export_lines().unwrap(), once);
}

#[test]
fn bad_shards_are_refused_whole_with_codes() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("shop");
    shop(&root);
    scan_with(&t.path().join("a.sqlite"), &root);
    let a = Catalogue::open_read_only(&t.path().join("a.sqlite")).unwrap();
    let pq = exchange::export(&a, &t.path().join("x.parquet"), Format::Parquet).unwrap();
    let jl = exchange::export(&a, &t.path().join("x.jsonl"), Format::Jsonl).unwrap();
    let text = std::fs::read_to_string(&jl.out).unwrap();
    let lines: Vec<&str> = text.lines().collect();

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.parquet",
            {
                let b = std::fs::read(&pq.out).unwrap();
                b[..b.len() / 2].to_vec()
            },
            "E_SHARD_FORMAT",
        ),
        (
            "old.jsonl",
            format!(
                "{}\n{}\n",
                lines[0],
                lines[1].replace(
                    &format!("\"algorithm_version\":{ALGORITHM_VERSION}"),
                    &format!("\"algorithm_version\":{}", ALGORITHM_VERSION - 1),
                )
            )
            .into_bytes(),
            "E_SHARD_VERSION",
        ),
        (
            "bad-hash.jsonl",
            format!(
                "{}\n{}\n",
                lines[0],
                lines[1].replacen(
                    "\"pdq_whole_dihedral\":[\"",
                    "\"pdq_whole_dihedral\":[\"zz",
                    1
                )
            )
            .into_bytes(),
            "E_SHARD_FORMAT",
        ),
        (
            "wrong-id.jsonl",
            format!(
                "{}\n{}\n",
                lines[0],
                lines[1].replacen("\"id\":", "\"id\":1", 1)
            )
            .into_bytes(),
            "E_SHARD_FORMAT",
        ),
        ("text.jsonl", b"hello\n".to_vec(), "E_SHARD_FORMAT"),
    ];
    for (name, bytes, code) in cases {
        let p = t.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let cat = t.path().join(format!("{name}.sqlite"));
        let out = Command::new(BIN)
            .args(["catalogue", "import", "--catalogue"])
            .arg(&cat)
            .arg(&p)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(&format!("error[{code}]")), "{name}: {err}");
        assert!(
            err.contains(name),
            "{name}: the message names the file: {err}"
        );
        // Nothing half-imported: the good first line was rolled back with the bad one.
        assert_eq!(
            Catalogue::open_read_only(&cat)
                .unwrap()
                .fingerprint_count()
                .unwrap(),
            0,
            "{name}"
        );
    }
}

#[test]
fn manifest_with_unreadable_files_reports_them_and_shards_the_rest() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("shop");
    let files = shop(&root);
    std::fs::write(root.join("broken.png"), b"\x89PNG\r\n\x1a\nnope").unwrap();
    let m = t.path().join("m.txt");
    let mut text: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
    text.push_str(&format!(
        "{}\n{}\n",
        root.join("broken.png").display(),
        root.join("missing.jpg").display()
    ));
    std::fs::write(&m, text).unwrap();
    let out = Command::new(BIN)
        .args(["hash", "--manifest"])
        .arg(&m)
        .arg("--out")
        .arg(t.path().join("s.parquet"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "pairproof.shard/1");
    assert_eq!(doc["listed"].as_u64().unwrap() as usize, files.len() + 2);
    assert_eq!(doc["rows"].as_u64().unwrap() as usize, files.len());
    let problems = doc["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2);
    assert!(
        problems
            .iter()
            .any(|p| p["path"].as_str().unwrap().ends_with("missing.jpg")
                && p["code"] == "E_IO_NOT_FOUND"),
        "{problems:?}"
    );
    let mut n = 0;
    exchange::read(&t.path().join("s.parquet"), |rows| {
        n += rows.len();
        Ok(())
    })
    .unwrap();
    assert_eq!(n, files.len());
}

#[test]
fn exchange_error_codes_are_documented() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/errors.md"))
        .unwrap();
    for code in [
        pairproof::Code::ShardIo,
        pairproof::Code::ShardFormat,
        pairproof::Code::ShardVersion,
    ] {
        assert!(
            doc.contains(&format!("`{code}`")),
            "docs/errors.md lacks {code}"
        );
    }
}
