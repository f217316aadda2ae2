//! The rest of the catalogue fault matrix and the file-system rows of the bad-input matrix:
//! in-place edits (fault row 10), interrupted scans never dropping rows (12), a read-only
//! catalogue (5) and an unreadable folder (bad-input row 27) as `nobody`, and a folder tree
//! deeper than PATH_MAX (31).
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use pairproof::catalogue::scan::{self, ScanOptions, ScanReport};
use pairproof::catalogue::store::Catalogue;

fn save(img: &image::RgbImage, path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    img.save(path).unwrap();
}

fn run(cat: &Path, dir: &Path) -> ScanReport {
    scan::scan(cat, &ScanOptions::new(vec![dir.to_path_buf()]), &|_| {}).unwrap()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}

/// Run the binary as `nobody` (tests run as root in CI, where permissions do not stop reads): a
/// copy of it in a 0755 temp dir, through util-linux's `setpriv`.
fn as_nobody(dir: &Path, args: &[&std::ffi::OsStr]) -> std::process::Output {
    use std::os::unix::fs::PermissionsExt;
    let exe = dir.join("pairproof");
    if !exe.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_pairproof"), &exe).unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&exe)
        .args(args)
        .output()
        .unwrap()
}

/// Fault row 10: a file rewritten in place with the same size and a modification time that
/// differs only in the nanoseconds is analysed again.
#[test]
fn an_in_place_edit_within_the_same_second_is_seen() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    let f = dir.join("p.png");
    // A PNG with a text chunk: the edit changes the text, so size and pixels stay the same.
    let png = |text: &[u8]| {
        let mut body = b"Comment\0".to_vec();
        body.extend_from_slice(text);
        common::bad::png_insert_after_ihdr(
            &common::bad::png(&common::cases::scene(200, 150, 1)),
            &common::bad::png_chunk(b"tEXt", &body),
        )
    };
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&f, png(b"version 1")).unwrap();
    let cat = t.path().join("cat.sqlite");
    run(&cat, &dir);
    let before = std::fs::metadata(&f).unwrap();
    std::fs::write(&f, png(b"version 2")).unwrap();
    // Restore the old modification time but one nanosecond later.
    use std::os::unix::fs::MetadataExt;
    let (s, ns) = (before.mtime(), before.mtime_nsec());
    let (s, ns) = if ns < 999_999_999 {
        (s, ns + 1)
    } else {
        (s + 1, 0)
    };
    let ok = Command::new("touch")
        .arg("-m")
        .arg("-d")
        .arg(format!("@{s}.{ns:09}"))
        .arg(&f)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let after = std::fs::metadata(&f).unwrap();
    assert_eq!((after.len(), after.mtime()), (before.len(), before.mtime()));
    let r = run(&cat, &dir);
    assert_eq!(
        r.stats.reused_unchanged, 0,
        "the fast path did not trust the old identity"
    );
    assert_eq!(r.stats.analysed, 1, "the edit was noticed");
}

/// Fault row 12: a scan that is killed never removes rows of files that seem gone; only a
/// complete scan of the root does.
#[test]
fn an_interrupted_scan_never_drops_rows() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    for k in 0..10u64 {
        save(
            &common::cases::scene(160, 120, 40 + k),
            &dir.join(format!("p{k}.png")),
        );
    }
    let cat = t.path().join("cat.sqlite");
    run(&cat, &dir);
    for k in 0..3 {
        std::fs::remove_file(dir.join(format!("p{k}.png"))).unwrap();
    }
    let st = Command::new(env!("CARGO_BIN_EXE_pairproof"))
        .env("PAIRPROOF_FAULT", "after_file:5")
        .args(["scan", "--catalogue"])
        .arg(&cat)
        .arg(&dir)
        .status()
        .unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(st.signal(), Some(9));
    assert_eq!(
        Catalogue::open(&cat).unwrap().files().unwrap().len(),
        10,
        "kept"
    );
    let r = run(&cat, &dir);
    assert_eq!(r.stats.removed_vanished, 3);
    assert_eq!(Catalogue::open(&cat).unwrap().files().unwrap().len(), 7);
}

