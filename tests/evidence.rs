//! Evidence bundles: build from fixtures, unzip, `sha256sum -c`, `verify`, tampering, no forced
//! alignment, unreadable inputs listed, claimed metadata (written by exiftool, an independent
//! tool), and the HTML rendered in headless Chromium with no network request.
mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use pairproof::evidence::{self, bundle, EvidenceOptions, Lang};

/// The binary, speaking English whatever the machine's locale (these tests read its words).
fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pairproof"));
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    c
}

fn exiftool(args: &[&str], file: &Path) {
    let o = Command::new("exiftool")
        .args(args)
        .arg("-overwrite_original")
        .arg(file)
        .output()
        .expect("exiftool is installed by .ci/run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// An original JPEG with EXIF written by exiftool (capture time, camera, GPS, thumbnail), a
/// mirrored + cropped + recoloured copy, an unrelated photo and a broken file.
fn case_files(dir: &Path) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    let img = common::cases::scene(900, 700, 42);
    let original = dir.join("original.jpg");
    std::fs::write(&original, common::bad::jpeg(&img, 92)).unwrap();
    let thumb = dir.join("thumb.jpg");
    let small = image::imageops::resize(&img, 160, 124, image::imageops::FilterType::Triangle);
    std::fs::write(&thumb, common::bad::jpeg(&small, 85)).unwrap();
    exiftool(
        &[
            "-DateTimeOriginal=2026:03:14 10:20:30",
            "-OffsetTimeOriginal=+08:00",
            "-ModifyDate=2026:03:14 10:20:30",
            "-Make=Canon",
            "-Model=Canon EOS R6",
            "-Artist=Li Wei",
            "-Copyright=© 2026 示例店铺",
            "-GPSLatitude=31.2304",
            "-GPSLatitudeRef=N",
            "-GPSLongitude=121.4737",
            "-GPSLongitudeRef=E",
            &format!("-ThumbnailImage<={}", thumb.display()),
        ],
        &original,
    );
    let mut copy = image::imageops::flip_horizontal(&img);
    copy = image::imageops::crop_imm(&copy, 150, 0, 750, 640).to_image();
    for p in copy.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = (*c as f32 * 1.1).min(255.0) as u8;
        }
    }
    let suspect = dir.join("listing-copy.jpg");
    std::fs::write(&suspect, common::bad::jpeg(&copy, 85)).unwrap();
    let unrelated = dir.join("unrelated.png");
    common::cases::scene(800, 800, 7).save(&unrelated).unwrap();
    let broken = dir.join("broken.jpg");
    let j = common::bad::jpeg(&img, 90);
    std::fs::write(&broken, &j[..j.len() / 3]).unwrap();
    (original, suspect, unrelated, broken)
}

fn options(dir: &Path, lang: Lang) -> EvidenceOptions {
    let (original, suspect, unrelated, broken) = case_files(dir);
    let licence = dir.join("licence.txt");
    std::fs::write(&licence, "Photo licensed to Example Shop, 2026-03-20.\n").unwrap();
    EvidenceOptions {
        original,
        suspects: vec![suspect, unrelated, broken],
        authorisation: vec![licence],
        lang,
        show_gps: false,
        command_line: "pairproof evidence original.jpg listing-copy.jpg unrelated.png broken.jpg --out case.zip".into(),
        created_utc: Some("2026-11-22T12:00:00Z".into()),
        limits: Default::default(),
        case: Default::default(),
        listing_urls: vec![],
    }
}

fn unzip(zip: &Path, to: &Path) {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let out = to.join(f.name().unwrap().to_string());
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        std::fs::write(out, b).unwrap();
    }
}

