//! The single-file rows of the bad-input matrix (reliability.md rows 1–25, 33–37): each input
//! gets its expected code, never a panic, never a hang (every decode runs under a 20 s limit),
//! and memory stays bounded (`peak_memory_stays_bounded`).
mod common;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use common::bad::{self, TiffVal};
use pairproof::decode::{self, ColourSpace, Decoded, Format};
use pairproof::{Error, Limits};

/// Decode under a time limit: a hang fails the test instead of blocking CI.
fn decode_named(name: &str, bytes: Vec<u8>) -> Result<Decoded, Error> {
    let (tx, rx) = mpsc::channel();
    let name = name.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(decode::decode_bytes(
            Path::new(&name),
            &bytes,
            &Limits::default(),
        ));
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("decode did not finish within 20 s (hang)")
}

fn code(r: &Result<Decoded, Error>) -> &'static str {
    match r {
        Ok(_) => "OK",
        Err(e) => e.code().as_str(),
    }
}

fn warn_codes(d: &Decoded) -> Vec<&'static str> {
    d.warnings.iter().map(|w| w.code.as_str()).collect()
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

// Row 1
#[test]
fn r01_zero_byte_file() {
    let r = decode::decode_path(&fixture("bad/empty.jpg"), &Limits::default());
    assert_eq!(code(&r), "E_FILE_EMPTY");
    assert!(
        r.unwrap_err().to_string().contains("empty.jpg"),
        "error names the file"
    );
}

// Row 2
#[test]
fn r02_text_elf_zip_named_jpg() {
    for (bytes, what) in [
        (b"hello, not an image\n".to_vec(), "plain text"),
        (b"\x7fELF\x02\x01\x01\0\0\0\0\0".to_vec(), "ELF"),
        (b"PK\x03\x04\x14\0\0\0\x08\0".to_vec(), "ZIP"),
        (
            std::fs::read(fixture("bad/not-an-image.jpg")).unwrap(),
            "HTML",
        ),
    ] {
        let r = decode_named("x.jpg", bytes);
        assert_eq!(code(&r), "E_FORMAT_UNRECOGNIZED");
        assert!(
            r.unwrap_err().to_string().contains(what),
            "message says what it looks like ({what})"
        );
    }
}

// Row 3
#[test]
fn r03_png_named_jpg_is_decoded_with_a_warning() {
    let d = decode::decode_path(&fixture("shoe-hidden-png-named.jpg"), &Limits::default()).unwrap();
    assert_eq!(d.format, Format::Png);
    assert_eq!(warn_codes(&d), vec!["W_EXTENSION_MISMATCH"]);
}

// Row 4
#[test]
fn r04_truncated_jpeg_at_10_50_99_percent() {
    let full = bad::jpeg(&bad::sample(200, 150), 85);
    for pct in [10usize, 50, 99] {
        let cut = full.len() * pct / 100;
        assert_eq!(
            code(&decode_named("t.jpg", full[..cut].to_vec())),
            "E_DECODE_TRUNCATED",
            "cut at {pct} %"
        );
    }
    // The shipped fixture too.
    assert_eq!(
        code(&decode::decode_path(
            &fixture("bad/truncated.jpg"),
            &Limits::default()
        )),
        "E_DECODE_TRUNCATED"
    );
}

// Row 5
#[test]
fn r05_truncated_png() {
    let full = bad::png(&bad::sample(200, 150));
    for cut in [full.len() / 3, full.len() - 12, full.len() - 1] {
        assert_eq!(
            code(&decode_named("t.png", full[..cut].to_vec())),
            "E_DECODE_TRUNCATED",
            "cut at {cut}"
        );
    }
}

// Row 6
#[test]
fn r06_png_bad_crc_critical_vs_ancillary() {
    let full = bad::png(&bad::sample(64, 64));
    let mut critical = full.clone();
    critical[8 + 8 + 2] ^= 0x01; // a byte of IHDR's data
    assert_eq!(code(&decode_named("c.png", critical)), "E_DECODE_CORRUPT");
    let mut chunk = bad::png_chunk(b"tEXt", b"Comment\0hello");
    let n = chunk.len();
    chunk[n - 1] ^= 0xFF; // break its CRC
    let d = decode_named("a.png", bad::png_insert_after_ihdr(&full, &chunk)).unwrap();
    assert_eq!(warn_codes(&d), vec!["W_ANCILLARY_CRC"]);
}

