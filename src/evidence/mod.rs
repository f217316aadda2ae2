//! Evidence bundles for theft appeals: `case.zip` with a self-contained bilingual HTML report, the
//! same numbers as JSON, byte-identical originals, derived overlay and heatmap images, and
//! `SHA256SUMS`; plus `verify`, which recomputes every hash and score from the bundled originals.
//!
//! Flow, one way: read and hash every input → decode → analyse (fingerprint, features) → score
//! each suspect against the original exactly as `compare` does → align only verified pairs →
//! describe → render (JSON, HTML) → write the zip atomically and check it.

/// The aligned overlay lives with the scoring it follows (`compare` reports what it measures).
pub use crate::matching::align;
pub mod bundle;
mod case;
pub use case::{check_case, CaseDetails};
pub mod html;
pub mod pdf;
pub mod words;

use std::path::{Path, PathBuf};

use image::RgbImage;
use serde::Serialize;

use crate::decode::{self, Decoded};
use crate::error::Error;
use crate::fingerprint::{self, Analysis};
use crate::matching;
use crate::policy::Limits;

pub const EVIDENCE_SCHEMA: &str = crate::report::schema::EVIDENCE;
pub const VERIFY_SCHEMA: &str = crate::report::schema::VERIFY;

/// A pair at or above this calibrated similarity is reported as a match (the platform flags
/// "more than 85 % similar").
pub const MATCH_THRESHOLD: f64 = crate::policy::MIN_COPY_SIMILARITY;

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Lang {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// The whole report in English, then in Chinese, in one file.
    #[serde(rename = "both")]
    Both,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
            // the document's language: the bilingual page opens in English
            Lang::Both => "en",
        }
    }
}

/// What to put in the case.
#[derive(Debug, Clone)]
pub struct EvidenceOptions {
    pub original: PathBuf,
    pub suspects: Vec<PathBuf>,
    pub authorisation: Vec<PathBuf>,
    pub lang: Lang,
    /// Show GPS coordinates of the original (redacted by default).
    pub show_gps: bool,
    /// The exact command line, for the case header.
    pub command_line: String,
    /// Case time (UTC, RFC 3339); `None` = now.
    pub created_utc: Option<String>,
    pub limits: Limits,
    /// Who claims the photo, and when the copies were found.
    pub case: CaseDetails,
    /// The listing where each suspect was found, in the order of `suspects` (may be shorter).
    pub listing_urls: Vec<String>,
}

/// A file that could not be used, with its stable code.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileError {
    pub code: crate::code::Code,
    pub message: String,
}

/// One input file in the inventory.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileEntry {
    /// `original`, `suspect` or `authorisation`.
    pub role: &'static str,
    /// File name as given.
    pub name: String,
    /// Where the byte-identical copy is in the bundle (`None` when the file could not be read).
    pub bundle_path: Option<String>,
    pub bytes: Option<u64>,
    pub sha256: Option<String>,
    /// Sniffed format (by content), when decoded.
    pub format: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub error: Option<FileError>,
}

/// One consistency check of the claimed metadata.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MetadataCheck {
    pub id: &'static str,
    /// `consistent`, `note`, `inconsistent` or `not_available`.
    pub status: &'static str,
    pub en: String,
    pub zh: String,
}

/// EXIF of the original, labelled as *claimed*: EXIF can be edited.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClaimedMetadata {
    pub exif_present: bool,
    pub date_time_original: Option<String>,
    pub offset_time_original: Option<String>,
    pub date_time: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub lens_model: Option<String>,
    pub software: Option<String>,
    pub artist: Option<String>,
    pub copyright: Option<String>,
    pub gps_present: bool,
    /// "lat, lon" when `--show-gps`, "redacted" when present and hidden.
    pub gps: Option<String>,
    pub checks: Vec<MetadataCheck>,
}

/// What the comparison of one suspect with the original concluded.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A copy of the original: similarity at or above the policy's copy line.
    Match,
    NoMatch,
    /// The suspect file could not be decoded: nothing was compared.
    Unreadable,
}

impl Verdict {
    /// As written in the report's JSON (`match`, `no_match`, `unreadable`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Match => "match",
            Verdict::NoMatch => "no_match",
            Verdict::Unreadable => "unreadable",
        }
    }

    /// Words for a reader, in English or Chinese.
    pub fn words(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Verdict::Match, false) => "MATCH",
            (Verdict::Match, true) => "匹配",
            (Verdict::NoMatch, false) => "NO MATCH",
            (Verdict::NoMatch, true) => "不匹配",
            (Verdict::Unreadable, false) => "UNREADABLE",
            (Verdict::Unreadable, true) => "无法读取",
        }
    }
}

/// The comparison of one suspect with the original.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SuspectResult {
    pub verdict: Verdict,
    pub similarity: f64,
    pub hash_distance: Option<u32>,
    pub hash_reliable: Option<bool>,
    pub quality_original: Option<u8>,
    pub quality_suspect: Option<u8>,
    pub inliers: Option<usize>,
    pub verified: bool,
    pub ssim_overlap: Option<f64>,
    pub coverage: Option<f64>,
    pub transform: Option<align::Transform>,
    /// What the copy changed on the overlap (colour, share drawn over), as `compare` reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<crate::matching::change::Change>,
    pub words_en: String,
    pub words_zh: String,
    pub overlay: Option<String>,
    pub heatmap: Option<String>,
}