/// Rewrite the zip with one byte of `entry` flipped.
fn tamper(zip: &Path, entry: &str, out: &Path) {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        if name == entry {
            let k = b.len() / 2;
            b[k] ^= 0x01;
        }
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&b).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn bundle_unzips_passes_sha256sum_and_verify_and_tampering_fails() {
    let t = tempfile::tempdir().unwrap();
    let opts = options(t.path(), Lang::En);
    let case = evidence::build(&opts);
    let zip = t.path().join("case.zip");
    bundle::write(&case, &zip, false).unwrap();

    let x = t.path().join("x");
    unzip(&zip, &x);
    let o = Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(&x)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    // Originals are byte-identical copies.
    let bundled = std::fs::read(x.join("originals/00-original.jpg")).unwrap();
    assert_eq!(bundled, std::fs::read(&opts.original).unwrap());
    assert!(x.join("authorisation/01-licence.txt").exists());
    assert!(x.join("derived/suspect-01-overlay.png").exists());
    assert!(x.join("derived/suspect-01-heatmap.png").exists());

    let v = bundle::verify(&zip, &Default::default()).unwrap();
    assert!(
        v.ok,
        "{:?}",
        v.checks.iter().filter(|c| !c.ok).collect::<Vec<_>>()
    );
    let o = bin().arg("verify").arg(&zip).output().unwrap();
    assert_eq!(o.status.code(), Some(0));

    let bad = t.path().join("tampered.zip");
    tamper(&zip, "originals/00-original.jpg", &bad);
    let v = bundle::verify(&bad, &Default::default()).unwrap();
    assert!(!v.ok);
    let failed: Vec<&str> = v
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.what.as_str())
        .collect();
    assert!(failed.contains(&"originals/00-original.jpg"), "{failed:?}");
    let o = bin().arg("verify").arg(&bad).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("FAIL  originals/00-original.jpg: SHA-256 is")
            && text.contains("the file was changed"),
        "{text}"
    );
}

#[test]
fn report_says_what_matched_how_and_lists_unreadable_inputs() {
    let t = tempfile::tempdir().unwrap();
    let case = evidence::build(&options(t.path(), Lang::En));
    let r = &case.report;
    assert_eq!(r.schema, "pairproof.evidence/1");
    assert_eq!(r.suspects.len(), 3);

    let copy = &r.suspects[0].result;
    assert_eq!(copy.verdict.as_str(), "match");
    assert!(copy.verified);
    let tr = copy.transform.expect("a verified match is aligned");
    assert!(tr.mirrored);
    // The copy was mirrored and then cut 150 px from its left: in the original's frame that is
    // 150 / 900 = 16.7 % from the right, and 60 / 700 = 8.6 % from the bottom. Tolerance
    // 0.02: the crop edge is found on the 1024-px working frame through a fitted transform.
    assert!((tr.cut_right - 0.167).abs() < 0.02, "{tr:?}");
    assert!((tr.cut_bottom - 0.086).abs() < 0.02, "{tr:?}");
    assert!(tr.cut_left < 0.02 && tr.cut_top < 0.02, "{tr:?}");
    assert!((tr.scale - 1.0).abs() < 0.02, "{tr:?}");
    let coverage = copy.coverage.unwrap();
    // (750 × 640) / (900 × 700) = 0.762; same tolerance reason.
    assert!((coverage - 0.762).abs() < 0.02, "{coverage}");
    assert!(copy.ssim_overlap.unwrap() > 0.8, "{:?}", copy.ssim_overlap);
    assert!(
        copy.words_en.contains("Mirrored horizontally"),
        "{}",
        copy.words_en
    );
    assert!(
        copy.words_en.contains("from the right"),
        "{}",
        copy.words_en
    );
    assert!(copy.words_zh.contains("水平镜像"), "{}", copy.words_zh);

    let unrelated = &r.suspects[1].result;
    assert_eq!(unrelated.verdict.as_str(), "no_match");
    assert!(unrelated.transform.is_none() && unrelated.overlay.is_none());
    assert!(unrelated.words_en.starts_with("No match"));
    assert!(case.html.contains("NO MATCH"));

    let broken = &r.suspects[2];
    assert_eq!(broken.result.verdict.as_str(), "unreadable");
    assert_eq!(
        broken.file.error.as_ref().unwrap().code,
        "E_DECODE_TRUNCATED"
    );
    assert!(case.html.contains("E_DECODE_TRUNCATED"));
    assert!(r.has_unreadable());

    // Claimed metadata as exiftool wrote it; GPS present but redacted.
    let m = r.claimed_metadata.as_ref().unwrap();
    assert_eq!(m.date_time_original.as_deref(), Some("2026:03:14 10:20:30"));
    assert_eq!(m.offset_time_original.as_deref(), Some("+08:00"));
    assert_eq!(m.make.as_deref(), Some("Canon"));
    assert_eq!(m.model.as_deref(), Some("Canon EOS R6"));
    assert_eq!(m.artist.as_deref(), Some("Li Wei"));
    assert_eq!(m.copyright.as_deref(), Some("© 2026 示例店铺"));
    assert!(case.html.contains("Li Wei") && case.html.contains("© 2026 示例店铺"));
    assert!(m.gps_present);
    assert_eq!(m.gps.as_deref(), Some("redacted"));
    assert!(!case.html.contains("31.2304"));
    let status = |id: &str| m.checks.iter().find(|c| c.id == id).unwrap().status;
    assert_eq!(status("dates"), "consistent");
    assert_eq!(status("thumbnail"), "consistent");
}