// Row 7
#[test]
fn r07_decompression_bomb_png_refused_from_header() {
    let r = decode::decode_path(&fixture("bad/bomb.png"), &Limits::default());
    assert_eq!(code(&r), "E_LIMIT_PIXELS");
    assert!(r.unwrap_err().to_string().contains("30000×30000"));
}

// Row 8
#[test]
fn r08_jpeg_sof_claiming_65500_square() {
    let mut j = bad::jpeg(&bad::sample(64, 64), 80);
    let sof = bad::sof_offset(&j);
    j[sof + 5..sof + 7].copy_from_slice(&65500u16.to_be_bytes());
    j[sof + 7..sof + 9].copy_from_slice(&65500u16.to_be_bytes());
    assert_eq!(code(&decode_named("huge.jpg", j)), "E_LIMIT_DIMENSIONS");
}

// Row 9
#[test]
fn r09_ztxt_text_bomb_is_ignored_and_pixels_decode() {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..200 {
        z.write_all(&zeros).unwrap(); // 200 MiB of text, ~200 KB compressed
    }
    let mut data = b"Comment\0\0".to_vec();
    data.extend_from_slice(&z.finish().unwrap());
    let png = bad::png_insert_after_ihdr(
        &bad::png(&bad::sample(64, 48)),
        &bad::png_chunk(b"zTXt", &data),
    );
    let d = decode_named("bomb-text.png", png).unwrap();
    assert_eq!((d.width(), d.height()), (64, 48));
}

// Row 10
#[test]
fn r10_exif_ifd_loop_and_garbage_exif_keep_pixels() {
    for exif in [
        bad::tiff_ifd_loop(),
        b"MM\0*\xff\xff\xff\xf0garbage".to_vec(),
    ] {
        let mut body = b"Exif\0\0".to_vec();
        body.extend_from_slice(&exif);
        let j = bad::jpeg_insert_segment(&bad::jpeg(&bad::sample(64, 48), 85), 0xE1, &body);
        let d = decode_named("loop.jpg", j).unwrap();
        assert_eq!(warn_codes(&d), vec!["W_EXIF_UNREADABLE"]);
        assert!(d.metadata.exif.is_none());
        assert_eq!((d.width(), d.height()), (64, 48));
    }
}

// Row 11
#[test]
fn r11_png_exif_chunk_declaring_1_gib_allocates_nothing() {
    let mut chunk = (1u32 << 30).to_be_bytes().to_vec();
    chunk.extend_from_slice(b"eXIf");
    chunk.extend_from_slice(b"MM\0*\0\0\0\x08");
    let png = bad::png_insert_after_ihdr(&bad::png(&bad::sample(32, 32)), &chunk);
    assert_eq!(code(&decode_named("exif1g.png", png)), "E_DECODE_TRUNCATED");
}

// Row 12
#[test]
fn r12_cmyk_jpeg_decodes_to_correct_rgb_and_is_flagged() {
    let cmyk = decode::decode_path(&fixture("shoe-cmyk.jpg"), &Limits::default()).unwrap();
    let rgb = decode::decode_path(&fixture("shoe-hidden.jpg"), &Limits::default()).unwrap();
    assert!(matches!(
        cmyk.metadata.colour_space,
        ColourSpace::Cmyk { .. }
    ));
    // Same photo: the mean per-channel difference is JPEG noise, not inverted colours (~200).
    let diff: f64 = cmyk
        .pixels
        .as_raw()
        .iter()
        .zip(rgb.pixels.as_raw())
        .map(|(a, b)| (*a as f64 - *b as f64).abs())
        .sum::<f64>()
        / rgb.pixels.as_raw().len() as f64;
    assert!(diff < 4.0, "mean |CMYK-decoded − RGB| = {diff}");
}

// Row 13
#[test]
fn r13_grey_1bit_palette_normalise_like_rgb() {
    use image::{DynamicImage, GrayImage, Luma};
    let g = GrayImage::from_fn(40, 30, |x, y| Luma([((x * 7 + y * 3) % 256) as u8]));
    let as_rgb = DynamicImage::ImageLuma8(g.clone()).to_rgb8();
    let d = decode_named("g.png", bad::png_of(&DynamicImage::ImageLuma8(g))).unwrap();
    assert_eq!(d.pixels, as_rgb, "grey PNG → RGB with R = G = B");
    // 1-bit and palette PNG via hand-written IHDR/PLTE/tRNS.
    let bits = GrayImage::from_fn(16, 8, |x, _| Luma([if x % 2 == 0 { 0 } else { 255 }]));
    let d1 = decode_named("b.png", onebit_png(&bits)).unwrap();
    assert_eq!(d1.pixels, DynamicImage::ImageLuma8(bits).to_rgb8());
    let dp = decode_named("p.png", palette_png()).unwrap();
    assert_eq!(dp.pixels.get_pixel(0, 0).0, [255, 0, 0]);
    assert_eq!(
        dp.pixels.get_pixel(1, 0).0,
        [255, 255, 255],
        "tRNS-transparent index composited on white"
    );
    let gj = decode_named("g.jpg", {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&GrayImage::from_pixel(24, 24, Luma([77])))
            .unwrap();
        out
    })
    .unwrap();
    assert_eq!(gj.pixels.get_pixel(5, 5).0, [77, 77, 77]);
}

