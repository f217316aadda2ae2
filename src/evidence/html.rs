//! `report.html`: one self-contained page (inline CSS, images as data URIs, no script, no
//! network), printable, in English or Simplified Chinese.

use base64::Engine;
use image::RgbImage;

use super::align::Alignment;
use super::{FileEntry, Lang, Report, SuspectEntry};

/// Long side of the images embedded in the page.
const PREVIEW_SIDE: u32 = 560;

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

fn data_uri(img: &RgbImage, png: bool) -> String {
    let (w, h) = img.dimensions();
    let s = PREVIEW_SIDE as f64 / w.max(h) as f64;
    let small = if s < 1.0 {
        image::imageops::resize(
            img,
            ((w as f64 * s).round() as u32).max(1),
            ((h as f64 * s).round() as u32).max(1),
            image::imageops::FilterType::Triangle,
        )
    } else {
        img.clone()
    };
    let mut buf = Vec::new();
    let mut cur = std::io::Cursor::new(&mut buf);
    let mime = if png {
        let _ = image::DynamicImage::ImageRgb8(small).write_to(&mut cur, image::ImageFormat::Png);
        "image/png"
    } else {
        let _ =
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut cur, 88).encode_image(&small);
        "image/jpeg"
    };
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&buf)
    )
}