#[test]
fn an_edited_original_is_flagged_by_its_thumbnail_and_gps_shows_on_request() {
    let t = tempfile::tempdir().unwrap();
    let mut opts = options(t.path(), Lang::ZhCn);
    // Replace the thumbnail with another picture: what an edit after capture leaves behind.
    let other = t.path().join("other-thumb.jpg");
    let small = image::imageops::resize(
        &common::cases::scene(900, 700, 43),
        160,
        124,
        image::imageops::FilterType::Triangle,
    );
    std::fs::write(&other, common::bad::jpeg(&small, 85)).unwrap();
    exiftool(
        &[&format!("-ThumbnailImage<={}", other.display())],
        &opts.original,
    );
    opts.show_gps = true;
    let case = evidence::build(&opts);
    let m = case.report.claimed_metadata.as_ref().unwrap();
    let thumb = m.checks.iter().find(|c| c.id == "thumbnail").unwrap();
    assert_eq!(thumb.status, "inconsistent", "{}", thumb.en);
    assert_eq!(m.gps.as_deref(), Some("31.230400, 121.473700"));
    assert!(case.html.contains("<html lang=\"zh-CN\">"));
    assert!(case.html.contains("图片盗用证据报告"));
}

/// `--lang both`: the whole report in English, then the whole report in Chinese, one file.
#[test]
fn a_bilingual_report_holds_the_whole_report_in_each_language() {
    let t = tempfile::tempdir().unwrap();
    let case = evidence::build(&options(t.path(), Lang::Both));
    assert_eq!(serde_json::to_value(&case.report).unwrap()["lang"], "both");
    let html = &case.html;
    assert_eq!(html.matches("<!DOCTYPE html>").count(), 1);
    assert_eq!(html.matches("</body></html>").count(), 1);
    let en_at = html
        .find("<section id=\"en\" lang=\"en\">")
        .expect("an English section");
    let zh_at = html
        .find("<section id=\"zh-CN\" lang=\"zh-CN\">")
        .expect("a Chinese section");
    assert!(en_at < zh_at);
    let (en, zh) = (&html[en_at..zh_at], &html[zh_at..]);
    // Each section has every suspect's verdict and words, in its own language only.
    let r = &case.report;
    for s in &r.suspects {
        assert!(en.contains(s.result.verdict.words(false)));
        assert!(zh.contains(s.result.verdict.words(true)));
    }
    let copy = &r.suspects[0].result;
    assert!(en.contains("Method and its limits") && !en.contains("方法及其局限"));
    assert!(zh.contains("方法及其局限") && !zh.contains("Method and its limits"));
    assert!(!copy.words_zh.is_empty() && !en.contains(copy.words_zh.as_str()));
    assert!(!copy.words_en.is_empty() && !zh.contains(copy.words_en.as_str()));
}

#[test]
fn cli_writes_the_bundle_and_exits_by_the_worst_result() {
    let t = tempfile::tempdir().unwrap();
    let (original, suspect, unrelated, _) = case_files(t.path());
    let zip = t.path().join("out/case.zip");
    std::fs::create_dir_all(zip.parent().unwrap()).unwrap();
    let o = bin()
        .arg("evidence")
        .args([&original, &suspect, &unrelated])
        .arg("--out")
        .arg(&zip)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "a match was found");
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["schema"], "pairproof.evidence/1");
    assert!(doc["command_line"].as_str().unwrap().contains("evidence"));
    assert!(zip.exists());
    // Nothing but the bundle was written next to it (atomic write, no temporary left).
    assert_eq!(std::fs::read_dir(zip.parent().unwrap()).unwrap().count(), 1);
    let o = bin()
        .arg("evidence")
        .args([&original, &unrelated])
        .arg("--out")
        .arg(t.path().join("none.zip"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "no match");
    // An earlier bundle is evidence too: kept unless --force, and nothing else is written.
    let before = std::fs::read(&zip).unwrap();
    let again = |force: bool| {
        let mut c = bin();
        c.arg("evidence")
            .args([&original, &unrelated])
            .arg("--out")
            .arg(&zip);
        if force {
            c.arg("--force");
        }
        c.output().unwrap()
    };
    let o = again(false);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("E_OUTPUT") && err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read(&zip).unwrap(), before);
    assert_eq!(std::fs::read_dir(zip.parent().unwrap()).unwrap().count(), 1);
    let o = again(true);
    assert_eq!(o.status.code(), Some(0), "replaced: no match this time");
    assert_ne!(std::fs::read(&zip).unwrap(), before);
    // The library's no-clobber write refuses too, whatever the CLI checked first.
    let case = evidence::build(&EvidenceOptions {
        suspects: vec![unrelated.clone()],
        ..options(t.path(), Lang::En)
    });
    let e = bundle::write(&case, &zip, false).unwrap_err();
    assert_eq!(e.code(), "E_OUTPUT");
}