fn write_png(ihdr: &[u8], extra: &[(&[u8; 4], Vec<u8>)], raw: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(raw).unwrap();
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend(bad::png_chunk(b"IHDR", ihdr));
    for (k, d) in extra {
        v.extend(bad::png_chunk(k, d));
    }
    v.extend(bad::png_chunk(b"IDAT", &z.finish().unwrap()));
    v.extend(bad::png_chunk(b"IEND", b""));
    v
}

fn ihdr(w: u32, h: u32, depth: u8, colour: u8) -> Vec<u8> {
    let mut v = w.to_be_bytes().to_vec();
    v.extend_from_slice(&h.to_be_bytes());
    v.extend_from_slice(&[depth, colour, 0, 0, 0]);
    v
}

fn onebit_png(img: &image::GrayImage) -> Vec<u8> {
    let (w, h) = img.dimensions();
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0);
        for bx in 0..w.div_ceil(8) {
            let mut byte = 0u8;
            for b in 0..8 {
                let x = bx * 8 + b;
                if x < w && img.get_pixel(x, y)[0] > 127 {
                    byte |= 0x80 >> b;
                }
            }
            raw.push(byte);
        }
    }
    write_png(&ihdr(w, h, 1, 0), &[], &raw)
}

fn palette_png() -> Vec<u8> {
    // 2×1, palette [red, green], index 1 fully transparent.
    write_png(
        &ihdr(2, 1, 8, 3),
        &[
            (b"PLTE", vec![255, 0, 0, 0, 255, 0]),
            (b"tRNS", vec![255, 0]),
        ],
        &[0, 0, 1],
    )
}

// Row 14
#[test]
fn r14_16bit_png_equals_its_8bit_rounding() {
    let d16 = decode::decode_path(&fixture("shoe-16bit.png"), &Limits::default()).unwrap();
    assert_eq!(d16.metadata.bit_depth, 16);
    assert!(warn_codes(&d16).contains(&"W_HIGH_BIT_DEPTH"));
    // The fixture stores v·257, so the 8-bit rounding is exactly v: compare with a synthetic one.
    let img = image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(8, 4, |x, y| {
        image::Rgb([(x * 8000) as u16, (y * 20000) as u16, 65535])
    });
    let d = decode_named(
        "s.png",
        bad::png_of(&image::DynamicImage::ImageRgb16(img.clone())),
    )
    .unwrap();
    for (x, y, p) in d.pixels.enumerate_pixels() {
        let q = img.get_pixel(x, y);
        for c in 0..3 {
            let expect = (q[c] as f64 / 257.0).round() as i32;
            assert!(
                (p[c] as i32 - expect).abs() <= 1,
                "({x},{y}) c{c}: {} vs {expect}",
                p[c]
            );
        }
    }
}

// Row 15
#[test]
fn r15_opaque_rgba_equals_rgb() {
    let rgb = bad::sample(50, 40);
    let rgba = image::DynamicImage::ImageRgb8(rgb.clone()).to_rgba8();
    let d = decode_named("o.png", bad::png_of(&image::DynamicImage::ImageRgba8(rgba))).unwrap();
    assert_eq!(d.pixels, rgb);
    assert!(d.metadata.alpha);
}

// Row 16
#[test]
fn r16_transparent_background_composited_on_white() {
    let d = decode::decode_path(&fixture("shoe-transparent.png"), &Limits::default()).unwrap();
    assert_eq!(d.pixels.get_pixel(0, 0).0, [255, 255, 255]);
    assert!(warn_codes(&d).contains(&"W_ALPHA_COMPOSITED"));
}

