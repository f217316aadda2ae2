//! The command line in Chinese and English (issue 17 item 2): the real binary, its words chosen
//! by `--lang` or LC_ALL / LC_MESSAGES / LANG; codes, exit codes and JSON do not change. The
//! expected sentences are written here by hand (what a Chinese seller should read), not copied
//! from the binary's output.
use std::path::{Path, PathBuf};
use std::process::Command;

use pairproof::check::{check_pair, CheckOptions};
use pairproof::i18n::{finding_words, Files, Lang};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The binary with the locale variables given (and no others).
fn run(env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pairproof"));
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    for (k, v) in env {
        c.env(k, v);
    }
    c.current_dir(env!("CARGO_MANIFEST_DIR")).args(args);
    let o = c.output().expect("binary runs");
    (
        o.status.code().expect("exited normally"),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const PROMO: [&str; 3] = [
    "check",
    "fixtures/shoe-main-promo.jpg",
    "fixtures/shoe-hidden.jpg",
];

/// The README's headline example, in Chinese: the verdict, the SSIM line, the overlay the main
/// may carry, and the fix, each in the page's words.
#[test]
fn the_headline_check_reads_in_chinese() {
    let (code, out, _) = run(&[], &[&PROMO[..], &["--lang", "zh-CN"]].concat());
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "能通过，但有风险  隐藏图 fixtures/shoe-hidden.jpg 对比主图 fixtures/shoe-main-promo.jpg"
    );
    assert!(lines[1].starts_with("  SSIM 0.92"), "{}", lines[1]);
    assert!(lines[1].contains("门槛 0.92，余量 +0.00"), "{}", lines[1]);
    assert!(lines[1].ends_with("风险：有风险"), "{}", lines[1]);
    assert!(lines[2].starts_with("  警告 ssim "), "{}", lines[2]);
    assert!(
        lines[2].contains("再保存一次就可能低于 0.92。（建议）"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains("修改方法：用与主图相同的原图导出隐藏图"),
        "{}",
        lines[3]
    );
    for want in [
        "  通过 dims.equal              两张图都是 1000×1000。",
        "主图上有底部横幅和右上角角标。主图上的横幅、角标等叠加内容是允许的。",
        "测量时没有计入主图上的叠加内容（底部横幅和右上角角标）。",
        "隐藏图干净：没有发现二维码、条形码、边框、横幅、贴纸、文字、水印或箭头",
        "  两张图不同的地方（局部 SSIM < 0.8），从大到小：",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    // No English sentence is left: every finding's reason is worded.
    for english in [
        "the product",
        "the main image",
        "both images",
        "fix:",
        "where they differ",
    ] {
        assert!(!out.contains(english), "English {english:?} in\n{out}");
    }
}

/// A dirty hidden image fails in Chinese with the same exit code as in English.
#[test]
fn a_dirty_hidden_image_fails_in_chinese() {
    let args = [
        "check",
        "fixtures/shoe-main-promo.jpg",
        "fixtures/shoe-hidden-banner.jpg",
    ];
    let (code, out, _) = run(&[("LANG", "zh_CN.UTF-8")], &args);
    assert_eq!(code, 1);
    assert!(out.starts_with("会被拒绝  "), "{out}");
    assert!(
        out.contains(
            "  失败 hidden.clean.banner     隐藏图上有横幅（1 处）。平台会拒绝带有横幅的隐藏图。"
        ),
        "{out}"
    );
    assert!(
        out.contains("修改方法：使用添加任何叠加内容之前的原始照片。"),
        "{out}"
    );
    let (code_en, out_en, _) = run(&[], &args);
    assert_eq!(code_en, 1);
    assert!(out_en.starts_with("FAIL  hidden "), "{out_en}");
}

/// POSIX precedence: LC_ALL over LC_MESSAGES over LANG; `--lang` over all of them; a locale
/// without words (C, fr_FR) means English.
#[test]
fn the_language_follows_the_flag_then_the_environment() {
    let first = |env: &[(&str, &str)], extra: &[&str]| {
        let (_, out, _) = run(env, &[&PROMO[..], extra].concat());
        out.lines().next().unwrap_or_default().to_string()
    };
    let zh = "能通过，但有风险";
    let en = "PASS (with warnings)";
    assert!(first(&[("LANG", "zh_CN.UTF-8")], &[]).starts_with(zh));
    assert!(first(
        &[("LC_MESSAGES", "zh_CN.UTF-8"), ("LANG", "en_US.UTF-8")],
        &[]
    )
    .starts_with(zh));
    assert!(first(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")], &[]).starts_with(en));
    assert!(first(&[("LANG", "zh_CN.UTF-8")], &["--lang", "en"]).starts_with(en));
    assert!(first(&[("LANG", "fr_FR.UTF-8")], &[]).starts_with(en));
    assert!(first(&[("LANG", "C")], &["--lang=zh-CN"]).starts_with(zh));
    assert!(first(&[], &[]).starts_with(en));
}

/// JSON, codes and exit codes are language-neutral: the same bytes in both languages.
#[test]
fn json_does_not_depend_on_the_language() {
    let json = [&PROMO[..], &["--format", "json"]].concat();
    let (c1, en, _) = run(&[], &json);
    let (c2, zh, _) = run(&[("LANG", "zh_CN.UTF-8")], &json);
    assert_eq!((c1, &en), (c2, &zh));
    assert!(en.contains("\"schema\": \"pairproof.check/"), "{en}");
}

/// An input error names the code and the file, with the code's sentence in Chinese.
#[test]
fn errors_read_in_chinese_and_keep_their_code() {
    let (code, _, err) = run(
        &[("LANG", "zh_CN.UTF-8")],
        &[
            "check",
            "fixtures/no-such-file.jpg",
            "fixtures/shoe-hidden.jpg",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("错误[E_IO_NOT_FOUND]：文件不存在。"), "{err}");
    assert!(err.contains("fixtures/no-such-file.jpg"), "{err}");
    let (code, _, err) = run(&[("LANG", "zh_CN.UTF-8")], &["check", "--bogus"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("命令行用法有误（E_USAGE）"), "{err}");
}

/// Help summaries are Chinese too; English help is clap's, from the doc comments.
#[test]
fn help_reads_in_chinese() {
    let (code, out, _) = run(&[], &["--lang", "zh-CN", "check", "--help"]);
    assert_eq!(code, 0);
    for want in [
        "检查隐藏图与主图：平台的每一条规则",
        "用法：pairproof check",
        "主图（可以带促销文字、标志、边框）",
        "把局部 SSIM 热力图",
        "显示帮助",
        "[默认：text] [可选：text、json]",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    let (_, top, _) = run(&[("LANG", "zh_CN.UTF-8")], &["--help"]);
    assert!(top.contains("在图库中查找一张照片的所有副本"), "{top}");
    assert!(top.contains("退出码：0 通过"), "{top}");
    let (_, en, _) = run(&[], &["check", "--help"]);
    assert!(
        en.contains("Check a hidden image against its main image"),
        "{en}"
    );
}

/// `lint` and `compare` speak Chinese: the summary line, the verdict and the change words.
#[test]
fn lint_and_compare_read_in_chinese() {
    let (code, out, _) = run(
        &[],
        &["--lang", "zh-CN", "lint", "fixtures/shoe-small-600.jpg"],
    );
    assert_eq!(code, 1);
    assert!(out.contains("600×600 小于 800×800。"), "{out}");
    assert!(
        out.contains("共 1 张图片：0 张通过，0 张有警告，1 张不通过，0 张出错"),
        "{out}"
    );
    let (code, out, _) = run(
        &[("LANG", "zh_CN.UTF-8")],
        &[
            "compare",
            "fixtures/shoe-main.jpg",
            "fixtures/shoe-stolen-copy.jpg",
        ],
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("是副本  相似度 "), "{out}");
    assert!(out.contains("个匹配点"), "{out}");
    assert!(out.contains("左右镜像"), "{out}");
}

/// Every finding the shipped fixtures give has Chinese words of its own (none falls back to
/// the English message), so a reason added to the library without words is caught here.
#[test]
fn every_fixture_finding_has_chinese_words() {
    let mains = ["shoe-main.jpg", "shoe-main-promo.jpg"];
    let hiddens = [
        "shoe-hidden.jpg",
        "shoe-hidden-banner.jpg",
        "shoe-hidden-gps.jpg",
        "shoe-hidden-adobergb.jpg",
        "shoe-hidden-1px-taller.jpg",
        "shoe-hidden-png-named.jpg",
        "shoe-hidden-q40.jpg",
        "shoe-hidden-qr20.jpg",
        "shoe-hidden-watermark30.jpg",
        "shoe-hidden-grey.jpg",
        "shoe-cmyk.jpg",
        "shoe-16bit.png",
        "shoe-small-600.jpg",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for m in mains {
        for h in hiddens {
            let pc = check_pair(
                &fixture(m),
                &fixture(h),
                &Default::default(),
                &Default::default(),
                CheckOptions::default(),
            );
            let r = &pc.report;
            let files = Files {
                main: r.main.as_ref(),
                hidden: r.hidden.as_ref(),
                image: None,
            };
            for f in &r.findings {
                let zh = finding_words(Lang::ZhCn, f, files);
                assert_ne!(
                    zh.message, f.message,
                    "{m} + {h}: {} {:?} has no Chinese words",
                    f.id, f.reason
                );
                assert!(
                    zh.message
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{m} + {h}: {} reads {:?}",
                    f.id,
                    zh.message
                );
                assert_eq!(zh.fix.is_some(), f.fix.is_some(), "{m} + {h}: {} fix", f.id);
                seen.insert((f.id, format!("{:?}", f.reason)));
            }
        }
    }
    assert!(
        seen.len() >= 25,
        "only {} id/reason pairs met: {seen:?}",
        seen.len()
    );
}

/// The README shows the headline check in Chinese; it is what the binary prints.
#[test]
fn the_readme_shows_what_the_chinese_check_prints() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let cmd = "$ pairproof check --lang zh-CN shoe-main-promo.jpg shoe-hidden.jpg\n";
    let start = readme.find(cmd).expect("README has the Chinese example") + cmd.len();
    let shown = &readme[start..start + readme[start..].find("```").expect("block ends")];
    let o = Command::new(env!("CARGO_BIN_EXE_pairproof"))
        .env_remove("LC_ALL")
        .env_remove("LANG")
        .current_dir(fixture(""))
        .args([
            "check",
            "--lang",
            "zh-CN",
            "shoe-main-promo.jpg",
            "shoe-hidden.jpg",
        ])
        .output()
        .expect("binary runs");
    assert_eq!(String::from_utf8_lossy(&o.stdout), shown);
}

/// `fix` and `strip` report what they changed in Chinese.
#[test]
fn fix_and_strip_read_in_chinese() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("fixed");
    let (code, text, err) = run(
        &[("LANG", "zh_CN.UTF-8")],
        &[
            "fix",
            "fixtures/shoe-main.jpg",
            "fixtures/shoe-hidden-gps.jpg",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{text}{err}");
    assert!(
        text.starts_with("修复前：会被拒绝  →  修复后：可以上传\n已写入：\n  主图   "),
        "{text}"
    );
    assert!(
        text.contains("  隐藏图：已删除带 GPS 位置的 EXIF（像素不变，方向保留）"),
        "{text}"
    );
    let stripped = t.path().join("stripped");
    let (code, text, err) = run(
        &[],
        &[
            "--lang",
            "zh-CN",
            "strip",
            "fixtures/shoe-hidden-gps.jpg",
            "--out",
            stripped.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("像素完全相同；GPS 已删除）"), "{text}");
}
