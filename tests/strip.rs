//! Lossless strip: decoded pixels byte-identical, GPS gone (checked by our parser and, when
//! installed, by exiftool as an independent oracle), orientation kept, input untouched.
mod common;

use std::path::{Path, PathBuf};

use pairproof::decode;
use pairproof::metadata::{self, StripOptions};
use pairproof::Limits;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn exiftool_gps(path: &Path) -> Option<String> {
    // -a -G1: every tag with its group, so the GPS IFD's coordinates show as "[GPS] GPSLatitude".
    let out = std::process::Command::new("exiftool")
        .args(["-a", "-G1", "-s"])
        .arg(path)
        .output()
        .ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("[GPS]"))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

#[test]
fn strips_gps_without_touching_pixels() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("shoe-hidden-gps.jpg");
    let before_bytes = std::fs::read(&input).unwrap();
    let r = metadata::strip_file(
        &input,
        dir.path(),
        StripOptions::default(),
        &Limits::default(),
    )
    .unwrap();
    assert!(r.gps_before && !r.gps_after && r.pixels_identical);
    assert!(
        r.removed.iter().any(|x| x.starts_with("APP1 Exif")),
        "{:?}",
        r.removed
    );
    assert!(r.bytes_after < r.bytes_before);
    // Independently re-decode both files and compare every pixel byte.
    let a = decode::decode_path(&input, &Limits::default()).unwrap();
    let b = decode::decode_path(&r.output, &Limits::default()).unwrap();
    assert_eq!(a.pixels.as_raw(), b.pixels.as_raw());
    assert!(!b.has_gps());
    // The JPEG scan data is copied byte for byte: the file tail (entropy data + EOI) is identical.
    let after_bytes = std::fs::read(&r.output).unwrap();
    let tail = 100_000.min(after_bytes.len() - 1000);
    assert_eq!(
        &before_bytes[before_bytes.len() - tail..],
        &after_bytes[after_bytes.len() - tail..]
    );
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before_bytes,
        "input never modified"
    );
    match exiftool_gps(&input) {
        Some(before) => {
            assert!(before.contains("GPSLatitude") && before.contains("31 deg 13' 48.00\""), "exiftool sees the GPS in the input: {before}");
            let after = exiftool_gps(&r.output).unwrap();
            assert!(after.trim().is_empty(), "exiftool still sees GPS: {after}");
        }
        None => eprintln!("exiftool not installed: independent check skipped (apt-get install libimage-exiftool-perl)"),
    }
    // No temporary file left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn orientation_survives_and_png_text_chunks_go() {
    let img = common::cases::product(40, 30, 5);
    let mut png = common::bad::png(&img);
    png = common::bad::png_insert_after_ihdr(
        &png,
        &common::bad::png_chunk(b"tEXt", b"Author\0someone"),
    );
    let exif = common::bad::tiff(
        &[
            (0x0112, common::bad::TiffVal::Short(6)),
            (0x0131, common::bad::TiffVal::Ascii("Editor 1.0".into())),
        ],
        &[],
    );
    png = common::bad::png_insert_after_ihdr(&png, &common::bad::png_chunk(b"eXIf", &exif));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.png");
    std::fs::write(&input, &png).unwrap();
    let out = dir.path().join("out");
    let r =
        metadata::strip_file(&input, &out, StripOptions::default(), &Limits::default()).unwrap();
    assert_eq!(r.orientation_kept, Some(6));
    assert!(
        r.removed.iter().any(|x| x.starts_with("tEXt")),
        "{:?}",
        r.removed
    );
    let d = decode::decode_path(&r.output, &Limits::default()).unwrap();
    assert_eq!(
        d.metadata.exif.as_ref().and_then(|e| e.orientation),
        Some(6)
    );
    assert_eq!(d.pixels.dimensions(), (30, 40), "still displayed rotated");
}

#[test]
fn refuses_to_overwrite_its_input_and_non_jpeg_png() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.jpg");
    std::fs::copy(fixture("shoe-hidden-gps.jpg"), &input).unwrap();
    let e = metadata::strip_file(
        &input,
        dir.path(),
        StripOptions::default(),
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "E_USAGE");
    let gif = dir.path().join("a.gif");
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(common::cases::product(20, 20, 1))
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Gif,
        )
        .unwrap();
    std::fs::write(&gif, bytes).unwrap();
    let e = metadata::strip_file(
        &gif,
        &dir.path().join("o"),
        StripOptions::default(),
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "E_FORMAT_UNSUPPORTED");
}

#[test]
fn all_mode_keeps_a_non_srgb_profile() {
    let dir = tempfile::tempdir().unwrap();
    let r = metadata::strip_file(
        &fixture("shoe-hidden-adobergb.jpg"),
        dir.path(),
        StripOptions { all: true },
        &Limits::default(),
    )
    .unwrap();
    assert!(
        r.kept.iter().any(|k| k.contains("Adobe RGB")),
        "{:?}",
        r.kept
    );
    let d = decode::decode_path(&r.output, &Limits::default()).unwrap();
    assert!(matches!(
        d.metadata.colour_space,
        decode::ColourSpace::AdobeRgb { .. }
    ));
}