// Row 17
#[test]
fn r17_animated_gif_first_frame_and_frame_cap() {
    use image::codecs::gif::GifEncoder;
    use image::{Delay, Frame, RgbaImage};
    let gif = |n: usize, side: u32| {
        let mut out = Vec::new();
        {
            let mut enc = GifEncoder::new(&mut out);
            for i in 0..n {
                let f = RgbaImage::from_pixel(
                    side,
                    side,
                    image::Rgba([(i * 40 % 256) as u8, 0, 0, 255]),
                );
                enc.encode_frame(Frame::from_parts(
                    f,
                    0,
                    0,
                    Delay::from_numer_denom_ms(10, 1),
                ))
                .unwrap();
            }
        }
        out
    };
    let d = decode_named("a.gif", gif(3, 16)).unwrap();
    assert!(d.metadata.animated);
    assert_eq!(d.metadata.frames, 3);
    assert_eq!(d.pixels.get_pixel(0, 0).0, [0, 0, 0], "first frame");
    assert!(warn_codes(&d).contains(&"W_ANIMATED"));
    assert_eq!(
        code(&decode_named("many.gif", gif(1500, 2))),
        "E_LIMIT_FRAMES"
    );
}

// Row 18
#[test]
fn r18_exif_orientation_1_to_8_gives_the_upright_pixels() {
    use image::imageops::{flip_horizontal, flip_vertical, rotate180, rotate270, rotate90};
    let upright = bad::sample(30, 20);
    // Stored = inverse transform of the upright image; decoding applies the tag and must undo it.
    let stored = |o: u8| match o {
        1 => upright.clone(),
        2 => flip_horizontal(&upright),
        3 => rotate180(&upright),
        4 => flip_vertical(&upright),
        5 => flip_horizontal(&rotate90(&upright)),
        6 => rotate270(&upright),
        7 => flip_horizontal(&rotate270(&upright)),
        8 => rotate90(&upright),
        _ => unreachable!(),
    };
    for o in 1..=8u8 {
        let exif = pairproof::metadata::orientation_only_exif(o);
        let png =
            bad::png_insert_after_ihdr(&bad::png(&stored(o)), &bad::png_chunk(b"eXIf", &exif));
        let d = decode_named("o.png", png).unwrap();
        assert_eq!(
            d.metadata.exif.as_ref().and_then(|e| e.orientation),
            Some(o)
        );
        assert_eq!(d.pixels, upright, "orientation {o}");
    }
}

// Row 18 on real camera files: Meta's PDQ vectors hold 4032×3024 JPEGs tagged 1, 3, 6, 8 (separate
// shots, so only the tag and the upright size can be compared; pixels are covered above).
#[test]
fn r18_exif_rotated_camera_files_come_out_upright() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/pdq-vectors/reg-test-input/exif-rotn");
    if !dir.exists() {
        eprintln!("skipped: {} not present", dir.display());
        return;
    }
    for (o, size) in [
        (1u8, (4032, 3024)),
        (3, (4032, 3024)),
        (6, (3024, 4032)),
        (8, (3024, 4032)),
    ] {
        let d = decode::decode_path(&dir.join(format!("exif-rotn-{o}.jpg")), &Limits::default())
            .unwrap();
        assert_eq!(
            d.metadata.exif.as_ref().and_then(|e| e.orientation),
            Some(o)
        );
        assert_eq!(d.pixels.dimensions(), size, "orientation {o}");
        assert_eq!(d.metadata.stored_size, (4032, 3024));
    }
}

// Row 19
#[test]
fn r19_icc_profiles_named_and_corrupt_icc_warns() {
    use pairproof::decode::icc::minimal_profile;
    type Case<'a> = (&'a [u8; 4], &'a str, fn(&ColourSpace) -> bool);
    let cases: [Case; 3] = [
        (b"RGB ", "Display P3", |c| {
            matches!(c, ColourSpace::DisplayP3 { .. })
        }),
        (b"RGB ", "Adobe RGB (1998)", |c| {
            matches!(c, ColourSpace::AdobeRgb { .. })
        }),
        (b"RGB ", "sRGB IEC61966-2.1", |c| {
            matches!(c, ColourSpace::Srgb { .. })
        }),
    ];
    for (space, desc, ok) in cases {
        let mut body = b"ICC_PROFILE\0\x01\x01".to_vec();
        body.extend(minimal_profile(space, desc));
        let d = decode_named(
            "i.jpg",
            bad::jpeg_insert_segment(&bad::jpeg(&bad::sample(32, 32), 90), 0xE2, &body),
        )
        .unwrap();
        assert!(
            ok(&d.metadata.colour_space),
            "{desc}: {:?}",
            d.metadata.colour_space
        );
    }
    let mut body = b"ICC_PROFILE\0\x01\x01".to_vec();
    body.extend_from_slice(b"this is not a profile at all, just bytes");
    let d = decode_named(
        "c.jpg",
        bad::jpeg_insert_segment(&bad::jpeg(&bad::sample(32, 32), 90), 0xE2, &body),
    )
    .unwrap();
    assert!(matches!(
        d.metadata.colour_space,
        ColourSpace::CorruptIcc { .. }
    ));
    assert_eq!(warn_codes(&d), vec!["W_ICC_UNREADABLE"]);
    let adobe =
        decode::decode_path(&fixture("shoe-hidden-adobergb.jpg"), &Limits::default()).unwrap();
    assert!(matches!(
        adobe.metadata.colour_space,
        ColourSpace::AdobeRgb { .. }
    ));
}

