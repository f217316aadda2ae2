//! Batch input as sellers have it, through the real binary: per-SKU folders, 主图/隐藏图 names,
//! pair lists saved by Excel (GBK, UTF-8 with BOM, `;` and tab separators), an empty batch
//! (exit 2 with the naming rules, never a silent pass), and folders for `lint` and `strip`.
//! The GBK bytes are written out by hand from the GB 2312 code table (主 = D6F7, 图 = CDBC,
//! 隐 = D2FE, 藏 = B2D8), not by our decoder.

use std::path::{Path, PathBuf};
use std::process::Command;

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
    let o = cmd.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn put(dir: &Path, rel: &str, from: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::copy(fixture(from), p).unwrap();
}

/// The JSON summary line of a batch.
fn summary(out: &str) -> serde_json::Value {
    serde_json::from_str(out.lines().last().unwrap()).unwrap()
}

#[test]
fn sku_folders_and_chinese_names_pair() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    put(d, "SKU1/main.jpg", "shoe-main.jpg");
    put(d, "SKU1/hidden.jpg", "shoe-hidden.jpg");
    put(d, "SKU2/主图.jpg", "shoe-main.jpg");
    put(d, "SKU2/隐藏图.jpg", "shoe-hidden-grey.jpg");
    put(d, "SKU008_主图.jpg", "shoe-main.jpg");
    put(d, "SKU008_隐藏图.jpg", "shoe-hidden.jpg");
    std::fs::write(d.join("说明.txt"), "notes").unwrap();
    put(d, "photo.jpg", "shoe-main.jpg");
    let (code, out, err) = run(bin().args(["check", "--format", "json", "--dir"]).arg(d));
    assert_eq!(code, 1, "SKU2's grey hidden image fails: {out}{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "three pairs + summary: {out}");
    let hidden: Vec<&str> = lines[..3]
        .iter()
        .map(|l| l["hidden_path"].as_str().unwrap())
        .collect();
    assert!(hidden[0].ends_with("SKU008_隐藏图.jpg"), "{hidden:?}");
    assert!(hidden[1].ends_with("SKU1/hidden.jpg"), "{hidden:?}");
    assert!(hidden[2].ends_with("SKU2/隐藏图.jpg"), "{hidden:?}");
    assert_eq!(lines[0]["verdict"], "pass");
    assert_eq!(lines[1]["verdict"], "pass");
    assert_eq!(lines[2]["verdict"], "fail");
    let s = &lines[3];
    assert_eq!(s["schema"], "pairproof.check-summary/2");
    let ignored: Vec<(String, String)> = s["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let p = i["path"].as_str().unwrap();
            let name = Path::new(p).file_name().unwrap().to_string_lossy();
            (name.into_owned(), i["reason"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(
        ignored,
        vec![
            ("photo.jpg".to_string(), "no_role_in_name".to_string()),
            ("说明.txt".to_string(), "not_an_image".to_string()),
        ]
    );
    // Text output names each ignored file with its reason.
    let (_, text, _) = run(bin().args(["check", "--dir"]).arg(d));
    assert!(
        text.contains("photo.jpg (the name says neither main (主图) nor hidden (隐藏图)"),
        "{text}"
    );
    assert!(text.contains("3 pair(s): 2 pass, 0 warn, 1 fail"), "{text}");
}

#[test]
fn a_folder_without_pairs_is_exit_2_with_the_rules() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    put(d, "IMG_0001.jpg", "shoe-main.jpg");
    put(d, "IMG_0002.jpg", "shoe-hidden.jpg");
    let (code, out, err) = run(bin().args(["check", "--format", "json", "--dir"]).arg(d));
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("E_PAIR_NONE") && err.contains("SKU_main.jpg + SKU_hidden.jpg"),
        "{err}"
    );
    let s = summary(&out);
    assert_eq!(s["pairs"], 0);
    assert_eq!(s["list_problems"][0]["code"], "E_PAIR_NONE");
    assert_eq!(s["ignored"].as_array().unwrap().len(), 2);
}

/// A pair list with `main`/`hidden` paths relative to the folder; `sep` between fields.
fn list_text(sep: &str) -> String {
    format!(
        "主图{sep}隐藏图\nA_主图.jpg{sep}A_隐藏图.jpg\n\nB_main.jpg{sep}B_hidden.jpg{sep}第二个\n"
    )
}

#[test]
fn pair_lists_as_excel_saves_them() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    put(d, "A_主图.jpg", "shoe-main.jpg");
    put(d, "A_隐藏图.jpg", "shoe-hidden.jpg");
    put(d, "B_main.jpg", "shoe-main.jpg");
    put(d, "B_hidden.jpg", "shoe-hidden.jpg");
    // GBK by hand: every CJK character of list_text, others ASCII.
    let gbk: Vec<u8> = list_text(",")
        .chars()
        .flat_map(|c| match c {
            '主' => vec![0xD6, 0xF7],
            '图' => vec![0xCD, 0xBC],
            '隐' => vec![0xD2, 0xFE],
            '藏' => vec![0xB2, 0xD8],
            '第' => vec![0xB5, 0xDA],
            '二' => vec![0xB6, 0xFE],
            '个' => vec![0xB8, 0xF6],
            c => {
                assert!(c.is_ascii(), "{c}");
                vec![c as u8]
            }
        })
        .collect();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(list_text(";").as_bytes());
    for (name, bytes) in [
        ("gbk.csv", gbk),
        ("bom-semicolon.csv", bom),
        ("tab.csv", list_text("\t").into_bytes()),
    ] {
        let csv = d.join(name);
        std::fs::write(&csv, bytes).unwrap();
        let (code, out, err) = run(bin()
            .args(["check", "--format", "json", "--pairs"])
            .arg(&csv));
        assert_eq!(code, 0, "{name}: {out}{err}");
        let s = summary(&out);
        assert_eq!(s["pairs"], 2, "{name}: {s}");
        assert_eq!(s["pass"], 2, "{name}: {s}");
        let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
        assert!(
            first["hidden_path"]
                .as_str()
                .unwrap()
                .ends_with("A_隐藏图.jpg"),
            "{name}: {first}"
        );
    }
    // A short line is named by its own line number in the file (blank lines counted).
    let csv = d.join("short.csv");
    std::fs::write(&csv, "main,hidden\n\n\nA_主图.jpg\n").unwrap();
    let (code, _, err) = run(bin().args(["check", "--pairs"]).arg(&csv));
    assert_eq!(code, 2);
    assert!(err.contains("short.csv:4: expected two columns"), "{err}");
    // Not text at all.
    let csv = d.join("binary.csv");
    std::fs::write(&csv, [b'a', 0x81]).unwrap();
    let (code, _, err) = run(bin().args(["check", "--pairs"]).arg(&csv));
    assert_eq!(code, 2);
    assert!(err.contains("E_PAIR_LIST") && err.contains("GBK"), "{err}");
    // Only a header: nothing to check is an error, not a pass.
    let csv = d.join("empty.csv");
    std::fs::write(&csv, "main,hidden\n").unwrap();
    let (code, _, err) = run(bin().args(["check", "--pairs"]).arg(&csv));
    assert_eq!(code, 2);
    assert!(err.contains("E_PAIR_NONE"), "{err}");
}

#[test]
fn lint_and_strip_take_folders() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("photos");
    put(&d, "a.jpg", "shoe-main.jpg");
    put(&d, "b.JPG", "shoe-hidden-gps.jpg");
    std::fs::write(d.join("notes.txt"), "x").unwrap();
    let (code, out, err) = run(bin().args(["lint", "--format", "json"]).arg(&d));
    assert!(code == 0 || code == 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["total"], 2, "{v}");
    assert!(
        err.contains("notes.txt (not an image file"),
        "the folder's other file is named: {err}"
    );
    let clean = t.path().join("clean");
    let (code, out, err) = run(bin()
        .args(["strip", "--format", "json", "--out"])
        .arg(&clean)
        .arg(&d));
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["results"].as_array().unwrap().len(), 2, "{v}");
    assert!(clean.join("b.JPG").is_file());
    // A folder without images is an error, not an empty success.
    let empty = t.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let (code, _, err) = run(bin().arg("lint").arg(&empty));
    assert_eq!(code, 2);
    assert!(
        err.contains("E_USAGE") && err.contains("no image files"),
        "{err}"
    );
}