/// URLs Chromium fetched on behalf of the page (requests whose network isolation key is the
/// page's file:// origin), from its net log. Browser-internal requests are not the page's.
fn page_requests(netlog: &Path) -> Vec<String> {
    let d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(netlog).unwrap()).unwrap();
    let start = d["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_i64();
    d["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_i64() == start)
        .filter(|e| {
            e["params"]["network_isolation_key"]
                .as_str()
                .is_some_and(|k| k.contains("file://"))
                || e["params"]["initiator"] == "null"
        })
        .filter_map(|e| e["params"]["url"].as_str().map(String::from))
        .filter(|u| !u.starts_with("data:"))
        .collect()
}

fn chromium(html: &Path, png: &Path, netlog: &Path) {
    let o = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            "--window-size=1200,1800",
        ])
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium is installed by .ci/run");
    assert!(png.exists(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn report_renders_in_headless_chromium_without_network() {
    let t = tempfile::tempdir().unwrap();
    let case = evidence::build(&options(t.path(), Lang::En));
    let html = t.path().join("report.html");
    std::fs::write(&html, &case.html).unwrap();
    let (png, net) = (t.path().join("shot.png"), t.path().join("net.json"));
    chromium(&html, &png, &net);
    let shot = image::open(&png).unwrap().to_rgb8();
    assert_eq!(shot.dimensions(), (1200, 1800));
    // Not blank: a blank page is one colour; text, tables and embedded photos give hundreds
    // (916 measured at this size), and a good share of the page is not white.
    let non_white = shot.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    assert!(
        non_white * 10 > (1200 * 1800),
        "{non_white} non-white pixels"
    );
    let mut colours: Vec<[u8; 3]> = shot.pixels().map(|p| p.0).collect();
    colours.sort();
    colours.dedup();
    assert!(colours.len() > 200, "{} distinct colours", colours.len());
    let requests = page_requests(&net);
    assert!(
        requests.is_empty(),
        "the page made network requests: {requests:?}"
    );

    // Positive control: the same check sees a page that does fetch something.
    let leaky = t.path().join("leaky.html");
    std::fs::write(
        &leaky,
        "<html><body><img src=\"http://127.0.0.1:9/x.png\"></body></html>",
    )
    .unwrap();
    let net2 = t.path().join("net2.json");
    chromium(&leaky, &t.path().join("leaky.png"), &net2);
    assert_eq!(
        page_requests(&net2),
        vec!["http://127.0.0.1:9/x.png".to_string()]
    );
}

/// Bad-input row 37 and the EXIF cases for evidence: a thumbnail IFD that claims another camera
/// than the image's IFD is flagged (the image's IFD is the one reported); a blank capture time
/// is shown as such.
#[test]
fn thumbnail_ifd_claims_and_blank_dates_are_flagged() {
    let t = tempfile::tempdir().unwrap();
    let mut opts = options(t.path(), Lang::En);
    exiftool(
        // -n: write the raw value (exiftool otherwise refuses month 00).
        &[
            "-n",
            "-IFD1:Model=Other Phone X",
            "-DateTimeOriginal=0000:00:00 00:00:00",
        ],
        &opts.original,
    );
    opts.suspects.truncate(1);
    let case = evidence::build(&opts);
    let m = case.report.claimed_metadata.as_ref().unwrap();
    assert_eq!(
        m.model.as_deref(),
        Some("Canon EOS R6"),
        "the image's IFD is reported"
    );
    let ifd1 = m
        .checks
        .iter()
        .find(|c| c.id == "thumbnail_ifd")
        .expect("flagged");
    assert_eq!(ifd1.status, "inconsistent");
    assert!(
        ifd1.en.contains("Other Phone X") && ifd1.en.contains("Canon EOS R6"),
        "{}",
        ifd1.en
    );
    let dates: Vec<_> = m.checks.iter().filter(|c| c.id == "dates").collect();
    assert_eq!(dates.len(), 1, "{dates:?}");
    assert!(dates[0].en.contains("blank"), "{}", dates[0].en);
}

#[test]
fn case_fields_are_shown_and_covered_by_the_checksums() {
    let t = tempfile::tempdir().unwrap();
    let (original, suspect, unrelated, _) = case_files(t.path());
    let zip = t.path().join("case.zip");
    let o = bin()
        .arg("evidence")
        .args([&original, &suspect, &unrelated])
        .arg("--out")
        .arg(&zip)
        .args([
            "--claimant",
            "示例店铺 Example Shop",
            "--found-on",
            "2026-11-20",
            "--listing-url",
            "https://market.example/item/1005001234567.html",
            "--lang",
            "zh-CN",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["case"]["claimant"], "示例店铺 Example Shop");
    assert_eq!(doc["case"]["found_on"], "2026-11-20");
    assert_eq!(
        doc["suspects"][0]["listing_url"],
        "https://market.example/item/1005001234567.html"
    );
    assert_eq!(doc["suspects"][1]["listing_url"], serde_json::Value::Null);
    let out = t.path().join("unzipped");
    unzip(&zip, &out);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("权利人") && html.contains("示例店铺 Example Shop"));
    assert!(html.contains("发现副本日期") && html.contains("2026-11-20"));
    assert!(html.contains("https://market.example/item/1005001234567.html"));
    // report.json (which holds them) is in SHA256SUMS, checked by the independent sha256sum.
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    assert!(sums.contains("report.json"), "{sums}");
    let st = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stdout)
    );
    // Bad case fields are usage errors, before anything is written.
    for (flag, value) in [
        ("--found-on", "20.11.2026"),
        ("--listing-url", "market.example/1"),
    ] {
        let bad = t.path().join("bad.zip");
        let o = bin()
            .arg("evidence")
            .args([&original, &suspect])
            .arg("--out")
            .arg(&bad)
            .args([flag, value])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{flag}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("E_USAGE"));
        assert!(!bad.exists());
    }
}

