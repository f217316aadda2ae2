//! The real binary, in temp dirs: exit codes (0 pass / 1 rule failed / 2 usage or input error),
//! stdout JSON with schema names, stderr diagnostics naming file and code, heatmap truth images.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary, speaking English whatever the machine's locale (these tests read its words).
fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pairproof"));
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    c
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("binary runs");
    (
        status.code().expect("exited normally"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {s}"))
}

#[test]
fn check_passing_pair_exits_0_with_schema() {
    let (code, out, _) = run(bin()
        .args(["check", "--format", "json"])
        .arg(fixture("shoe-main.jpg"))
        .arg(fixture("shoe-hidden.jpg")));
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["schema"], "pairproof.check/1");
    assert_eq!(v["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["band"], "pass");
    assert!(v["ssim"]["luma"].as_f64().unwrap() > 0.99);
}

#[test]
fn promo_main_with_clean_hidden_passes_and_lists_regions() {
    // The platform's intended pair (issue 13): overlays on the main, the clean photo as the
    // hidden image. SSIM 0.926 passes the 0.92 gate (at risk), the product is the same.
    let (code, out, _) = run(bin()
        .args(["check", "--format", "json"])
        .arg(fixture("shoe-main-promo.jpg"))
        .arg(fixture("shoe-hidden.jpg")));
    assert_eq!(code, 0, "{out}");
    let v = json(&out);
    assert_eq!(v["verdict"], "warn");
    let finding = |id: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"))
            .clone()
    };
    assert_eq!(finding("subject.overlap")["status"], "pass");
    let main = finding("overlay.main");
    assert_eq!(main["reason"], "overlays_allowed_on_main");
    let places: Vec<&str> = main["boxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["place"].as_str().unwrap())
        .collect();
    assert!(
        places.contains(&"bottom") && places.contains(&"top_right"),
        "{places:?}"
    );
    let regions = v["regions"]
        .as_array()
        .expect("regions listed for a pair that is not a clear pass");
    // The red banner painted by generate.py spans the full width at the bottom (rows 870–999).
    let r = &regions[0];
    assert!(
        r["width"].as_u64().unwrap() > 900 && r["y"].as_u64().unwrap() > 800,
        "{r}"
    );
}

#[test]
fn check_text_output_gives_verdict_margin_and_fixes() {
    let (code, out, _) = run(bin()
        .arg("check")
        .arg(fixture("shoe-main.jpg"))
        .arg(fixture("shoe-hidden-grey.jpg")));
    assert_eq!(code, 1);
    assert!(out.starts_with("FAIL"), "{out}");
    assert!(out.contains("margin"), "{out}");
    assert!(out.contains("fix: use the same background colour"), "{out}");
}

#[test]
fn input_errors_exit_2_and_name_file_and_code() {
    let (code, out, err) = run(bin()
        .args(["check", "--format", "json"])
        .arg(fixture("shoe-main.jpg"))
        .arg(fixture("bad/truncated.jpg")));
    assert_eq!(code, 2);
    assert!(
        err.contains("E_DECODE_TRUNCATED") && err.contains("truncated.jpg"),
        "{err}"
    );
    assert_eq!(json(&out)["errors"][0]["code"], "E_DECODE_TRUNCATED");
    let (code, _, err) = run(bin().arg("lint").arg(fixture("bad/empty.jpg")));
    assert_eq!(code, 2);
    assert!(err.contains("E_FILE_EMPTY"), "{err}");
    let (code, _, err) = run(bin().arg("lint").arg(fixture("bad/bomb.png")));
    assert_eq!(code, 2);
    assert!(err.contains("E_LIMIT_PIXELS"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, _) = run(bin().args(["check", "only-one.jpg"]));
    assert_eq!(code, 2);
    let (code, _, _) = run(bin().arg("frobnicate"));
    assert_eq!(code, 2);
}

#[test]
fn lint_json_and_exit_codes() {
    let (code, out, _) = run(bin()
        .args(["lint", "--format", "json"])
        .arg(fixture("shoe-main.jpg")));
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["schema"], "pairproof.lint/1");
    // 190 KB at JPEG q92: under the 500 KB recommendation but sharp, so no warning (issue 13)
    assert_eq!(v["results"][0]["verdict"], "pass");
    let (code, out, _) = run(bin()
        .args(["lint", "--format", "json"])
        .arg(fixture("shoe-small-600.jpg")));
    assert_eq!(code, 1, "{out}");
    let (code, _, _) = run(bin().arg("lint").arg(fixture("shoe-small-600.jpg")));
    assert_eq!(code, 1);
    // A batch with one bad file: every file processed, worst wins.
    let (code, out, _) = run(bin()
        .args(["lint", "--format", "json"])
        .arg(fixture("shoe-main.jpg"))
        .arg(fixture("bad/not-an-image.jpg"))
        .arg(fixture("shoe-small-600.jpg")));
    assert_eq!(code, 2);
    let v = json(&out);
    assert_eq!(v["results"].as_array().unwrap().len(), 2);
    assert_eq!(v["errors"][0]["code"], "E_FORMAT_UNRECOGNIZED");
    let (code, _, _) = run(bin()
        .args(["lint", "--profile", "live-cover"])
        .arg(fixture("live-cover.jpg")));
    assert_eq!(code, 0);
}

#[test]
fn strip_writes_a_clean_copy() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(bin()
        .args(["strip", "--format", "json", "--out"])
        .arg(dir.path())
        .arg(fixture("shoe-hidden-gps.jpg")));
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["schema"], "pairproof.strip/1");
    assert_eq!(v["results"][0]["pixels_identical"], true);
    let cleaned = dir.path().join("shoe-hidden-gps.jpg");
    let (code, out, _) = run(bin()
        .args(["check", "--format", "json"])
        .arg(fixture("shoe-main.jpg"))
        .arg(&cleaned));
    assert_eq!(code, 0, "{out}");
}