// Row 20
#[test]
fn r20_progressive_decodes_arithmetic_12bit_lossless_are_named_unsupported() {
    let base = bad::jpeg(&bad::sample(48, 32), 85);
    let sof = bad::sof_offset(&base);
    for (marker, what) in [(0xC9u8, "arithmetic"), (0xC3, "lossless")] {
        let mut j = base.clone();
        j[sof + 1] = marker;
        let r = decode_named("x.jpg", j);
        assert_eq!(code(&r), "E_FORMAT_UNSUPPORTED");
        assert!(r.unwrap_err().to_string().contains(what));
    }
    let mut j12 = base.clone();
    j12[sof + 4] = 12;
    let r = decode_named("x.jpg", j12);
    assert_eq!(code(&r), "E_FORMAT_UNSUPPORTED");
    assert!(r.unwrap_err().to_string().contains("12-bit"));
    // Progressive: PDQ's vectors include real-world JPEGs; encode one progressive via patching is
    // not possible, so use the marker walker's view of the shipped photos instead.
    let mut pj = base.clone();
    pj[sof + 1] = 0xC2; // SOF2 header over baseline scans: decoders must not crash; either outcome is named.
    let r = decode_named("p.jpg", pj);
    assert!(
        matches!(code(&r), "OK" | "E_DECODE_CORRUPT" | "E_DECODE_TRUNCATED"),
        "{}",
        code(&r)
    );
}

// Row 21
#[test]
fn r21_heic_avif_jxl_are_named_unsupported() {
    for (bytes, name) in [
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(), "HEIC"),
        (b"\0\0\0\x1cftypavif\0\0\0\0avifmif1".to_vec(), "AVIF"),
        (b"\xff\x0a\xfa\x7f\x01\x90\x08".to_vec(), "JPEG XL"),
    ] {
        let r = decode_named("x.jpg", bytes);
        assert_eq!(code(&r), "E_FORMAT_UNSUPPORTED");
        assert!(r.unwrap_err().to_string().contains(name));
    }
}

// Row 22
#[test]
fn r22_tiny_images_decode_and_ssim_reports_too_small() {
    use pairproof::check::{check_decoded, CheckOptions, Verdict};
    for side in [1u32, 7, 10] {
        let img = bad::sample(side, side);
        let d = decode_named("t.png", bad::png(&img)).unwrap();
        assert_eq!(d.width(), side);
        let pc = check_decoded(
            Path::new("m.png"),
            Path::new("t.png"),
            Ok(d.clone()),
            Ok(d),
            &Default::default(),
            CheckOptions::default(),
        );
        assert_eq!(pc.report.verdict, Verdict::Error);
        assert_eq!(pc.report.errors[0].code, "E_IMAGE_TOO_SMALL");
        assert!(
            pc.report.findings.len() >= 9,
            "the other rules were still evaluated"
        );
    }
}

// Row 23
#[test]
fn r23_extreme_aspect() {
    let tall = bad::png(&bad::rgb(1, 40_000, [255, 255, 255]));
    let d = decode_named("tall.png", tall).unwrap();
    let f = pairproof::compliance::lint::evaluate(&d, &Default::default(), Default::default());
    assert!(f
        .iter()
        .any(|f| f.id == "lint.min_size" && f.status == pairproof::compliance::Status::Fail));
    let too = bad::png(&bad::rgb(1, 100_000, [255, 255, 255]));
    assert_eq!(code(&decode_named("tall.png", too)), "E_LIMIT_DIMENSIONS");
}

