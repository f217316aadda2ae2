//! Every input the fuzzers (fuzz/, `cargo +nightly fuzz`) ever crashed on, replayed through the
//! same code as its target, on stable, in every CI run. Files live in
//! tests/fuzz_regressions/TARGET/; docs/reliability.md lists what each one found.
use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .filter(|e| e.file_name() != ".keep")
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn limits() -> pairproof::Limits {
    // The fuzz targets' limits (fuzz/fuzz_targets/common.rs).
    pairproof::Limits {
        max_pixels: 4_000_000,
        max_side_px: 8192,
        max_decode_alloc_bytes: 64 << 20,
        ..pairproof::Limits::default()
    }
}

#[test]
fn decode_regressions() {
    for (name, data) in inputs("decode") {
        let r = pairproof::decode::decode_bytes(Path::new("fuzz.jpg"), &data, &limits());
        if let Err(e) = &r {
            assert_ne!(e.code(), "E_DECODER_PANIC", "{name}: {e}");
        }
    }
}

#[test]
fn pair_rules_regressions() {
    for (_name, data) in inputs("pair_rules") {
        if data.len() < 2 {
            continue;
        }
        let cut = (u16::from_le_bytes([data[0], data[1]]) as usize).min(data.len() - 2);
        let (a, b) = data[2..].split_at(cut);
        let da = pairproof::decode::decode_bytes(Path::new("main.jpg"), a, &limits());
        let db = pairproof::decode::decode_bytes(Path::new("hidden.png"), b, &limits());
        let _ = pairproof::check::check_decoded(
            Path::new("main.jpg"),
            Path::new("hidden.png"),
            da,
            db,
            &pairproof::Policy::default(),
            pairproof::check::CheckOptions::default(),
        );
    }
}

#[test]
fn fingerprint_regressions() {
    for (name, data) in inputs("fingerprint") {
        if data.len() < 5 {
            continue;
        }
        let w = 1 + (u16::from_le_bytes([data[0], data[1]]) as u32 % 160);
        let h = 1 + (u16::from_le_bytes([data[2], data[3]]) as u32 % 160);
        let body = &data[4..];
        let raw: Vec<u8> = (0..(w * h * 3) as usize)
            .map(|i| body[i % body.len()])
            .collect();
        let img = image::RgbImage::from_raw(w, h, raw).unwrap();
        let a = pairproof::fingerprint::analyse(&img);
        let b = pairproof::fingerprint::analyse(&image::imageops::flip_horizontal(&img));
        let s =
            pairproof::matching::score(&a.fingerprint, &a.features, &b.fingerprint, &b.features)
                .similarity;
        assert!((0.0..=1.0).contains(&s), "{name}: similarity {s}");
    }
}

#[test]
fn catalogue_row_regressions() {
    for (_name, data) in inputs("catalogue_row") {
        let _ = pairproof::fingerprint::local::Features::decode(&data);
        let _ = pairproof::fingerprint::windows::Windows::decode(&data);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cat.sqlite");
        std::fs::write(&path, &data).unwrap();
        if let Ok(c) = pairproof::catalogue::store::Catalogue::open(&path) {
            let _ = c.files();
            let _ = c.export_lines();
        }
    }
}