#[test]
fn batch_dir_processes_every_pair_and_worst_wins() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("shoe-main.jpg"), d.join("A1_main.jpg")).unwrap();
    std::fs::copy(fixture("shoe-hidden.jpg"), d.join("A1_hidden.jpg")).unwrap();
    std::fs::copy(fixture("shoe-main.jpg"), d.join("B2_main.jpg")).unwrap();
    std::fs::copy(fixture("shoe-hidden-grey.jpg"), d.join("B2_hidden.jpg")).unwrap();
    let (code, out, _) = run(bin().args(["check", "--format", "json", "--dir"]).arg(d));
    assert_eq!(code, 1);
    let lines: Vec<serde_json::Value> = out.lines().map(json).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["verdict"], "pass");
    assert_eq!(lines[1]["verdict"], "fail");
    assert_eq!(lines[2]["schema"], "pairproof.check-summary/2");
    assert_eq!(lines[2]["exit_code"], 1);
    std::fs::write(d.join("C3_hidden.jpg"), b"").unwrap();
    std::fs::copy(fixture("shoe-main.jpg"), d.join("C3_main.jpg")).unwrap();
    std::fs::copy(fixture("shoe-main.jpg"), d.join("D4_main.jpg")).unwrap();
    let (code, out, err) = run(bin().args(["check", "--format", "json", "--dir"]).arg(d));
    assert_eq!(code, 2);
    assert_eq!(out.lines().count(), 4, "three pairs + summary");
    assert!(
        err.contains("E_PAIR_INCOMPLETE") && err.contains("D4"),
        "{err}"
    );
    let csv = d.join("list.csv");
    std::fs::write(&csv, "main,hidden\nA1_main.jpg,A1_hidden.jpg\n").unwrap();
    let (code, out, _) = run(bin().args(["check", "--pairs"]).arg(&csv));
    assert_eq!(code, 0, "{out}");
}

/// Heatmap pictures pinned by truth PNGs; `REGENERATE=1 cargo test --test cli` rewrites them.
#[test]
fn heatmaps_match_truth_images() {
    let dir = tempfile::tempdir().unwrap();
    for (main, blend, truth) in [
        ("shoe-main-promo.jpg", false, "heatmap-promo.png"),
        ("shoe-main.jpg", true, "heatmap-logo-blend.png"),
    ] {
        let out = dir.path().join(truth);
        let mut cmd = bin();
        cmd.arg("check")
            .arg(fixture(main))
            .arg(fixture("shoe-hidden.jpg"))
            .arg("--heatmap")
            .arg(&out);
        if blend {
            cmd.arg("--heatmap-blend");
        }
        let (code, _, err) = run(&mut cmd);
        assert!(code <= 1, "{err}");
        let truth_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/truth")
            .join(truth);
        if std::env::var_os("REGENERATE").is_some() {
            std::fs::copy(&out, &truth_path).unwrap();
            continue;
        }
        let got = image::open(&out).unwrap().to_rgb8();
        let want = image::open(&truth_path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with REGENERATE=1)", truth_path.display()))
            .to_rgb8();
        assert_eq!(got.dimensions(), want.dimensions());
        // Exact match expected; allow 1 level for float rounding differences across CPUs' SIMD paths.
        let worst = got
            .as_raw()
            .iter()
            .zip(want.as_raw())
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap_or(0);
        assert!(
            worst <= 1,
            "{truth}: differs by up to {worst} levels from the truth image"
        );
    }
}

/// A reader that goes away (`| head`) must not make the binary panic.
#[test]
fn closed_stdout_is_not_a_panic() {
    use std::process::Stdio;
    let imgs: Vec<PathBuf> = (0..30).map(|_| fixture("shoe-hidden.jpg")).collect();
    let mut child = bin()
        .arg("hash")
        .args(&imgs)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // close the read end before the child writes
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(out.status.code(), Some(101));
}