/// `--pdf` prints the report through headless Chromium; the PDF's text, read back by the
/// independent `pdftotext` (poppler), holds the verdicts, the file names and the claimant in
/// both languages of a `--lang both` report. An existing PDF is kept unless `--force`.
#[test]
fn the_report_prints_to_a_pdf_whose_text_reads_back() {
    let t = tempfile::tempdir().unwrap();
    let (original, suspect, unrelated, _) = case_files(t.path());
    let (zip, pdf) = (t.path().join("case.zip"), t.path().join("case.pdf"));
    let run = |extra: &[&str]| {
        bin()
            .arg("evidence")
            .args([&original, &suspect, &unrelated])
            .arg("--out")
            .arg(&zip)
            .arg("--pdf")
            .arg(&pdf)
            .args(["--claimant", "示例店铺 Example Shop", "--lang", "both"])
            .args(extra)
            .output()
            .unwrap()
    };
    let o = run(&[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by tests/run.sh");
    let text = String::from_utf8_lossy(&text.stdout);
    for want in ["MATCH", "NO MATCH", "Example Shop", "示例店铺", "匹配"] {
        assert!(
            text.contains(want),
            "{want:?} not in the PDF's text:\n{text}"
        );
    }
    let name = suspect.file_name().unwrap().to_string_lossy().to_string();
    assert!(text.contains(&name), "{name} not in the PDF's text");
    // A second run keeps both files; --force replaces them.
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("E_OUTPUT"));
    assert_eq!(std::fs::read(&pdf).unwrap(), bytes);
    let o = run(&["--force"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Without a browser the PDF is a clean output error naming the file and what to install; the
/// bundle itself is written.
#[test]
fn a_pdf_without_chromium_is_an_output_error_that_says_what_to_install() {
    let t = tempfile::tempdir().unwrap();
    let (original, suspect, _, _) = case_files(t.path());
    let (zip, pdf) = (t.path().join("case.zip"), t.path().join("case.pdf"));
    let o = bin()
        .env("PATH", "/nonexistent")
        .env_remove("PAIRPROOF_CHROMIUM")
        .arg("evidence")
        .args([&original, &suspect])
        .arg("--out")
        .arg(&zip)
        .arg("--pdf")
        .arg(&pdf)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("error[E_OUTPUT]"), "{err}");
    assert!(
        err.contains("case.pdf") && err.contains("install chromium"),
        "{err}"
    );
    assert!(zip.exists() && !pdf.exists());
}