const CSS: &str = "
body{font-family:'Noto Sans','Noto Sans CJK SC','Microsoft YaHei','PingFang SC',Arial,sans-serif;margin:2em auto;max-width:1100px;color:#1a1a1a;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #333;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0}code,.mono{font-family:'DejaVu Sans Mono',Consolas,monospace;font-size:.85em;word-break:break-all}
.verdict{font-size:1.15em;font-weight:bold;padding:.5em .8em;border-radius:4px;display:inline-block}
.match{background:#fde2e1;color:#8a1c16;border:1px solid #d9534f}.no_match{background:#e6f4ea;color:#1e5631;border:1px solid #4caf50}
.unreadable{background:#fff4d6;color:#7a5b00;border:1px solid #e0a800}
.pair{display:flex;gap:1em;flex-wrap:wrap}.pair figure{flex:1 1 45%;margin:0;min-width:260px}
figure img{width:100%;height:auto;border:1px solid #999;background:#eee}figcaption{font-size:.9em;color:#444}
.claimed{background:#fafafa;border-left:4px solid #999;padding:.4em .8em}
.status-consistent{color:#1e5631}.status-inconsistent{color:#8a1c16;font-weight:bold}.status-note{color:#7a5b00}.status-not_available{color:#666}
.suspect{page-break-inside:avoid;break-inside:avoid}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}.pair figure{flex:1 1 45%}}
";

/// Render the page. `original` and each preview's pixels are embedded downscaled. A bilingual
/// report (`Lang::Both`) is the whole report in English, then the whole report in Chinese, each
/// a section with its own `lang` (a reviewer reads one language end to end; mixing the two
/// line by line doubles every table).
pub fn render(
    r: &Report,
    original: Option<&RgbImage>,
    previews: &[(Option<RgbImage>, Option<Alignment>)],
) -> String {
    let title = match r.lang {
        Lang::En => "Image copy evidence report".to_string(),
        Lang::ZhCn => "图片盗用证据报告".to_string(),
        Lang::Both => "Image copy evidence report · 图片盗用证据报告".to_string(),
    };
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\
<title>{}</title><style>{CSS}</style></head><body>\n",
        r.lang.code(),
        esc(&title)
    );
    // Pictures are encoded once: a bilingual report shows each of them in both sections.
    let pics = Pictures::encode(original, previews);
    match r.lang {
        Lang::En => h.push_str(&body(r, false, &pics)),
        Lang::ZhCn => h.push_str(&body(r, true, &pics)),
        Lang::Both => {
            h.push_str("<nav><a href=\"#en\">English</a> · <a href=\"#zh-CN\">中文</a></nav>\n");
            for (id, zh) in [("en", false), ("zh-CN", true)] {
                h.push_str(&format!("<section id=\"{id}\" lang=\"{id}\">\n"));
                h.push_str(&body(r, zh, &pics));
                h.push_str("</section>\n");
            }
        }
    }
    h.push_str("</body></html>\n");
    h
}

/// The report's pictures as `data:` URIs: the original, and per suspect the copy as found and,
/// when aligned, the overlay and the heatmap.
struct Pictures {
    original: Option<String>,
    suspects: Vec<SuspectPictures>,
}

struct SuspectPictures {
    copy: Option<String>,
    overlay_heatmap: Option<(String, String)>,
}

impl Pictures {
    fn encode(
        original: Option<&RgbImage>,
        previews: &[(Option<RgbImage>, Option<Alignment>)],
    ) -> Pictures {
        Pictures {
            original: original.map(|o| data_uri(o, false)),
            suspects: previews
                .iter()
                .map(|(pix, al)| SuspectPictures {
                    copy: pix.as_ref().map(|p| data_uri(p, false)),
                    overlay_heatmap: al
                        .as_ref()
                        .map(|a| (data_uri(&a.overlay, false), data_uri(&a.heatmap, true))),
                })
                .collect(),
        }
    }
}

/// The report's content in one language.
fn body(r: &Report, zh: bool, pics: &Pictures) -> String {
    let t = |en: &str, z: &str| -> String {
        if zh {
            z.to_string()
        } else {
            en.to_string()
        }
    };
    let mut h = String::new();
    h.push_str(&format!(
        "<h1>{}</h1>\n<table><tr><th>{}</th><td class=mono>{}</td></tr><tr><th>{}</th><td>{}</td></tr>\
<tr><th>{}</th><td>pairproof {}</td></tr><tr><th>{}</th><td class=mono>{}</td></tr></table>\n",
        esc(&t("Image copy evidence report", "图片盗用证据报告")),
        esc(&t("Report id", "报告编号")),
        esc(&r.report_id),
        esc(&t("Created (UTC)", "生成时间（UTC）")),
        esc(&r.created_utc),
        esc(&t("Tool", "工具")),
        esc(r.tool_version),
        esc(&t("Command line", "命令行")),
        esc(&r.command_line),
    ));
    let mut case_rows = String::new();
    if let Some(c) = &r.case.claimant {
        case_rows.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>",
            esc(&t("Claimed by", "权利人")),
            esc(c)
        ));
    }
    if let Some(d) = &r.case.found_on {
        case_rows.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>",
            esc(&t("Copies found on", "发现副本日期")),
            esc(d)
        ));
    }
    if !case_rows.is_empty() {
        h.push_str(&format!("<table class=case>{case_rows}</table>\n"));
    }

    // Summary.
    h.push_str(&format!("<h2>{}</h2>\n<ul>\n", esc(&t("Summary", "结论"))));
    for s in &r.suspects {
        h.push_str(&format!(
            "<li><span class=\"verdict {}\">{}</span> {} — {}</li>\n",
            s.result.verdict.as_str(),
            esc(s.result.verdict.words(zh)),
            esc(&s.file.name),
            esc(if zh {
                &s.result.words_zh
            } else {
                &s.result.words_en
            })
        ));
    }
    h.push_str("</ul>\n");

    // Inventory.
    h.push_str(&format!(
        "<h2>{}</h2>\n<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>SHA-256</th><th>{}</th></tr>\n",
        esc(&t("Inventory", "文件清单")),
        esc(&t("Role", "角色")),
        esc(&t("File", "文件")),
        esc(&t("Bytes", "字节")),
        esc(&t("Format (by content)", "格式（按内容）")),
        esc(&t("Dimensions", "尺寸")),
        esc(&t("In bundle", "包内路径")),
    ));
    let all: Vec<&FileEntry> = std::iter::once(&r.original)
        .chain(r.suspects.iter().map(|s| &s.file))
        .chain(&r.authorisation)
        .collect();
    for f in all {
        let role = match (f.role, zh) {
            ("original", false) => "original",
            ("original", true) => "原图",
            ("suspect", false) => "suspected copy",
            ("suspect", true) => "疑似副本",
            (_, false) => "authorisation",
            (_, true) => "授权文件",
        };
        let dims = match (f.width, f.height) {
            (Some(w), Some(hh)) => format!("{w}×{hh}"),
            _ => "—".into(),
        };
        let mut sha = f.sha256.clone().unwrap_or_else(|| "—".into());
        if let Some(e) = &f.error {
            sha = format!("{sha} — [{}] {}", e.code, e.message);
        }
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=mono>{}</td><td class=mono>{}</td></tr>\n",
            esc(role),
            esc(&f.name),
            f.bytes.map(|b| b.to_string()).unwrap_or_else(|| "—".into()),
            esc(f.format.as_deref().unwrap_or("—")),
            dims,
            esc(&sha),
            esc(f.bundle_path.as_deref().unwrap_or("—")),
        ));
    }
    h.push_str("</table>\n");

    // Claimed metadata.
    h.push_str(&format!(
        "<h2>{}</h2>\n<div class=claimed><p>{}</p>\n",
        esc(&t("Claimed metadata of the original", "原图声明的元数据")),
        esc(&t(
            "These values are read from the file's EXIF block. They are claimed, not proven: EXIF can be edited. The checks below look for internal contradictions.",
            "以下数值读取自文件的 EXIF 信息。它们只是声明，而非证明：EXIF 可以被编辑。下方的检查用于发现内部矛盾。"
        ))
    ));
    match &r.claimed_metadata {
        None => h.push_str(&format!(
            "<p>{}</p>",
            esc(&t("The original could not be decoded.", "原图无法解码。"))
        )),
        Some(c) if !c.exif_present => h.push_str(&format!(
            "<p>{}</p>",
            esc(&t(
                "The original has no EXIF metadata (no capture time or camera recorded).",
                "原图没有 EXIF 元数据（未记录拍摄时间或相机）。"
            ))
        )),
        Some(c) => {
            let row = |k: String, v: &Option<String>| {
                format!(
                    "<tr><th>{}</th><td>{}</td></tr>\n",
                    esc(&k),
                    esc(v.as_deref().unwrap_or("—"))
                )
            };
            h.push_str("<table>\n");
            h.push_str(&row(
                t(
                    "Capture time (DateTimeOriginal)",
                    "拍摄时间（DateTimeOriginal）",
                ),
                &c.date_time_original,
            ));
            h.push_str(&row(
                t(
                    "Time zone offset (OffsetTimeOriginal)",
                    "时区偏移（OffsetTimeOriginal）",
                ),
                &c.offset_time_original,
            ));
            h.push_str(&row(
                t("Last saved (DateTime)", "最后保存（DateTime）"),
                &c.date_time,
            ));
            h.push_str(&row(t("Camera make", "相机品牌"), &c.make));
            h.push_str(&row(t("Camera model", "相机型号"), &c.model));
            h.push_str(&row(t("Lens", "镜头"), &c.lens_model));
            h.push_str(&row(t("Software", "软件"), &c.software));
            h.push_str(&row(t("Artist", "作者（Artist）"), &c.artist));
            h.push_str(&row(t("Copyright", "版权（Copyright）"), &c.copyright));
            let gps = if c.gps_present {
                match c.gps.as_deref() {
                    Some("redacted") => t(
                        "present (coordinates redacted; use --show-gps to include them)",
                        "存在（坐标已隐藏；使用 --show-gps 显示）",
                    ),
                    Some(v) => format!("{} {v}", t("present:", "存在：")),
                    None => t("present", "存在"),
                }
            } else {
                t("none", "无")
            };
            h.push_str(&row(t("GPS location", "GPS 位置"), &Some(gps)));
            h.push_str("</table>\n<ul>\n");
            for ch in &c.checks {
                h.push_str(&format!(
                    "<li class=\"status-{}\">{}: {}</li>\n",
                    ch.status,
                    esc(&status_word(ch.status, zh)),
                    esc(if zh { &ch.zh } else { &ch.en })
                ));
            }
            h.push_str("</ul>\n");
        }
    }
    h.push_str("</div>\n");

    // Per suspect.
    for (i, (s, sp)) in r.suspects.iter().zip(&pics.suspects).enumerate() {
        h.push_str(&suspect_section(i + 1, s, pics.original.as_deref(), sp, zh));
    }

    // Method, limits, verification.
    h.push_str(&format!(
        "<h2>{}</h2>\n<p>{}</p>\n<ul><li>{}</li><li>{}</li><li>{}</li><li>{}</li></ul>\n",
        esc(&t("Method and its limits", "方法及其局限")),
        esc(&t(
            "Each suspected copy is compared with the original in two independent ways. Fingerprints: PDQ perceptual hashes (Meta's open algorithm) of the whole picture and of the product cut out of its background, in all 8 orientations. Geometry: distinctive points are matched between the two pictures and a single consistent placement (shift, scale, rotation, mirror) is searched for; the number of points that agree is the strength of the evidence. The aligned overlay maps the copy onto the original with that placement; SSIM (the structural similarity index) is then measured where they overlap.",
            "每张疑似副本都用两种相互独立的方法与原图比较。指纹：对整张图片以及从背景中抠出的商品，计算 8 个方向的 PDQ 感知哈希（Meta 的公开算法）。几何：在两张图片之间匹配特征点，并寻找一个一致的摆放方式（平移、缩放、旋转、镜像）；一致的特征点数量即证据的强度。对齐叠加图按该摆放方式把副本映射到原图上，然后在重叠区域计算 SSIM（结构相似性指数）。"
        )),
        esc(&t(&format!("Similarity is calibrated: at {:.2} and above, no unrelated pair was seen among 31,605 pairs of the benchmark this tool was tested on; 97.6 % of real copies scored above it.", r.match_threshold), &format!("相似度经过校准：在本工具测试所用基准的 31,605 对无关图片中，没有一对达到 {:.2}；真实副本中有 97.6 % 高于该值。", r.match_threshold))),
        esc(&t("A high score shows the two files share the same photograph. It does not by itself show who took it first; that is what the claimed metadata, the original files and the authorisation documents are for.", "高分表明两个文件来自同一张照片，但本身并不能证明谁先拍摄；这需要结合声明的元数据、原始文件和授权文件。")),
        esc(&t("Copies that are heavily redrawn, rotated by more than 30°, or reduced to a small part of the picture may not be recognised. A \"no match\" is never a forced alignment.", "经过大量重绘、旋转超过 30° 或只保留图片一小部分的副本可能无法识别。“不匹配”绝不是强行对齐的结果。")),
        esc(&t("EXIF can be edited by anyone; treat it as a claim to be checked against the original files.", "任何人都可以编辑 EXIF；请将其视为需要用原始文件核实的声明。")),
    ));
    h.push_str(&format!(
        "<h2>{}</h2>\n<ol><li>{}<br><code>sha256sum -c SHA256SUMS</code></li><li>{}<br><code>pairproof verify case.zip</code></li></ol>\n",
        esc(&t("How to verify this bundle", "如何核验本证据包")),
        esc(&t("Unzip the bundle and check that no file was changed:", "解压证据包并检查没有任何文件被修改：")),
        esc(&t("Recompute every hash and every score from the bundled originals:", "根据包内原始文件重新计算所有哈希值和分数：")),
    ));
    h
}