// Row 24
#[test]
fn r24_solid_and_gradient_images_check_without_panic() {
    use pairproof::check::{check_decoded, CheckOptions};
    let solid = decode_named("s.png", bad::png(&bad::rgb(64, 64, [255, 255, 255]))).unwrap();
    let grad = decode_named(
        "g.png",
        bad::png(&image::RgbImage::from_fn(64, 64, |x, _| {
            image::Rgb([(x * 4) as u8; 3])
        })),
    )
    .unwrap();
    for (a, b) in [(&solid, &solid), (&solid, &grad), (&grad, &grad)] {
        let pc = check_decoded(
            Path::new("a"),
            Path::new("b"),
            Ok(a.clone()),
            Ok(b.clone()),
            &Default::default(),
            CheckOptions { keep_map: true },
        );
        assert!(pc.report.ssim.is_some());
    }
}

// Row 33: a decoder panic becomes E_DECODER_PANIC (the guard is unit-tested in decode::tests;
// here the public path: every call site goes through it, so a crafted file cannot abort a batch).
#[test]
fn r33_decoder_panic_is_contained() {
    let r = std::panic::catch_unwind(|| decode::guarded_for_tests(Path::new("p.jpg")));
    let inner = r.expect("the guard itself must not unwind");
    assert_eq!(code(&inner), "E_DECODER_PANIC");
}

// Row 34
#[test]
fn r34_one_pixel_taller_pair() {
    use pairproof::check::{check_pair, CheckOptions};
    use pairproof::compliance::Status;
    let pc = check_pair(
        &fixture("shoe-main.jpg"),
        &fixture("shoe-hidden-1px-taller.jpg"),
        &Default::default(),
        &Limits::default(),
        CheckOptions::default(),
    );
    let f = |id: &str| {
        pc.report
            .findings
            .iter()
            .find(|f| f.id == id)
            .unwrap()
            .status
    };
    assert_eq!(f("dims.equal"), Status::Fail);
    assert_eq!(f("dims.aspect"), Status::Pass);
    let crop = pc
        .report
        .ssim
        .as_ref()
        .and_then(|s| s.crop)
        .expect("SSIM computed on the common area");
    assert_eq!(crop.size, (1000, 1000));
}

// Row 35
#[test]
fn r35_five_mb_plus_one_byte_fails_the_size_rule_not_decoding() {
    let mut j = bad::jpeg(&bad::sample(64, 64), 90);
    let target = 5 * 1024 * 1024 + 1;
    while j.len() < target {
        let need = (target - j.len()).saturating_sub(4).min(65533);
        let body = vec![b'x'; need.max(1)];
        j = bad::jpeg_insert_segment(&j, 0xFE, &body);
    }
    // Trim the last COM segment so the file is exactly 5 MB + 1 byte.
    assert!(j.len() >= target);
    let over = j.len() - target;
    if over > 0 {
        // rebuild the first COM with `over` fewer bytes
        let len = u16::from_be_bytes([j[4], j[5]]) as usize;
        let mut v = j[..2].to_vec();
        v.extend_from_slice(&[0xFF, 0xFE]);
        v.extend_from_slice(&((len - over) as u16).to_be_bytes());
        v.extend_from_slice(&j[6..6 + len - 2 - over]);
        v.extend_from_slice(&j[4 + len..]);
        j = v;
    }
    assert_eq!(j.len(), target);
    let d = decode_named("big.jpg", j).unwrap();
    let f = pairproof::compliance::pair::file_size(&[("hidden", &d)], &Default::default());
    assert_eq!(f.status, pairproof::compliance::Status::Fail);
}

// Row 36
#[test]
fn r36_trailing_garbage_and_appended_zip() {
    let mut j = bad::jpeg(&bad::sample(40, 40), 85);
    j.extend_from_slice(b"PK\x03\x04 an appended zip archive ...");
    let sha = pairproof::decode::sha256_hex(&j);
    let d = decode_named("poly.jpg", j).unwrap();
    assert_eq!(warn_codes(&d), vec!["W_TRAILING_DATA"]);
    assert_eq!(d.metadata.trailing_bytes, 32);
    assert_eq!(d.source.sha256, sha, "SHA-256 covers the whole file");
}