/// One suspect: its file and result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SuspectEntry {
    pub file: FileEntry,
    /// Where the seller found it (`--listing-url`).
    pub listing_url: Option<String>,
    pub result: SuspectResult,
}

/// `pairproof.evidence/1` (`report.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub report_id: String,
    pub created_utc: String,
    pub command_line: String,
    pub case: CaseDetails,
    pub lang: Lang,
    pub match_threshold: f64,
    pub original: FileEntry,
    pub claimed_metadata: Option<ClaimedMetadata>,
    pub suspects: Vec<SuspectEntry>,
    pub authorisation: Vec<FileEntry>,
}

impl Report {
    /// Some input could not be read or decoded.
    pub fn has_unreadable(&self) -> bool {
        self.original.error.is_some()
            || self.suspects.iter().any(|s| s.file.error.is_some())
            || self.authorisation.iter().any(|a| a.error.is_some())
    }
    pub fn any_match(&self) -> bool {
        self.suspects
            .iter()
            .any(|s| s.result.verdict == Verdict::Match)
    }
}

/// A built case: the report, its HTML, and every file of the bundle but `SHA256SUMS`.
#[derive(Debug, Clone)]
pub struct Case {
    pub report: Report,
    pub html: String,
    /// (path inside the bundle, bytes), in bundle order.
    pub files: Vec<(String, Vec<u8>)>,
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// A bundle file name: role, index and the original name with unsafe characters replaced.
fn bundle_name(dir: &str, idx: usize, p: &Path) -> String {
    let safe: String = file_name(p)
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{dir}/{idx:02}-{safe}")
}

struct Loaded {
    entry: FileEntry,
    bytes: Option<Vec<u8>>,
    decoded: Option<Decoded>,
}

fn load(
    role: &'static str,
    dir: &str,
    idx: usize,
    p: &Path,
    limits: &Limits,
    decode: bool,
) -> Loaded {
    let mut entry = FileEntry {
        role,
        name: file_name(p),
        bundle_path: None,
        bytes: None,
        sha256: None,
        format: None,
        width: None,
        height: None,
        error: None,
    };
    let err = |e: &Error| FileError {
        code: e.code(),
        message: e.to_string(),
    };
    let bytes = match decode::read_capped(p, limits.max_file_bytes) {
        Ok(b) => b,
        Err(e) => {
            entry.error = Some(err(&e));
            return Loaded {
                entry,
                bytes: None,
                decoded: None,
            };
        }
    };
    entry.bundle_path = Some(bundle_name(dir, idx, p));
    entry.bytes = Some(bytes.len() as u64);
    entry.sha256 = Some(decode::sha256_hex(&bytes));
    let decoded = if decode {
        match decode::decode_bytes(p, &bytes, limits) {
            Ok(d) => {
                entry.format = Some(d.format.name().to_string());
                entry.width = Some(d.width());
                entry.height = Some(d.height());
                Some(d)
            }
            Err(e) => {
                entry.error = Some(err(&e));
                None
            }
        }
    } else {
        None
    };
    Loaded {
        entry,
        bytes: Some(bytes),
        decoded,
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's
/// `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}

/// Now, UTC, RFC 3339 to the second.
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// The comparison of one decoded suspect with the decoded original. Deterministic: `verify`
/// calls it again on the bundled files and expects the same value.
pub fn compare_one(
    idx: usize,
    original: &RgbImage,
    oa: &Analysis,
    suspect: &RgbImage,
) -> (SuspectResult, Option<align::Alignment>) {
    let sa = fingerprint::analyse(suspect);
    let matching::Score {
        similarity,
        hash: m,
        verification: v,
    } = matching::score(&oa.fingerprint, &oa.features, &sa.fingerprint, &sa.features);
    let is_match = crate::policy::is_copy(similarity, MATCH_THRESHOLD);
    let alignment = if is_match {
        align::align(original, &oa.features, suspect, &sa.features, &v)
    } else {
        None
    };
    let (words_en, words_zh) = words::describe(similarity, is_match, &m, alignment.as_ref());
    let result = SuspectResult {
        verdict: if is_match {
            Verdict::Match
        } else {
            Verdict::NoMatch
        },
        similarity,
        hash_distance: Some(m.distance),
        hash_reliable: Some(m.reliable),
        quality_original: Some(oa.fingerprint.whole.quality),
        quality_suspect: Some(sa.fingerprint.whole.quality),
        inliers: Some(v.inliers),
        verified: v.verified(),
        ssim_overlap: alignment.as_ref().and_then(|a| a.ssim_overlap),
        coverage: alignment.as_ref().map(|a| a.coverage),
        transform: alignment.as_ref().map(|a| a.transform),
        change: alignment.as_ref().and_then(|a| a.change),
        words_en,
        words_zh,
        overlay: alignment
            .as_ref()
            .map(|_| format!("derived/suspect-{idx:02}-overlay.png")),
        heatmap: alignment
            .as_ref()
            .map(|_| format!("derived/suspect-{idx:02}-heatmap.png")),
    };
    (result, alignment)
}

fn unreadable_result(what_en: &str, what_zh: &str) -> SuspectResult {
    SuspectResult {
        verdict: Verdict::Unreadable,
        similarity: 0.0,
        hash_distance: None,
        hash_reliable: None,
        quality_original: None,
        quality_suspect: None,
        inliers: None,
        verified: false,
        ssim_overlap: None,
        coverage: None,
        transform: None,
        change: None,
        words_en: what_en.to_string(),
        words_zh: what_zh.to_string(),
        overlay: None,
        heatmap: None,
    }
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    // Encoding an in-memory RGB8 buffer to PNG cannot fail.
    let _ = image::DynamicImage::ImageRgb8(img.clone())
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png);
    out
}

/// Build the case in memory (nothing is written).
pub fn build(opts: &EvidenceOptions) -> Case {
    let limits = &opts.limits;
    let original = load("original", "originals", 0, &opts.original, limits, true);
    let suspects: Vec<Loaded> = opts
        .suspects
        .iter()
        .enumerate()
        .map(|(i, p)| load("suspect", "originals", i + 1, p, limits, true))
        .collect();
    let auth: Vec<Loaded> = opts
        .authorisation
        .iter()
        .enumerate()
        .map(|(i, p)| load("authorisation", "authorisation", i + 1, p, limits, false))
        .collect();
    let created = opts.created_utc.clone().unwrap_or_else(now_utc);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for l in std::iter::once(&original).chain(&suspects).chain(&auth) {
        if let (Some(p), Some(b)) = (&l.entry.bundle_path, &l.bytes) {
            files.push((p.clone(), b.clone()));
        }
    }
    let claimed = original.decoded.as_ref().map(|d| {
        words::claimed_metadata(d, original.bytes.as_deref().unwrap_or(&[]), opts.show_gps)
    });
    let oa = original
        .decoded
        .as_ref()
        .map(|d| fingerprint::analyse(&d.pixels));
    let mut entries = Vec::new();
    let mut previews = Vec::new();
    for (i, s) in suspects.iter().enumerate() {
        let idx = i + 1;
        let (result, alignment) = match (&original.decoded, &oa, &s.decoded) {
            (Some(od), Some(oa), Some(sd)) => compare_one(idx, &od.pixels, oa, &sd.pixels),
            (_, _, None) => (
                unreadable_result(
                    "This file could not be decoded (see the inventory); it was not compared.",
                    "无法解码此文件（见文件清单），未进行比较。",
                ),
                None,
            ),
            _ => (
                unreadable_result(
                    "The original could not be decoded (see the inventory); nothing was compared.",
                    "原图无法解码（见文件清单），未进行任何比较。",
                ),
                None,
            ),
        };
        if let Some(a) = &alignment {
            if let Some(p) = &result.overlay {
                files.push((p.clone(), png(&a.overlay)));
            }
            if let Some(p) = &result.heatmap {
                files.push((p.clone(), png(&a.heatmap)));
            }
        }
        previews.push((s.decoded.as_ref().map(|d| d.pixels.clone()), alignment));
        entries.push(SuspectEntry {
            file: s.entry.clone(),
            listing_url: opts.listing_urls.get(i).cloned(),
            result,
        });
    }
    let mut id_src = format!(
        "{}|{}|{}",
        original.entry.sha256.as_deref().unwrap_or("-"),
        entries
            .iter()
            .map(|e| e.file.sha256.as_deref().unwrap_or("-"))
            .collect::<Vec<_>>()
            .join(","),
        created
    );
    // Case details, when given, are part of the id (cases without them keep their ids).
    if opts.case != CaseDetails::default() || !opts.listing_urls.is_empty() {
        id_src.push_str(&format!(
            "|{}|{}|{}",
            opts.case.claimant.as_deref().unwrap_or("-"),
            opts.case.found_on.as_deref().unwrap_or("-"),
            opts.listing_urls.join(",")
        ));
    }
    let report = Report {
        schema: EVIDENCE_SCHEMA,
        tool_version: crate::VERSION,
        report_id: decode::sha256_hex(id_src.as_bytes())[..16].to_string(),
        created_utc: created,
        command_line: opts.command_line.clone(),
        case: opts.case.clone(),
        lang: opts.lang,
        match_threshold: MATCH_THRESHOLD,
        original: original.entry.clone(),
        claimed_metadata: claimed,
        suspects: entries,
        authorisation: auth.iter().map(|a| a.entry.clone()).collect(),
    };
    let html = html::render(
        &report,
        original.decoded.as_ref().map(|d| &d.pixels),
        &previews,
    );
    files.push((
        "report.json".into(),
        serde_json::to_vec_pretty(&report).unwrap_or_default(),
    ));
    files.push(("report.html".into(), html.clone().into_bytes()));
    Case {
        report,
        html,
        files,
    }
}