fn status_word(s: &str, zh: bool) -> String {
    match (s, zh) {
        ("consistent", false) => "consistent",
        ("consistent", true) => "一致",
        ("note", false) => "note",
        ("note", true) => "提示",
        ("inconsistent", false) => "inconsistent",
        ("inconsistent", true) => "不一致",
        (_, false) => "not available",
        (_, true) => "无法检查",
    }
    .to_string()
}

fn suspect_section(
    idx: usize,
    s: &SuspectEntry,
    orig: Option<&str>,
    pics: &SuspectPictures,
    zh: bool,
) -> String {
    let t = |en: &str, z: &str| -> String {
        if zh {
            z.to_string()
        } else {
            en.to_string()
        }
    };
    let r = &s.result;
    let mut h = format!(
        "<div class=suspect><h2>{} {idx}: {}</h2>\n<p><span class=\"verdict {}\">{}</span></p>\n<p>{}</p>\n",
        esc(&t("Suspected copy", "疑似副本")),
        esc(&s.file.name),
        r.verdict.as_str(),
        esc(r.verdict.words(zh)),
        esc(if zh { &r.words_zh } else { &r.words_en })
    );
    if let Some(u) = &s.listing_url {
        // Text, not a link: the report fetches nothing and opens nothing by itself.
        h.push_str(&format!(
            "<p>{} <code>{}</code></p>\n",
            esc(&t("Found at listing:", "发现于商品页面：")),
            esc(u)
        ));
    }
    if let (Some(o), Some(p)) = (orig, &pics.copy) {
        h.push_str(&format!(
            "<div class=pair><figure><img src=\"{o}\" alt=\"original\"><figcaption>{}</figcaption></figure>\
<figure><img src=\"{}\" alt=\"suspect\"><figcaption>{}</figcaption></figure></div>\n",
            esc(&t("Original", "原图")),
            p,
            esc(&t("Suspected copy, as found", "疑似副本（原样）"))
        ));
    }
    if let Some((overlay, heatmap)) = &pics.overlay_heatmap {
        h.push_str(&format!(
            "<div class=pair><figure><img src=\"{}\" alt=\"overlay\"><figcaption>{}</figcaption></figure>\
<figure><img src=\"{}\" alt=\"heatmap\"><figcaption>{}</figcaption></figure></div>\n",
            overlay,
            esc(&t(
                "Aligned overlay: the copy mapped onto the original's frame (grey = not in the copy)",
                "对齐叠加图：副本映射到原图画面上（灰色 = 副本中没有的部分）"
            )),
            heatmap,
            esc(&t(
                "Difference heatmap on the overlap: local SSIM, fixed scale (dark = identical, yellow = different; grey = no overlap)",
                "重叠区域差异热图：局部 SSIM，固定色标（深色 = 相同，黄色 = 不同；灰色 = 无重叠）"
            ))
        ));
    }
    let f3 = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "—".into());
    let line = super::MATCH_THRESHOLD;
    let rows: Vec<(String, String, String)> = vec![
        (
            t("Calibrated similarity", "校准相似度"),
            format!("{:.3}", r.similarity),
            t(
                &format!("0–1; a match at {line:.2} or above (the platform flags more than 85 %)"),
                &format!("0–1；{line:.2} 及以上为匹配（平台对超过 85 % 的相似进行标记）"),
            ),
        ),
        (
            t("PDQ hash distance", "PDQ 哈希距离"),
            r.hash_distance.map(|d| format!("{d} / 256")).unwrap_or_else(|| "—".into()),
            t("bits that differ between the closest fingerprints (any view, any orientation); unrelated photos sit near 128", "最接近的指纹之间不同的比特数（任意视图、任意方向）；无关照片约为 128"),
        ),
        (
            t("PDQ quality (original / copy)", "PDQ 质量（原图 / 副本）"),
            format!(
                "{} / {}",
                r.quality_original.map(|q| q.to_string()).unwrap_or_else(|| "—".into()),
                r.quality_suspect.map(|q| q.to_string()).unwrap_or_else(|| "—".into())
            ),
            t("0–100; below 50 the picture is too plain for its fingerprint to count alone", "0–100；低于 50 表示画面过于单调，指纹不能单独作为依据"),
        ),
        (
            t("Matching points", "匹配特征点"),
            r.inliers.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
            t("points that agree on one placement; 16 or more verifies the pair", "符合同一摆放方式的特征点；16 个及以上即验证成立"),
        ),
        (
            t("SSIM on the aligned overlap", "对齐重叠区域的 SSIM"),
            f3(r.ssim_overlap),
            t("structural similarity (Wang et al. 2004) where the two overlap; 1 = identical", "两图重叠处的结构相似性（Wang 等, 2004）；1 = 完全相同"),
        ),
        (
            t("Share of the original covered", "原图被覆盖的比例"),
            r.coverage.map(|c| format!("{:.0} %", c * 100.0)).unwrap_or_else(|| "—".into()),
            t("how much of the original appears in the copy", "原图有多少出现在副本中"),
        ),
    ];
    h.push_str(&format!(
        "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        esc(&t("Score", "指标")),
        esc(&t("Value", "数值")),
        esc(&t("Definition", "定义"))
    ));
    for (k, v, d) in rows {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&k),
            esc(&v),
            esc(&d)
        ));
    }
    h.push_str("</table></div>\n");
    h
}
