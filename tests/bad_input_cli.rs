//! The bad-input matrix through the real binary, for `check`, `lint`, `compare`, `evidence` and
//! `scan`: every bad file gives its stable code on stderr naming the file, exit 2, no panic,
//! no hang (each command runs under a 60 s limit) and bounded memory (peak RSS of every command
//! measured with GNU time, bound 512 MiB). Then the acceptance run: 1 000 good images
//! mixed with every bad file scan to the same groups as the good images alone, each bad file
//! reported once with its code.
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::bad;

/// Peak RSS bound for any single command on any bad input (the whole-process budget of
/// reliability.md).
const RSS_LIMIT_KIB: u64 = 512 * 1024;
const TIME_LIMIT: Duration = Duration::from_secs(60);

struct Run {
    code: Option<i32>,
    stderr: String,
    stdout: String,
    peak_rss_kib: u64,
}

/// Run the binary under GNU time (`/usr/bin/time -f %M`: peak RSS in KiB), killing it past
/// `limit`. Output is drained by a thread, so a large report cannot block the child.
fn run_for(args: &[&std::ffi::OsStr], dir: &Path, limit: Duration) -> Run {
    let rss_file = dir.join(format!(
        "rss-{}.txt",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let child = Command::new("/usr/bin/time")
        .env("LC_ALL", "en_US.UTF-8")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&rss_file)
        .arg(env!("CARGO_BIN_EXE_pairproof"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("GNU time (/usr/bin/time) is installed by .ci/run");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(limit) {
        Ok(o) => o.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("hang: {args:?} ran past {limit:?}");
        }
    };
    let rss = std::fs::read_to_string(&rss_file).unwrap_or_default();
    let peak_rss_kib = rss
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    Run {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        peak_rss_kib,
    }
}

fn run(args: &[&std::ffi::OsStr], dir: &Path) -> Run {
    run_for(args, dir, TIME_LIMIT)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Every error row of the matrix that a single file can carry: (file name, bytes, code).
/// The FIFO (row 29) is added by `bad_folder`.
fn bad_files() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let jpeg = bad::jpeg(&bad::sample(200, 150), 85);
    let png = bad::png(&bad::sample(200, 150));
    let mut crc = png.clone();
    crc[8 + 8 + 2] ^= 0x01;
    let mut huge = bad::jpeg(&bad::sample(64, 64), 80);
    let sof = bad::sof_offset(&huge);
    huge[sof + 5..sof + 7].copy_from_slice(&65500u16.to_be_bytes());
    huge[sof + 7..sof + 9].copy_from_slice(&65500u16.to_be_bytes());
    let mut arith = bad::jpeg(&bad::sample(48, 32), 85);
    let s2 = bad::sof_offset(&arith);
    arith[s2 + 1] = 0xC9;
    let mut exif1g = (1u32 << 30).to_be_bytes().to_vec();
    exif1g.extend_from_slice(b"eXIf");
    exif1g.extend_from_slice(b"MM\0*\0\0\0\x08");
    let gif = {
        use image::codecs::gif::GifEncoder;
        use image::{Delay, Frame, RgbaImage};
        let mut out = Vec::new();
        {
            let mut enc = GifEncoder::new(&mut out);
            for i in 0..1500usize {
                let f = RgbaImage::from_pixel(2, 2, image::Rgba([(i % 256) as u8, 0, 0, 255]));
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
    vec![
        ("r01-empty.jpg", vec![], "E_FILE_EMPTY"),
        (
            "r02-text.jpg",
            b"hello, not an image\n".to_vec(),
            "E_FORMAT_UNRECOGNIZED",
        ),
        (
            "r02-elf.jpg",
            b"\x7fELF\x02\x01\x01\0\0\0\0\0".to_vec(),
            "E_FORMAT_UNRECOGNIZED",
        ),
        (
            "r04-truncated.jpg",
            jpeg[..jpeg.len() / 2].to_vec(),
            "E_DECODE_TRUNCATED",
        ),
        (
            "r05-truncated.png",
            png[..png.len() / 3].to_vec(),
            "E_DECODE_TRUNCATED",
        ),
        ("r06-bad-crc.png", crc, "E_DECODE_CORRUPT"),
        (
            "r07-bomb.png",
            std::fs::read(fixture("bad/bomb.png")).unwrap(),
            "E_LIMIT_PIXELS",
        ),
        ("r08-huge-sof.jpg", huge, "E_LIMIT_DIMENSIONS"),
        (
            "r11-exif-1gib.png",
            bad::png_insert_after_ihdr(&bad::png(&bad::sample(32, 32)), &exif1g),
            "E_DECODE_TRUNCATED",
        ),
        ("r17-1500-frames.gif", gif, "E_LIMIT_FRAMES"),
        ("r20-arithmetic.jpg", arith, "E_FORMAT_UNSUPPORTED"),
        (
            "r21-photo.heic",
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(),
            "E_FORMAT_UNSUPPORTED",
        ),
    ]
}

/// The rows whose file decodes with a warning: (file name, bytes, warning code). Through every
/// command they must be measured (never an `E_…` error) and carry their warning.
fn warning_files() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let sample = bad::sample(96, 72);
    let png = bad::png(&sample);
    let mut crc_chunk = bad::png_chunk(b"tEXt", b"Comment\0hello");
    let n = crc_chunk.len();
    crc_chunk[n - 1] ^= 0xFF;
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&bad::tiff_ifd_loop());
    let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
    icc.extend_from_slice(b"garbage, not a profile");
    let mut trailing = bad::jpeg(&sample, 85);
    trailing.extend_from_slice(b"PK\x03\x04 an appended zip archive ...");
    let gif = {
        use image::codecs::gif::GifEncoder;
        use image::{Delay, Frame, RgbaImage};
        let mut out = Vec::new();
        {
            let mut enc = GifEncoder::new(&mut out);
            for i in 0..3u8 {
                let mut f = RgbaImage::new(96, 72);
                for (x, y, p) in f.enumerate_pixels_mut() {
                    let s = sample.get_pixel(x, y).0;
                    *p = image::Rgba([s[0] ^ i, s[1], s[2], 255]);
                }
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
    let rgba = {
        let mut img = image::RgbaImage::new(96, 72);
        for (x, y, p) in img.enumerate_pixels_mut() {
            let s = sample.get_pixel(x, y).0;
            *p = image::Rgba([s[0], s[1], s[2], if x < 10 { 0 } else { 255 }]);
        }
        bad::png_of(&image::DynamicImage::ImageRgba8(img))
    };
    let rgb16 = {
        let img = image::ImageBuffer::<image::Rgb<u16>, Vec<u16>>::from_fn(96, 72, |x, y| {
            let s = sample.get_pixel(x, y).0;
            image::Rgb([s[0] as u16 * 257, s[1] as u16 * 257, s[2] as u16 * 257])
        });
        bad::png_of(&image::DynamicImage::ImageRgb16(img))
    };
    vec![
        ("w03-png-named.jpg", png.clone(), "W_EXTENSION_MISMATCH"),
        (
            "w06-ancillary-crc.png",
            bad::png_insert_after_ihdr(&png, &crc_chunk),
            "W_ANCILLARY_CRC",
        ),
        (
            "w10-exif-loop.jpg",
            bad::jpeg_insert_segment(&bad::jpeg(&sample, 85), 0xE1, &exif),
            "W_EXIF_UNREADABLE",
        ),
        ("w14-16bit.png", rgb16, "W_HIGH_BIT_DEPTH"),
        ("w16-transparent.png", rgba, "W_ALPHA_COMPOSITED"),
        ("w17-animated.gif", gif, "W_ANIMATED"),
        (
            "w19-corrupt-icc.jpg",
            bad::jpeg_insert_segment(&bad::jpeg(&sample, 85), 0xE2, &icc),
            "W_ICC_UNREADABLE",
        ),
        ("w36-appended-zip.jpg", trailing, "W_TRAILING_DATA"),
    ]
}

#[test]
fn every_warning_file_through_every_command() {
    let t = tempfile::tempdir().unwrap();
    let o = |s: &str| std::ffi::OsString::from(s);
    for (name, bytes, code) in warning_files() {
        let p = t.path().join(name);
        std::fs::write(&p, &bytes).unwrap();
        let zip = t.path().join("case.zip");
        let commands: Vec<(&str, Vec<std::ffi::OsString>, &[i32])> = vec![
            (
                "lint",
                vec![o("lint"), o("--format"), o("json"), p.clone().into()],
                &[0, 1],
            ),
            (
                "check",
                vec![
                    o("check"),
                    o("--format"),
                    o("json"),
                    p.clone().into(),
                    p.clone().into(),
                ],
                &[0, 1],
            ),
            // A file is a copy of itself.
            (
                "compare",
                vec![o("compare"), p.clone().into(), p.clone().into()],
                &[1],
            ),
            (
                "evidence",
                vec![
                    o("evidence"),
                    p.clone().into(),
                    p.clone().into(),
                    o("--out"),
                    zip.clone().into(),
                    // The same bundle name for every file: each run replaces the last.
                    o("--force"),
                ],
                &[1],
            ),
        ];
        for (what, args, codes) in commands {
            let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
            let r = run(&refs, t.path());
            assert!(
                r.code.is_some_and(|c| codes.contains(&c)),
                "{what} {name}: exit {:?}\n{}",
                r.code,
                r.stderr
            );
            assert!(!r.stderr.contains("error["), "{what} {name}: {}", r.stderr);
            assert!(
                !r.stderr.contains("panicked"),
                "{what} {name}: {}",
                r.stderr
            );
            assert!(
                r.peak_rss_kib < RSS_LIMIT_KIB,
                "{what} {name}: {} KiB",
                r.peak_rss_kib
            );
            if what == "lint" || what == "check" {
                assert!(
                    r.stdout.contains(code),
                    "{what} {name}: JSON carries {code}\n{}",
                    r.stdout
                );
            }
        }
    }
}

/// Write the bad files (and a FIFO) into `dir`; returns (path, expected code).
fn bad_folder(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    std::fs::create_dir_all(dir).unwrap();
    let mut out: Vec<(PathBuf, &'static str)> = bad_files()
        .into_iter()
        .map(|(name, bytes, code)| {
            let p = dir.join(name);
            std::fs::write(&p, bytes).unwrap();
            (p, code)
        })
        .collect();
    let fifo = dir.join("r29-fifo.jpg");
    let ok = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo");
    out.push((fifo, "E_IO_NOT_REGULAR_FILE"));
    out
}

#[test]
fn every_bad_file_through_every_command() {
    let t = tempfile::tempdir().unwrap();
    let bad = bad_folder(&t.path().join("bad"));
    let good = t.path().join("good.png");
    common::cases::scene(300, 300, 1).save(&good).unwrap();
    let zip = t.path().join("case.zip");
    let mut peak = 0;
    for (p, code) in &bad {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let o = |s: &str| std::ffi::OsString::from(s);
        let commands: Vec<(&str, Vec<std::ffi::OsString>)> = vec![
            (
                "check",
                vec![o("check"), good.clone().into(), p.clone().into()],
            ),
            ("lint", vec![o("lint"), p.clone().into()]),
            (
                "compare",
                vec![o("compare"), good.clone().into(), p.clone().into()],
            ),
            (
                "evidence",
                vec![
                    o("evidence"),
                    good.clone().into(),
                    p.clone().into(),
                    o("--out"),
                    zip.clone().into(),
                    // The same bundle name for every file: each run replaces the last.
                    o("--force"),
                ],
            ),
        ];
        for (what, args) in commands {
            let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
            let r = run(&refs, t.path());
            assert_eq!(r.code, Some(2), "{what} {name}: exit\n{}", r.stderr);
            assert!(
                r.stderr.contains(&format!("[{code}]")) && r.stderr.contains(&name),
                "{what} {name}: stderr must give {code} and the file name:\n{}",
                r.stderr
            );
            assert!(
                !r.stderr.contains("panicked"),
                "{what} {name}: panic\n{}",
                r.stderr
            );
            assert!(
                r.peak_rss_kib > 0 && r.peak_rss_kib < RSS_LIMIT_KIB,
                "{what} {name}: {} KiB",
                r.peak_rss_kib
            );
            peak = peak.max(r.peak_rss_kib);
        }
        // The evidence bundle was still written and lists the file with its code.
        let mut z = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
        let mut report = String::new();
        std::io::Read::read_to_string(&mut z.by_name("report.json").unwrap(), &mut report).unwrap();
        assert!(report.contains(code), "{name}: report.json lists {code}");
    }
    eprintln!("peak RSS over all bad-input commands: {peak} KiB");
}

/// The acceptance run: 1 000 good images (with planted mirrored copies) plus every bad file.
#[test]
fn a_mixed_folder_groups_like_the_clean_one_and_reports_each_bad_file_once() {
    let t = tempfile::tempdir().unwrap();
    let clean = t.path().join("clean");
    let mixed = t.path().join("mixed");
    std::fs::create_dir_all(&clean).unwrap();
    for k in 0..1000u64 {
        let name = format!("g{k:04}.png");
        let img = if k % 10 == 9 {
            // Every tenth image is a mirrored copy of the one before it.
            image::imageops::flip_horizontal(&common::cases::scene(160, 120, 5000 + k - 1))
        } else {
            common::cases::scene(160, 120, 5000 + k)
        };
        img.save(clean.join(&name)).unwrap();
    }
    let cat = t.path().join("cat.sqlite");
    let scan = |dir: &Path| {
        // `--only-roots`: each folder is grouped on its own (the mixed folder must group like
        // the clean one), not against the clean folder the catalogue remembers.
        let args: Vec<std::ffi::OsString> = vec![
            "scan".into(),
            "--only-roots".into(),
            "--format".into(),
            "json".into(),
            "--catalogue".into(),
            cat.clone().into(),
            dir.into(),
        ];
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        // A whole scan of 1 000 images, not one file: a longer limit (≈ 30 s on 2 idle cores).
        let r = run_for(&refs, t.path(), Duration::from_secs(600));
        assert!(
            r.peak_rss_kib < RSS_LIMIT_KIB,
            "scan peak RSS {} KiB",
            r.peak_rss_kib
        );
        eprintln!("scan of {}: peak RSS {} KiB", dir.display(), r.peak_rss_kib);
        (
            r.code,
            serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap(),
        )
    };
    let (code, want) = scan(&clean);
    assert_eq!(code, Some(1), "the planted copies are found");
    // The mixed folder: the same good files (copied: other paths, same bytes) and the bad ones.
    let bad = bad_folder(&mixed.join("incoming"));
    // The warning rows too: decodable files with a warning, scanned like any other; they are
    // variants of one sample picture, so they form their own group(s) in `incoming/`.
    for (name, bytes, _) in warning_files() {
        std::fs::write(mixed.join("incoming").join(name), bytes).unwrap();
    }
    for e in std::fs::read_dir(&clean).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), mixed.join(e.file_name())).unwrap();
    }
    let (code, got) = scan(&mixed);
    assert_eq!(
        code,
        Some(2),
        "bad files make the exit 2; the scan still completes"
    );
    let rel = |doc: &serde_json::Value, root: &Path| -> Vec<Vec<String>> {
        let root = std::fs::canonicalize(root).unwrap().display().to_string();
        doc["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                g["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| {
                        m["path"]
                            .as_str()
                            .unwrap()
                            .trim_start_matches(&root)
                            .to_string()
                    })
                    .collect()
            })
            .collect()
    };
    let good_groups: Vec<Vec<String>> = rel(&got, &mixed)
        .into_iter()
        .filter(|g| !g.iter().any(|p| p.starts_with("/incoming/")))
        .collect();
    assert_eq!(good_groups, rel(&want, &clean));
    let warned: Vec<Vec<String>> = rel(&got, &mixed)
        .into_iter()
        .filter(|g| g.iter().any(|p| p.starts_with("/incoming/")))
        .collect();
    assert!(
        warned
            .iter()
            .all(|g| g.iter().all(|p| p.starts_with("/incoming/w"))),
        "warning files group only among themselves: {warned:?}"
    );
    assert_eq!(rel(&want, &clean).len(), 100);
    // Each bad file exactly once, with its code.
    let mut reported: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in got["problems"].as_array().unwrap() {
        reported
            .entry(p["path"].as_str().unwrap().to_string())
            .or_default()
            .push(p["code"].as_str().unwrap().to_string());
    }
    assert_eq!(reported.len(), bad.len(), "{reported:?}");
    for (p, code) in &bad {
        let key = std::fs::canonicalize(p.parent().unwrap())
            .unwrap()
            .join(p.file_name().unwrap())
            .display()
            .to_string();
        assert_eq!(reported.get(&key), Some(&vec![code.to_string()]), "{key}");
    }
    assert_eq!(
        got["stats"]["analysed"], 8,
        "only the eight warning files are new content; the good ones are recognised"
    );
}