/// Bad-input row 27 (an unreadable folder inside a scanned tree) and fault row 5 (a catalogue
/// the user cannot write), as `nobody`.
#[test]
fn unreadable_folder_and_read_only_catalogue() {
    use std::os::unix::fs::PermissionsExt;
    if !is_root() {
        eprintln!("not root: setpriv cannot switch users; this test needs CI's root");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = t.path().join("shop");
    save(&common::cases::scene(200, 150, 61), &dir.join("open/a.png"));
    save(
        &common::cases::scene(200, 150, 62),
        &dir.join("locked/b.png"),
    );
    for d in [&dir, &dir.join("open")] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(
        dir.join("open/a.png"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    // nobody's own catalogue folder.
    let home = t.path().join("home");
    std::fs::create_dir(&home).unwrap();
    Command::new("chown")
        .arg("65534:65534")
        .arg(&home)
        .status()
        .unwrap();
    let cat = home.join("cat.sqlite");
    let o = as_nobody(
        t.path(),
        &[
            "scan".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            "--catalogue".as_ref(),
            cat.as_os_str(),
            dir.as_os_str(),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let problems: Vec<(String, String)> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().into(),
                p["path"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, "E_IO_PERMISSION");
    assert!(problems[0].1.ends_with("shop/locked"));
    assert_eq!(doc["stats"]["analysed"], 1, "the readable part is scanned");

    // A catalogue nobody cannot write: the scan fails fast and clearly; `match` still reads it.
    let root_cat = t.path().join("root-cat.sqlite");
    let mut opts = ScanOptions::new(vec![dir.join("open")]);
    opts.batch_files = 4;
    scan::scan(&root_cat, &opts, &|_| {}).unwrap();
    std::fs::set_permissions(&root_cat, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = as_nobody(
        t.path(),
        &[
            "scan".as_ref(),
            "--catalogue".as_ref(),
            root_cat.as_os_str(),
            dir.join("open").as_os_str(),
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("E_CATALOGUE") && err.contains("root-cat.sqlite"),
        "{err}"
    );
    let o = as_nobody(
        t.path(),
        &[
            "match".as_ref(),
            "--catalogue".as_ref(),
            root_cat.as_os_str(),
            dir.join("open/a.png").as_os_str(),
        ],
    );
    // Read fine; the only catalogued file like a.png is a.png itself, not its own copy.
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Bad-input row 31: a tree deeper than PATH_MAX. The walk is iterative (no stack overflow);
/// the entry whose path is too long is reported once with its code; the rest is scanned.
#[test]
fn a_tree_deeper_than_path_max() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("shop");
    save(&common::cases::scene(200, 150, 81), &dir.join("top.png"));
    // 200 levels of 24-character names ≈ 5 000 bytes: built with relative `cd`s, since no
    // absolute path that long can be passed to the kernel.
    let script = format!(
        "cd '{}' && for i in $(seq 200); do mkdir level_xxxxxxxxxxxxxxxxx && cd level_xxxxxxxxxxxxxxxxx || exit 1; done",
        dir.display()
    );
    assert!(Command::new("bash")
        .arg("-c")
        .arg(&script)
        .status()
        .unwrap()
        .success());
    let cat = t.path().join("cat.sqlite");
    let r = run(&cat, &dir);
    assert_eq!(r.stats.images, 1);
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert!(
        r.problems[0].code.as_str().starts_with("E_IO"),
        "{:?}",
        r.problems[0]
    );
    let _ = PathBuf::new();
    // Clean up from the inside out (rm -rf cannot take the long path either).
    let cleanup = format!("cd '{}' && rm -rf level_xxxxxxxxxxxxxxxxx", dir.display());
    let _ = Command::new("bash").arg("-c").arg(&cleanup).status();
}