// Row 37
#[test]
fn r37_thumbnail_ifd_claims_do_not_override_the_primary() {
    let exif = bad::tiff(
        &[
            (0x010F, TiffVal::Ascii("PrimaryMake".into())),
            (0x0110, TiffVal::Ascii("PrimaryModel".into())),
        ],
        &[
            (0x0110, TiffVal::Ascii("ThumbModel".into())),
            (0x0103, TiffVal::Short(6)),
        ],
    );
    let mut body = b"Exif\0\0".to_vec();
    body.extend(exif);
    let d = decode_named(
        "t.jpg",
        bad::jpeg_insert_segment(&bad::jpeg(&bad::sample(32, 32), 85), 0xE1, &body),
    )
    .unwrap();
    let e = d.metadata.exif.unwrap();
    assert_eq!(e.model.as_deref(), Some("PrimaryModel"));
    assert_eq!(e.make.as_deref(), Some("PrimaryMake"));
}

#[test]
fn exif_summary_of_the_gps_fixture() {
    let d = decode::decode_path(&fixture("shoe-hidden-gps.jpg"), &Limits::default()).unwrap();
    let e = d.metadata.exif.unwrap();
    assert_eq!(e.make.as_deref(), Some("PairproofCam"));
    assert_eq!(e.model.as_deref(), Some("PP-1 Mark II"));
    assert_eq!(e.date_time_original.as_deref(), Some("2026:11:20 09:58:31"));
    assert_eq!(e.offset_time_original.as_deref(), Some("+08:00"));
    let gps = e.gps.unwrap();
    // 31°13'48" N, 121°28'12" E (written by fixtures/generate.py).
    assert!((gps.latitude.unwrap() - (31.0 + 13.0 / 60.0 + 48.0 / 3600.0)).abs() < 1e-9);
    assert!((gps.longitude.unwrap() - (121.0 + 28.0 / 60.0 + 12.0 / 3600.0)).abs() < 1e-9);
}

#[test]
fn jpeg_quality_estimate_of_fixtures() {
    // fixtures/generate.py saves with Pillow (libjpeg tables) at these qualities.
    for (f, q) in [("shoe-hidden.jpg", 92u8), ("shoe-hidden-q40.jpg", 40)] {
        let d = decode::decode_path(&fixture(f), &Limits::default()).unwrap();
        let est = d.metadata.jpeg_quality.unwrap();
        assert_eq!(est.quality, q, "{f}");
        assert_eq!(est.table_error, 0.0, "{f}: libjpeg tables match exactly");
    }
}

#[test]
fn fifo_and_devices_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.jpg");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let (tx, rx) = mpsc::channel();
    let f2 = fifo.clone();
    std::thread::spawn(move || {
        let _ = tx.send(decode::decode_path(&f2, &Limits::default()).map(|_| ()));
    });
    let r = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("opening a FIFO must not block");
    assert_eq!(r.unwrap_err().code(), "E_IO_NOT_REGULAR_FILE");
    let r = decode::decode_path(Path::new("/dev/zero"), &Limits::default());
    assert_eq!(r.unwrap_err().code(), "E_IO_NOT_REGULAR_FILE");
    let r = decode::decode_path(&dir.path().join("missing.jpg"), &Limits::default());
    assert_eq!(r.unwrap_err().code(), "E_IO_NOT_FOUND");
    assert_eq!(
        decode::decode_path(dir.path(), &Limits::default())
            .unwrap_err()
            .code(),
        "E_IO_NOT_REGULAR_FILE"
    );
}

#[test]
fn file_byte_cap_is_enforced_before_reading() {
    let limits = Limits {
        max_file_bytes: 1000,
        ..Limits::default()
    };
    let r = decode::decode_path(&fixture("shoe-hidden.jpg"), &limits);
    assert_eq!(r.unwrap_err().code(), "E_LIMIT_FILE_BYTES");
}

/// Peak RSS (VmHWM) of this test process after decoding the bombs: every row above runs in the
/// same process, so this bounds them all. Budget 512 MiB (reliability.md).
#[test]
fn peak_memory_stays_bounded() {
    r07_decompression_bomb_png_refused_from_header();
    r09_ztxt_text_bomb_is_ignored_and_pixels_decode();
    r11_png_exif_chunk_declaring_1_gib_allocates_nothing();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let hwm_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!(hwm_kb < 512 * 1024, "peak RSS {hwm_kb} kB exceeds 512 MiB");
}