#[test]
fn hash_compare_and_compare_batch() {
    let (code, out, _) = run(bin()
        .arg("hash")
        .arg(fixture("shoe-hidden.jpg"))
        .arg(fixture("bad/empty.jpg")));
    assert_eq!(code, 2, "one unreadable file");
    let lines: Vec<serde_json::Value> = out.lines().map(json).collect();
    assert_eq!(lines[0]["schema"], "pairproof.hash/1");
    assert_eq!(
        lines[0]["fingerprint"]["whole"]["hashes"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    assert_eq!(lines[1]["error"]["code"], "E_FILE_EMPTY");

    let dir = tempfile::tempdir().unwrap();
    let mirrored = dir.path().join("mirror.png");
    image::imageops::flip_horizontal(&image::open(fixture("shoe-hidden.jpg")).unwrap().to_rgb8())
        .save(&mirrored)
        .unwrap();
    let (code, out, _) = run(bin()
        .args(["compare", "--format", "json"])
        .arg(fixture("shoe-hidden.jpg"))
        .arg(&mirrored));
    assert_eq!(code, 1, "a mirrored copy is a copy: {out}");
    let v = json(&out);
    assert_eq!(v["schema"], "pairproof.compare/1");
    assert!(v["similarity"].as_f64().unwrap() > 0.95, "{v}");

    let tsv = dir.path().join("pairs.tsv");
    std::fs::write(
        &tsv,
        format!(
            "{}\t{}\n{}\t{}\n",
            fixture("shoe-hidden.jpg").display(),
            mirrored.display(),
            fixture("shoe-hidden.jpg").display(),
            fixture("live-cover.jpg").display()
        ),
    )
    .unwrap();
    let (code, out, _) = run(bin()
        .args(["compare-batch", "--format", "jsonl", "--pairs"])
        .arg(&tsv));
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out.lines().map(json).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["similarity"].as_f64().unwrap() > 0.95);
    assert!(lines[1]["a"].as_str().unwrap().ends_with("shoe-hidden.jpg"));
}

#[test]
fn compare_says_what_the_copy_changed() {
    // The stolen copy: mirrored, cropped, brightness ×1.08 then saturation ×1.25 (fixtures/
    // generate.py), so chroma grows ×1.35 where nothing clips; JPEG q85 and the white
    // background's clipping at 255 move it, hence 20–45 %.
    let (code, out, _) = run(bin()
        .args(["compare", "--format", "json"])
        .arg(fixture("shoe-main.jpg"))
        .arg(fixture("shoe-stolen-copy.jpg")));
    assert_eq!(code, 1, "{out}");
    let c = &json(&out)["change"];
    let sat = c["saturation_pct"].as_f64().expect("saturation");
    assert!((20.0..=45.0).contains(&sat), "{c}");
    // no hue edit (5°: JPEG's chroma quantisation)
    assert!(
        c["hue_shift_deg"].as_f64().expect("hue").abs() <= 5.0,
        "{c}"
    );
    assert_eq!(c["grayscale"], false, "{c}");
    assert!(c["overlay_share"].as_f64().expect("share") <= 0.05, "{c}");
    // The banner and price tag pasted on the same photo: the share drawn over is the share of
    // pixels that moved by more than 30 levels, read here directly (same frame, no alignment);
    // 16-px blocks on the overlay's edges count whole, hence ±0.03.
    let a = image::open(fixture("shoe-hidden.jpg"))
        .expect("fixture")
        .to_rgb8();
    let b = image::open(fixture("shoe-hidden-banner.jpg"))
        .expect("fixture")
        .to_rgb8();
    let moved = a
        .pixels()
        .zip(b.pixels())
        .filter(|(p, q)| {
            (0..3)
                .map(|k| (p.0[k] as f64 - q.0[k] as f64).powi(2))
                .sum::<f64>()
                .sqrt()
                > 30.0
        })
        .count() as f64
        / (a.width() * a.height()) as f64;
    let (code, out, _) = run(bin()
        .args(["compare", "--format", "json"])
        .arg(fixture("shoe-hidden.jpg"))
        .arg(fixture("shoe-hidden-banner.jpg")));
    assert_eq!(code, 1, "{out}");
    let share = json(&out)["change"]["overlay_share"]
        .as_f64()
        .expect("share");
    assert!(
        (share - moved).abs() <= 0.03,
        "share {share}, moved {moved}"
    );
    // and the text says it in words
    let (_, text, _) = run(bin()
        .arg("compare")
        .arg(fixture("shoe-main.jpg"))
        .arg(fixture("shoe-stolen-copy.jpg")));
    assert!(text.contains("B changed: saturation +"), "{text}");
}
