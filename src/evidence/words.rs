//! Words for people: the transform in plain English and Simplified Chinese, and the claimed
//! metadata of the original with its consistency checks.

use super::align::Alignment;
use super::{ClaimedMetadata, MetadataCheck};
use crate::decode::Decoded;
use crate::fingerprint::{windows, HashMatch};

/// Changes smaller than these are not mentioned (measurement noise of the alignment).
const MIN_CUT: f64 = 0.02;
const MIN_SCALE_CHANGE: f64 = 0.03;
const MIN_ROTATION_DEG: f64 = 1.0;
const MIN_COLOUR_PCT: f64 = 3.0;

fn pct0(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

fn signed(v: f64) -> String {
    if v >= 0.0 {
        format!("+{v:.0} %")
    } else {
        format!("{v:.0} %")
    }
}

/// The verdict and the transform, in English and Chinese.
pub fn describe(
    similarity: f64,
    is_match: bool,
    m: &HashMatch,
    a: Option<&Alignment>,
) -> (String, String) {
    if !is_match {
        let line = super::MATCH_THRESHOLD;
        return (
            format!(
                "No match: no evidence that this image is a copy of the original (similarity {similarity:.2}, below {line:.2}). No alignment was attempted."
            ),
            format!("不匹配：没有证据表明该图片是原图的副本（相似度 {similarity:.2}，低于 {line:.2}）。未尝试对齐。"),
        );
    }
    let Some(a) = a else {
        return (
            format!(
                "Match by the fingerprints alone (hash distance {}/256, similarity {similarity:.2}); the geometry could not be verified point by point, so no overlay is shown.",
                m.distance
            ),
            format!(
                "仅凭指纹匹配（哈希距离 {}/256，相似度 {similarity:.2}）；无法逐点验证几何关系，因此不显示叠加图。",
                m.distance
            ),
        );
    };
    let t = &a.transform;
    let (mut en, mut zh): (Vec<String>, Vec<String>) = (vec![], vec![]);
    if t.mirrored {
        en.push("mirrored horizontally".into());
        zh.push("水平镜像".into());
    }
    let cuts = [
        (t.cut_left, "from the left", "左侧"),
        (t.cut_top, "from the top", "顶部"),
        (t.cut_right, "from the right", "右侧"),
        (t.cut_bottom, "from the bottom", "底部"),
    ];
    let shown: Vec<_> = cuts.iter().filter(|c| c.0 >= MIN_CUT).collect();
    if !shown.is_empty() {
        en.push(format!(
            "cropped {}",
            shown
                .iter()
                .map(|c| format!("{} {}", pct0(c.0), c.1))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        zh.push(
            shown
                .iter()
                .map(|c| format!("{}裁去 {}", c.2, pct0(c.0)))
                .collect::<Vec<_>>()
                .join("，"),
        );
    }
    if (t.scale - 1.0).abs() >= MIN_SCALE_CHANGE {
        en.push(format!(
            "resized to {} of the original's pixel size",
            pct0(t.scale)
        ));
        zh.push(format!("缩放为原图像素尺寸的 {}", pct0(t.scale)));
    }
    if t.rotation_deg.abs() >= MIN_ROTATION_DEG {
        let (d_en, d_zh) = if t.rotation_deg > 0.0 {
            ("clockwise", "顺时针")
        } else {
            ("counter-clockwise", "逆时针")
        };
        en.push(format!("rotated {:.1}° {d_en}", t.rotation_deg.abs()));
        zh.push(format!("{d_zh}旋转 {:.1}°", t.rotation_deg.abs()));
    }
    colour_words(a, &mut en, &mut zh);
    if en.is_empty() {
        en.push("same framing, no measurable change".into());
        zh.push("构图相同，无可测量的变化".into());
    }
    let mut s_en = en.join(", ");
    if let Some(c) = s_en.get(..1) {
        s_en = c.to_uppercase() + &s_en[1..];
    }
    (
        format!(
            "Match (similarity {similarity:.2}). {s_en}. The copy covers {} of the original.",
            pct0(a.coverage)
        ),
        format!(
            "匹配（相似度 {similarity:.2}）。{}。副本覆盖原图的 {}。",
            zh.join("，"),
            pct0(a.coverage)
        ),
    )
}

/// Least hue turn (degrees) and share drawn over that are mentioned.
const MIN_HUE_DEG: f64 = 5.0;
const MIN_DRAWN_SHARE: f64 = 0.02;

/// The colour edit and what was drawn over. With the fitted colour map (`matching::change`):
/// grey, hue turned, brightness and saturation where the copy was not drawn over, and the share
/// drawn over or replaced. Without it (a tiny overlap), the plain means of the transform.
fn colour_words(a: &Alignment, en: &mut Vec<String>, zh: &mut Vec<String>) {
    let Some(c) = &a.change else {
        let t = &a.transform;
        for (v, e, z) in [
            (t.brightness_pct, "brightness", "亮度"),
            (t.contrast_pct, "contrast", "对比度"),
            (t.saturation_pct, "saturation", "饱和度"),
        ] {
            if v.abs() >= MIN_COLOUR_PCT {
                en.push(format!("{e} {}", signed(v)));
                zh.push(format!("{z} {}", signed(v)));
            }
        }
        return;
    };
    if c.grayscale {
        en.push("made grey (colour removed)".into());
        zh.push("去色（转为灰度）".into());
    } else if let Some(h) = c.hue_shift_deg.filter(|h| h.abs() >= MIN_HUE_DEG) {
        en.push(format!("hue turned by {h:+.0}°"));
        zh.push(format!("色相偏移 {h:+.0}°"));
    }
    if c.brightness_pct.abs() >= MIN_COLOUR_PCT {
        en.push(format!("brightness {}", signed(c.brightness_pct)));
        zh.push(format!("亮度 {}", signed(c.brightness_pct)));
    }
    if !c.grayscale && c.saturation_pct.abs() >= MIN_COLOUR_PCT {
        en.push(format!("saturation {}", signed(c.saturation_pct)));
        zh.push(format!("饱和度 {}", signed(c.saturation_pct)));
    }
    if c.overlay_share >= MIN_DRAWN_SHARE {
        en.push(format!(
            "{} of the shared part drawn over or replaced (text, stickers, a new background)",
            pct0(c.overlay_share)
        ));
        zh.push(format!(
            "共同部分的 {} 被覆盖或替换（文字、贴纸、新背景）",
            pct0(c.overlay_share)
        ));
    }
}

/// Parse `YYYY:MM:DD HH:MM:SS` into a sortable tuple.
fn exif_time(s: &str) -> Option<(u32, u32, u32, u32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    Some((
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    ))
}

fn check(id: &'static str, status: &'static str, en: String, zh: String) -> MetadataCheck {
    MetadataCheck { id, status, en, zh }
}

/// The EXIF thumbnail, decoded, if the file has one.
fn thumbnail(bytes: &[u8]) -> Option<image::RgbImage> {
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(bytes))
        .ok()?;
    let num = |tag| {
        exif.get_field(tag, exif::In::THUMBNAIL)
            .and_then(|f| f.value.get_uint(0))
    };
    let off = num(exif::Tag::JPEGInterchangeFormat)? as usize;
    let len = num(exif::Tag::JPEGInterchangeFormatLength)? as usize;
    let data = exif.buf().get(off..off.checked_add(len)?)?.to_vec();
    // Thumbnail bytes are input-derived: a decoder panic is contained like any other.
    std::panic::catch_unwind(move || image::load_from_memory(&data).ok().map(|i| i.to_rgb8()))
        .ok()
        .flatten()
}

/// Make, Model and DateTime claimed by the thumbnail IFD (IFD1), where present.
fn thumbnail_ifd_claims(bytes: &[u8]) -> Vec<(&'static str, String)> {
    let Ok(exif) = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(bytes)) else {
        return vec![];
    };
    let mut out = vec![];
    for (name, tag) in [
        ("Make", exif::Tag::Make),
        ("Model", exif::Tag::Model),
        ("DateTime", exif::Tag::DateTime),
    ] {
        if let Some(f) = exif.get_field(tag, exif::In::THUMBNAIL) {
            if let exif::Value::Ascii(parts) = &f.value {
                let joined: Vec<u8> = parts.iter().flat_map(|p| p.iter().copied()).collect();
                let v = String::from_utf8_lossy(&joined)
                    .trim_end_matches(['\0', ' '])
                    .trim()
                    .to_string();
                if !v.is_empty() {
                    out.push((name, v));
                }
            }
        }
    }
    out
}

/// A blank EXIF date (`0000:00:00 00:00:00`, or spaces): cameras write it when the clock was
/// never set; it is no capture time.
fn blank_date(s: &str) -> bool {
    s.chars().all(|c| c == '0' || c == ':' || c == ' ')
}

/// Claimed metadata of the original and its consistency checks.
pub fn claimed_metadata(d: &Decoded, bytes: &[u8], show_gps: bool) -> ClaimedMetadata {
    let e = d.metadata.exif.clone().unwrap_or_default();
    let present = d.metadata.exif.is_some();
    let mut checks = Vec::new();
    let dto = e.date_time_original.clone().filter(|s| !blank_date(s));
    if e.date_time_original.as_deref().is_some_and(blank_date) {
        checks.push(check(
            "dates",
            "inconsistent",
            format!(
                "DateTimeOriginal is blank (\"{}\"): the camera recorded no capture time.",
                e.date_time_original.as_deref().unwrap_or("")
            ),
            format!(
                "DateTimeOriginal 为空（\"{}\"）：相机未记录拍摄时间。",
                e.date_time_original.as_deref().unwrap_or("")
            ),
        ));
    }
    // IFD1 (the thumbnail's IFD) may carry its own Make/Model/DateTime; the primary IFD is what
    // is reported, and a disagreement is worth a reviewer's attention.
    let primary = |k: &str| match k {
        "Make" => e.make.clone(),
        "Model" => e.model.clone(),
        _ => e.date_time.clone(),
    };
    for (k, v) in thumbnail_ifd_claims(bytes) {
        if let Some(p) = primary(k).filter(|p| *p != v) {
            checks.push(check(
                "thumbnail_ifd",
                "inconsistent",
                format!("The thumbnail's IFD claims {k} \"{v}\", the image's IFD claims \"{p}\"."),
                format!("缩略图 IFD 声明 {k} 为“{v}”，而图像 IFD 声明为“{p}”。"),
            ));
        }
    }
    match (&dto, &e.date_time) {
        (Some(o), Some(m)) => match (exif_time(o), exif_time(m)) {
            (Some(a), Some(b)) if a == b => checks.push(check(
                "dates",
                "consistent",
                "DateTime equals DateTimeOriginal: no later modification time was recorded.".into(),
                "DateTime 与 DateTimeOriginal 相同：未记录之后的修改时间。".into(),
            )),
            (Some(a), Some(b)) if b > a => checks.push(check(
                "dates",
                "note",
                format!("DateTime ({m}) is later than DateTimeOriginal ({o}): the file was saved again after capture (normal after editing or export)."),
                format!("DateTime（{m}）晚于 DateTimeOriginal（{o}）：拍摄后文件被再次保存（编辑或导出后属正常）。"),
            )),
            (Some(_), Some(_)) => checks.push(check(
                "dates",
                "inconsistent",
                format!("DateTime ({m}) is earlier than DateTimeOriginal ({o}): the dates contradict each other."),
                format!("DateTime（{m}）早于 DateTimeOriginal（{o}）：两个日期互相矛盾。"),
            )),
            _ => checks.push(check(
                "dates",
                "inconsistent",
                "A date field is not in the EXIF format YYYY:MM:DD HH:MM:SS.".into(),
                "日期字段不符合 EXIF 格式 YYYY:MM:DD HH:MM:SS。".into(),
            )),
        },
        _ if dto.is_none() && e.date_time_original.is_some() => {}
        _ => checks.push(check(
            "dates",
            "not_available",
            "DateTimeOriginal and DateTime are not both present.".into(),
            "DateTimeOriginal 与 DateTime 未同时存在。".into(),
        )),
    }
    match thumbnail(bytes) {
        None => checks.push(check(
            "thumbnail",
            "not_available",
            "No EXIF thumbnail to compare with.".into(),
            "没有可供比较的 EXIF 缩略图。".into(),
        )),
        Some(t) => {
            let a = windows::windows(&d.pixels);
            let b = windows::windows(&t);
            let dist = b
                .whole
                .iter()
                .map(|h| a.whole[0].hamming(h))
                .min()
                .unwrap_or(256);
            if dist <= 48 {
                checks.push(check(
                    "thumbnail",
                    "consistent",
                    format!(
                        "The EXIF thumbnail ({}×{}) shows the same picture (distance {dist}/256).",
                        t.width(),
                        t.height()
                    ),
                    format!(
                        "EXIF 缩略图（{}×{}）显示的是同一画面（距离 {dist}/256）。",
                        t.width(),
                        t.height()
                    ),
                ))
            } else {
                checks.push(check(
                    "thumbnail",
                    "inconsistent",
                    format!("The EXIF thumbnail ({}×{}) shows a different picture (distance {dist}/256): the image was changed after the thumbnail was written.", t.width(), t.height()),
                    format!("EXIF 缩略图（{}×{}）显示的是不同画面（距离 {dist}/256）：缩略图写入后图像被修改过。", t.width(), t.height()),
                ))
            }
        }
    }
    let gps = e.gps.as_ref().map(|g| {
        if show_gps {
            match (g.latitude, g.longitude) {
                (Some(la), Some(lo)) => format!("{la:.6}, {lo:.6}"),
                _ => "present, coordinates unreadable".into(),
            }
        } else {
            "redacted".into()
        }
    });
    ClaimedMetadata {
        exif_present: present,
        date_time_original: e.date_time_original,
        offset_time_original: e.offset_time_original,
        date_time: e.date_time,
        make: e.make,
        model: e.model,
        lens_model: e.lens_model,
        software: e.software,
        artist: e.artist,
        copyright: e.copyright,
        gps_present: e.gps.is_some(),
        gps,
        checks,
    }
}