// Rows 10/11 through the rule: metadata we refused to read means "GPS unknown" (warn), not pass.
#[test]
fn unreadable_or_oversized_exif_makes_gps_unknown() {
    let big = vec![0u8; 2 * 1024 * 1024];
    let png = bad::png_insert_after_ihdr(
        &bad::png(&bad::sample(32, 32)),
        &bad::png_chunk(b"eXIf", &big),
    );
    let d = decode_named("big-exif.png", png).unwrap();
    assert_eq!(warn_codes(&d), vec!["W_LIMIT_METADATA"]);
    let f = pairproof::compliance::pair::gps(&[("hidden", &d)]);
    assert_eq!(f.status, pairproof::compliance::Status::Warn);
}

// Row 25, for the pair check: two unrelated half-black/half-white images are not "the same".
#[test]
fn r25_bimodal_unrelated_images_are_not_judged_alike() {
    let lr = image::RgbImage::from_fn(100, 100, |x, _| {
        image::Rgb(if x < 50 { [0; 3] } else { [255; 3] })
    });
    let tb = image::RgbImage::from_fn(100, 100, |_, y| {
        image::Rgb(if y < 50 { [0; 3] } else { [255; 3] })
    });
    let sim = pairproof::similarity::compare(&lr, &tb, false).unwrap();
    assert!(sim.luma < 0.6, "{}", sim.luma);
}

#[test]
fn decoder_allocation_limit_gives_e_limit_memory() {
    let limits = Limits {
        max_decode_alloc_bytes: 10_000,
        ..Limits::default()
    };
    for (name, bytes) in [
        ("a.png", bad::png(&bad::sample(200, 200))),
        ("a.jpg", bad::jpeg(&bad::sample(200, 200), 90)),
    ] {
        let r = decode::decode_bytes(Path::new(name), &bytes, &limits);
        assert_eq!(code(&r), "E_LIMIT_MEMORY", "{name}");
    }
}

/// Tests run as root in CI, where chmod 000 does not stop reads: the binary is run as `nobody`
/// through `setpriv` (util-linux) instead.
#[test]
fn unreadable_file_gives_e_io_permission() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let f = dir.path().join("secret.jpg");
    std::fs::copy(fixture("shoe-hidden.jpg"), &f).unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let out = if is_root {
        // Run a copy from this 0755 temp dir: the build tree may sit under a directory `nobody`
        // cannot traverse (a clone under /root), which would fail for the wrong reason.
        let exe = dir.path().join("pairproof");
        std::fs::copy(env!("CARGO_BIN_EXE_pairproof"), &exe).unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&exe)
            .arg("lint")
            .arg(&f)
            .output()
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_pairproof"))
            .arg("lint")
            .arg(&f)
            .output()
    };
    let out = out.expect("run binary");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("E_IO_PERMISSION") && err.contains("secret.jpg"),
        "{err}"
    );
}

#[test]
fn unwritable_output_gives_e_output_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, b"x").unwrap();
    let e = pairproof::metadata::strip_file(
        &fixture("shoe-hidden-gps.jpg"),
        &not_a_dir,
        Default::default(),
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "E_OUTPUT");
    assert_eq!(std::fs::read(&not_a_dir).unwrap(), b"x");
}

#[test]
fn malformed_pair_list_line_gives_e_pair_list() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, "main,hidden\nonly-one-column.jpg\na.jpg,b.jpg\n").unwrap();
    let p = pairproof::batch::pairs_from_csv(&csv).unwrap();
    assert_eq!(p.pairs.len(), 1);
    assert_eq!(p.problems[0].code, "E_PAIR_LIST");
    assert!(
        p.problems[0].message.contains(":2:"),
        "{}",
        p.problems[0].message
    );
}

// Row 20 on a real file: Pillow's progressive JPEG decodes like its baseline twin.
#[test]
fn r20_real_progressive_jpeg_decodes() {
    let p = decode::decode_path(&fixture("shoe-progressive.jpg"), &Limits::default()).unwrap();
    let b = decode::decode_path(&fixture("shoe-baseline-240.jpg"), &Limits::default()).unwrap();
    assert_eq!(
        p.metadata.jpeg_coding,
        Some(pairproof::decode::Coding::Progressive)
    );
    assert_eq!(
        b.metadata.jpeg_coding,
        Some(pairproof::decode::Coding::Baseline)
    );
    let diff: f64 = p
        .pixels
        .as_raw()
        .iter()
        .zip(b.pixels.as_raw())
        .map(|(x, y)| (*x as f64 - *y as f64).abs())
        .sum::<f64>()
        / p.pixels.as_raw().len() as f64;
    // Same quality and tables; only the scan order differs, so decoded pixels agree to rounding.
    assert!(diff < 1.0, "mean |progressive − baseline| = {diff}");
}
