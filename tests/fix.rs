//! `pairproof fix` through the real binary: each mechanically failing fixture pair becomes a
//! passing pair, content failures are left alone and listed, inputs are never touched, and an
//! existing output is not replaced without `--force`. Values are checked against independent
//! readers: exiftool for GPS, the `image` crate for sizes and pixels, and a textbook Adobe RGB →
//! sRGB conversion (published primaries and transfer curves) for colours.
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Run `fix MAIN HIDDEN --out DIR --format json`: exit code and the report.
fn fix(main: &Path, hidden: &Path, out: &Path, extra: &[&str]) -> (i32, Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_pairproof"))
        .env("LC_ALL", "en_US.UTF-8")
        .arg("fix")
        .arg(main)
        .arg(hidden)
        .arg("--out")
        .arg(out)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = o.status.code().unwrap();
    let doc = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    if doc.is_null() {
        eprintln!("stderr: {}", String::from_utf8_lossy(&o.stderr));
    }
    (code, doc)
}

fn actions(doc: &Value) -> Vec<String> {
    doc["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{}:{}",
                a["role"].as_str().unwrap(),
                a["action"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_one_pixel_slip_is_cropped_and_the_pair_passes() {
    let dir = tempfile::tempdir().unwrap();
    let main = fixture("shoe-main.jpg");
    let hidden = fixture("shoe-hidden-1px-taller.jpg");
    let before = std::fs::read(&hidden).unwrap();
    let (code, doc) = fix(&main, &hidden, dir.path(), &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["schema"], "pairproof.fix/1");
    assert_eq!(doc["before"], "fail");
    assert_eq!(doc["after"], "pass");
    assert_eq!(doc["failed_before"], serde_json::json!(["dims.equal"]));
    assert_eq!(
        actions(&doc),
        ["hidden:cropped_or_padded", "hidden:reencoded"]
    );
    assert_eq!(doc["actions"][0]["from"], serde_json::json!([1000, 1001]));
    let out = PathBuf::from(doc["hidden_out"].as_str().unwrap());
    assert_eq!(out, dir.path().join("shoe-hidden-1px-taller.jpg"));
    assert_eq!(image::image_dimensions(&out).unwrap(), (1000, 1000));
    // the main image is copied byte for byte, the input is untouched
    assert_eq!(
        std::fs::read(dir.path().join("shoe-main.jpg")).unwrap(),
        std::fs::read(&main).unwrap()
    );
    assert_eq!(std::fs::read(&hidden).unwrap(), before);
    // a second run does not replace the output unless asked
    let (code, _) = fix(&main, &hidden, dir.path(), &[]);
    assert_eq!(code, 2);
    let (code, doc) = fix(&main, &hidden, dir.path(), &["--force"]);
    assert_eq!((code, doc["after"].as_str()), (0, Some("pass")));
}

#[test]
fn gps_is_removed_without_touching_pixels() {
    let dir = tempfile::tempdir().unwrap();
    let hidden = fixture("shoe-hidden-gps.jpg");
    let (code, doc) = fix(&fixture("shoe-main.jpg"), &hidden, dir.path(), &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(actions(&doc), ["hidden:gps_removed"]);
    let text = copied_pixels_and_exif(&hidden, &dir.path().join("shoe-hidden-gps.jpg"));
    assert!(!text.lines().any(|l| l.starts_with("[GPS]")), "{text}");
}

/// The fixed file has the input's pixels exactly (metadata was removed losslessly); returns
/// exiftool's listing of the fixed file's tags (`-a -G1 -s`: every tag with its group).
fn copied_pixels_and_exif(input: &Path, fixed: &Path) -> String {
    let a = image::open(input).unwrap().to_rgb8();
    let b = image::open(fixed).unwrap().to_rgb8();
    assert!(a == b, "pixels are copied, not re-encoded");
    let exif = Command::new("exiftool")
        .args(["-a", "-G1", "-s"])
        .arg(fixed)
        .output()
        .expect("exiftool is installed by tests/run.sh (libimage-exiftool-perl)");
    assert!(exif.status.success());
    String::from_utf8_lossy(&exif.stdout).into_owned()
}

#[test]
fn tags_the_seller_keeps_survive_the_gps_removal() {
    let dir = tempfile::tempdir().unwrap();
    let hidden = fixture("shoe-hidden-gps.jpg");
    let (code, doc) = fix(
        &fixture("shoe-main.jpg"),
        &hidden,
        dir.path(),
        &["--keep-exif", "camera,capture-time,copyright"],
    );
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(actions(&doc), ["hidden:gps_removed"]);
    // the fixture has no Copyright, so only what it has is reported as kept
    assert_eq!(
        doc["actions"][0]["kept"],
        serde_json::json!(["camera", "capture_time"])
    );
    let text = copied_pixels_and_exif(&hidden, &dir.path().join("shoe-hidden-gps.jpg"));
    let has = |group: &str, tag: &str, value: &str| {
        text.lines()
            .any(|l| l.starts_with(group) && l.contains(tag) && l.trim_end().ends_with(value))
    };
    assert!(!text.lines().any(|l| l.starts_with("[GPS]")), "{text}");
    assert!(has("[IFD0]", "Make ", ": PairproofCam"), "{text}");
    assert!(has("[IFD0]", "Model ", ": PP-1 Mark II"), "{text}");
    assert!(
        has("[ExifIFD]", "DateTimeOriginal ", ": 2026:11:20 09:58:31"),
        "{text}"
    );
    assert!(
        has("[ExifIFD]", "OffsetTimeOriginal ", ": +08:00"),
        "{text}"
    );
    // what was not chosen is gone with the rest of the EXIF
    assert!(!text.contains("Software"), "{text}");
}

/// Adobe RGB (1998) 8-bit values to sRGB by the published definitions: Adobe's transfer
/// exponent 563/256 and primaries, the sRGB matrix from XYZ and its piecewise curve. Both
/// spaces have a D65 white, so no adaptation is needed.
fn adobe_to_srgb(p: [u8; 3]) -> [f64; 3] {
    let lin = p.map(|v| (v as f64 / 255.0).powf(563.0 / 256.0));
    let xyz = [
        0.5767309 * lin[0] + 0.1855540 * lin[1] + 0.1881852 * lin[2],
        0.2973769 * lin[0] + 0.6273491 * lin[1] + 0.0752741 * lin[2],
        0.0270343 * lin[0] + 0.0706872 * lin[1] + 0.9911085 * lin[2],
    ];
    let rgb = [
        3.2404542 * xyz[0] - 1.5371385 * xyz[1] - 0.4985314 * xyz[2],
        -0.9692660 * xyz[0] + 1.8760108 * xyz[1] + 0.0415560 * xyz[2],
        0.0556434 * xyz[0] - 0.2040259 * xyz[1] + 1.0572252 * xyz[2],
    ];
    rgb.map(|c| {
        let c = c.clamp(0.0, 1.0);
        let e = if c <= 0.0031308 {
            12.92 * c
        } else {
            1.055 * c.powf(1.0 / 2.4) - 0.055
        };
        e * 255.0
    })
}

#[test]
fn an_adobe_rgb_hidden_image_is_converted_to_srgb() {
    let dir = tempfile::tempdir().unwrap();
    let hidden = fixture("shoe-hidden-adobergb.jpg");
    let (code, doc) = fix(&fixture("shoe-main.jpg"), &hidden, dir.path(), &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        actions(&doc),
        ["hidden:converted_to_srgb", "hidden:reencoded"]
    );
    let input = image::open(&hidden).unwrap().to_rgb8();
    let out = image::open(dir.path().join("shoe-hidden-adobergb.jpg"))
        .unwrap()
        .to_rgb8();
    let (mut err, mut moved, mut n) = (0.0, 0.0, 0.0);
    for (a, b) in input.pixels().zip(out.pixels()) {
        let want = adobe_to_srgb(a.0);
        for ((&got, &was), w) in b.0.iter().zip(&a.0).zip(want) {
            err += (got as f64 - w).abs();
            moved += (got as f64 - was as f64).abs();
            n += 1.0;
        }
    }
    eprintln!("mean error {:.2}, moved {:.2}", err / n, moved / n);
    // Tolerance: the JPEG re-encode (quality 92) moves a shoe photo's pixels by ~1 level on
    // average, and the CMS's 8-bit path rounds through a LUT (±1); the conversion itself moves
    // the pixels several times that.
    assert!(
        err / n <= 2.0,
        "mean error against the textbook conversion {}",
        err / n
    );
    assert!(
        moved / n >= 2.0 * (err / n),
        "converted: moved {}",
        moved / n
    );
    // the written file declares no other space (untagged reads as sRGB)
    let after = &doc["check"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "color.srgb")
        .unwrap()["status"];
    assert_eq!(after, "pass");
}

#[test]
fn content_failures_are_left_alone_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let (code, doc) = fix(
        &fixture("shoe-main.jpg"),
        &fixture("shoe-hidden-banner.jpg"),
        dir.path(),
        &[],
    );
    assert_eq!(code, 1, "{doc:#}");
    assert!(doc["actions"].as_array().unwrap().is_empty());
    let left: Vec<&str> = doc["needs_new_photo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(left.contains(&"hidden.clean.banner"), "{left:?}");
    // the pair is still written, as copies
    assert_eq!(
        std::fs::read(dir.path().join("shoe-hidden-banner.jpg")).unwrap(),
        std::fs::read(fixture("shoe-hidden-banner.jpg")).unwrap()
    );
}

#[test]
fn the_inputs_folder_is_refused_as_output() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("m.jpg");
    let hidden = dir.path().join("h.jpg");
    std::fs::copy(fixture("shoe-main.jpg"), &main).unwrap();
    std::fs::copy(fixture("shoe-hidden-gps.jpg"), &hidden).unwrap();
    let before = std::fs::read(&hidden).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_pairproof"))
        .env("LC_ALL", "en_US.UTF-8")
        .args(["fix"])
        .arg(&main)
        .arg(&hidden)
        .arg("--out")
        .arg(dir.path())
        .arg("--force")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("E_OUTPUT") && err.contains("is an input"),
        "{err}"
    );
    assert_eq!(std::fs::read(&hidden).unwrap(), before);
}

/// A seeded noise picture (every byte random: PNG cannot compress it).
fn noise(w: u32, h: u32) -> image::RgbImage {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    image::RgbImage::from_fn(w, h, |_, _| {
        let mut px = [0u8; 3];
        for v in &mut px {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            *v = (s >> 56) as u8;
        }
        image::Rgb(px)
    })
}

#[test]
fn an_oversized_png_is_saved_as_the_best_jpeg_under_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let img = noise(1400, 1400);
    let main = dir.path().join("main.jpg");
    let hidden = dir.path().join("hidden.png");
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(&img)
        .unwrap();
    std::fs::write(&main, &jpeg).unwrap();
    img.save(&hidden).unwrap();
    assert!(std::fs::metadata(&hidden).unwrap().len() > 5 * 1024 * 1024);
    let out = dir.path().join("fixed");
    let (code, doc) = fix(&main, &hidden, &out, &[]);
    assert!(
        doc["failed_before"]
            .as_array()
            .unwrap()
            .contains(&"file.size".into()),
        "{doc:#}"
    );
    assert_eq!(actions(&doc), ["hidden:reencoded"]);
    let a = &doc["actions"][0];
    assert_eq!(
        (a["format"].as_str(), a["quality"].as_u64()),
        (Some("jpeg"), Some(95))
    );
    let written = PathBuf::from(doc["hidden_out"].as_str().unwrap());
    assert!(std::fs::metadata(&written).unwrap().len() <= 5 * 1024 * 1024);
    assert_eq!(
        written.file_name().unwrap(),
        "hidden.jpg",
        "named for what it holds"
    );
    assert_eq!(
        image::guess_format(&std::fs::read(&written).unwrap()).unwrap(),
        image::ImageFormat::Jpeg
    );
    let left: Vec<&str> = doc["needs_new_photo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(!left.contains(&"file.size"), "{left:?}");
    assert_eq!(code, if left.is_empty() { 0 } else { 1 });
}

#[test]
fn a_bmp_hidden_image_becomes_a_png() {
    let dir = tempfile::tempdir().unwrap();
    let img = image::open(fixture("shoe-hidden.jpg")).unwrap().to_rgb8();
    let hidden = dir.path().join("hidden.bmp");
    img.save(&hidden).unwrap();
    let (code, doc) = fix(
        &fixture("shoe-main.jpg"),
        &hidden,
        &dir.path().join("out"),
        &[],
    );
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["failed_before"], serde_json::json!(["format"]));
    let written = PathBuf::from(doc["hidden_out"].as_str().unwrap());
    assert_eq!(written.file_name().unwrap(), "hidden.png");
    let back = image::open(&written).unwrap().to_rgb8();
    assert!(back == img, "PNG is lossless");
}
