//! The zip: writing it (built in memory, checked entry by entry against the SHA-256 of what
//! was meant to go in, then written atomically) and verifying it (`pairproof verify`).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use zip::write::SimpleFileOptions;

use super::{compare_one, Case, VERIFY_SCHEMA};
use crate::decode;
use crate::error::Error;
use crate::fingerprint;
use crate::policy::Limits;

/// Largest bundle `verify` reads.
pub const MAX_BUNDLE_BYTES: u64 = 1 << 30;

/// `SHA256SUMS` in `sha256sum -c` format (two spaces: text mode, as `sha256sum` prints).
pub fn sha256sums(files: &[(String, Vec<u8>)]) -> String {
    files
        .iter()
        .map(|(p, b)| format!("{}  {p}\n", decode::sha256_hex(b)))
        .collect()
}

fn out_err(path: &Path, detail: impl std::fmt::Display) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    }
}

/// The zip bytes of a case (every file, then `SHA256SUMS`).
pub fn zip_bytes(case: &Case, out: &Path) -> Result<Vec<u8>, Error> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        for (p, b) in &case.files {
            z.start_file(p.as_str(), opts)
                .map_err(|e| out_err(out, e))?;
            z.write_all(b).map_err(|e| out_err(out, e))?;
        }
        z.start_file("SHA256SUMS", opts)
            .map_err(|e| out_err(out, e))?;
        z.write_all(sha256sums(&case.files).as_bytes())
            .map_err(|e| out_err(out, e))?;
        z.finish().map_err(|e| out_err(out, e))?;
    }
    Ok(buf.into_inner())
}

/// Read every entry of a zip (names and bytes), refusing oversized or unsafe entries.
fn read_entries(bytes: &[u8], path: &Path) -> Result<BTreeMap<String, Vec<u8>>, Error> {
    let bad = |d: String| Error::DecodeCorrupt {
        path: path.to_path_buf(),
        detail: d,
    };
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("not a readable zip: {e}")))?;
    let mut out = BTreeMap::new();
    let mut total = 0u64;
    for i in 0..z.len() {
        let mut f = z
            .by_index(i)
            .map_err(|e| bad(format!("zip entry {i}: {e}")))?;
        if f.is_dir() {
            continue;
        }
        let name = f
            .name()
            .map_err(|e| bad(format!("zip entry {i}: bad name: {e}")))?
            .to_string();
        let mut b = Vec::new();
        // Bounded: a zip bomb stops at the cap.
        (&mut f)
            .take(MAX_BUNDLE_BYTES - total + 1)
            .read_to_end(&mut b)
            .map_err(|e| bad(format!("{name}: {e}")))?;
        total += b.len() as u64;
        if total > MAX_BUNDLE_BYTES {
            return Err(bad("expands past 1 GiB".into()));
        }
        out.insert(name, b);
    }
    Ok(out)
}

/// Write the case to `out` atomically, after checking the zip holds exactly what was meant.
/// Write the bundle to `out` (atomically, verified), refusing to replace an existing file
/// unless `replace`: an earlier bundle is evidence too.
pub fn write(case: &Case, out: &Path, replace: bool) -> Result<(), Error> {
    let bytes = zip_bytes(case, out)?;
    let entries = read_entries(&bytes, out)?;
    for (p, b) in &case.files {
        match entries.get(p) {
            Some(got) if decode::sha256_hex(got) == decode::sha256_hex(b) => {}
            _ => {
                return Err(out_err(
                    out,
                    format!("{p}: copy in the zip does not match its SHA-256"),
                ))
            }
        }
    }
    if replace {
        crate::metadata::write_atomically(out, &bytes)
    } else {
        crate::metadata::write_atomically_new(out, &bytes)
    }
}

/// One verification step.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VerifyCheck {
    pub what: String,
    pub ok: bool,
    pub detail: String,
}

/// `pairproof.verify/1`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub bundle: PathBuf,
    /// Every check passed: the files are intact and the report still holds.
    pub ok: bool,
    pub checks: Vec<VerifyCheck>,
}

fn check(
    checks: &mut Vec<VerifyCheck>,
    what: impl Into<String>,
    ok: bool,
    detail: impl Into<String>,
) {
    checks.push(VerifyCheck {
        what: what.into(),
        ok,
        detail: detail.into(),
    });
}

/// Recompute every hash and every score of a bundle. `Err` only when the bundle itself cannot
/// be read; a failed check is data (`ok: false`).
pub fn verify(path: &Path, limits: &Limits) -> Result<VerifyReport, Error> {
    let bytes = decode::read_capped(path, MAX_BUNDLE_BYTES)?;
    let entries = read_entries(&bytes, path)?;
    let mut checks = Vec::new();
    // 1. SHA256SUMS covers every other file, and every hash matches.
    let sums = entries
        .get("SHA256SUMS")
        .map(|b| String::from_utf8_lossy(b).into_owned());
    let mut listed = BTreeMap::new();
    match &sums {
        None => check(&mut checks, "SHA256SUMS", false, "missing"),
        Some(s) => {
            for line in s.lines().filter(|l| !l.trim().is_empty()) {
                match line.split_once("  ") {
                    Some((h, p)) => {
                        listed.insert(p.to_string(), h.to_string());
                    }
                    None => check(
                        &mut checks,
                        "SHA256SUMS",
                        false,
                        format!("malformed line: {line}"),
                    ),
                }
            }
        }
    }
    for (name, b) in &entries {
        if name == "SHA256SUMS" {
            continue;
        }
        match listed.get(name) {
            None => check(
                &mut checks,
                name.clone(),
                false,
                "not covered by SHA256SUMS",
            ),
            Some(h) => {
                let got = decode::sha256_hex(b);
                if &got == h {
                    check(&mut checks, name.clone(), true, "SHA-256 matches");
                } else {
                    check(
                        &mut checks,
                        name.clone(),
                        false,
                        format!("SHA-256 is {got}, SHA256SUMS says {h}: the file was changed"),
                    );
                }
            }
        }
    }
    for name in listed.keys() {
        if !entries.contains_key(name) {
            check(
                &mut checks,
                name.clone(),
                false,
                "listed in SHA256SUMS but missing",
            );
        }
    }
    // 2. The report's numbers, recomputed from the bundled originals.
    let report: Option<serde_json::Value> = entries
        .get("report.json")
        .and_then(|b| serde_json::from_slice(b).ok());
    match report {
        None => check(&mut checks, "report.json", false, "missing or not JSON"),
        Some(r) => recompute(&r, &entries, limits, &mut checks),
    }
    let ok = checks.iter().all(|c| c.ok);
    Ok(VerifyReport {
        schema: VERIFY_SCHEMA,
        tool_version: crate::VERSION,
        bundle: path.to_path_buf(),
        ok,
        checks,
    })
}

fn recompute(
    r: &serde_json::Value,
    entries: &BTreeMap<String, Vec<u8>>,
    limits: &Limits,
    checks: &mut Vec<VerifyCheck>,
) {
    let file = |f: &serde_json::Value| -> Option<(String, &Vec<u8>)> {
        let p = f["bundle_path"].as_str()?;
        Some((p.to_string(), entries.get(p)?))
    };
    // Inventory hashes equal the bundled copies.
    let mut inventory = vec![&r["original"]];
    if let Some(s) = r["suspects"].as_array() {
        inventory.extend(s.iter().map(|e| &e["file"]));
    }
    if let Some(a) = r["authorisation"].as_array() {
        inventory.extend(a.iter());
    }
    for f in &inventory {
        if let (Some((p, b)), Some(h)) = (file(f), f["sha256"].as_str()) {
            let got = decode::sha256_hex(b);
            check(
                checks,
                format!("inventory {p}"),
                got == h,
                if got == h {
                    "SHA-256 equals the report's".to_string()
                } else {
                    format!("SHA-256 is {got}, the report says {h}")
                },
            );
        }
    }
    let Some((op, ob)) = file(&r["original"]) else {
        check(
            checks,
            "original",
            r["original"]["error"].is_object(),
            "the original was not bundled (unreadable when the case was built)",
        );
        return;
    };
    let od = match decode::decode_bytes(Path::new(&op), ob, limits) {
        Ok(d) => d,
        Err(e) => {
            check(
                checks,
                "original",
                false,
                format!("cannot be decoded: [{}] {e}", e.code()),
            );
            return;
        }
    };
    let oa = fingerprint::analyse(&od.pixels);
    for (i, s) in r["suspects"].as_array().into_iter().flatten().enumerate() {
        let stored = &s["result"];
        let Some((sp, sb)) = file(&s["file"]) else {
            continue;
        };
        if stored["verdict"] == super::Verdict::Unreadable.as_str() {
            let still = decode::decode_bytes(Path::new(&sp), sb, limits).is_err();
            check(
                checks,
                format!("suspect {}", i + 1),
                still,
                "still unreadable, as reported",
            );
            continue;
        }
        let sd = match decode::decode_bytes(Path::new(&sp), sb, limits) {
            Ok(d) => d,
            Err(e) => {
                check(
                    checks,
                    format!("suspect {}", i + 1),
                    false,
                    format!("cannot be decoded: [{}] {e}", e.code()),
                );
                continue;
            }
        };
        let (result, alignment) = compare_one(i + 1, &od.pixels, &oa, &sd.pixels);
        let fresh = serde_json::to_value(&result).unwrap_or_default();
        if &fresh == stored {
            check(
                checks,
                format!("suspect {} scores", i + 1),
                true,
                format!(
                    "recomputed: {} (similarity {})",
                    result.verdict.as_str(),
                    result.similarity
                ),
            );
        } else {
            let fields: Vec<String> = fresh
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, v)| stored.get(k.as_str()) != Some(v))
                .map(|(k, v)| format!("{k}: report {} vs recomputed {v}", stored[k.as_str()]))
                .collect();
            check(
                checks,
                format!("suspect {} scores", i + 1),
                false,
                fields.join("; "),
            );
        }
        if let Some(a) = alignment {
            for (key, img) in [("overlay", &a.overlay), ("heatmap", &a.heatmap)] {
                if let Some(p) = result_path(&result, key) {
                    let same = entries.get(&p).is_some_and(|b| *b == super::png(img));
                    check(
                        checks,
                        p,
                        same,
                        if same {
                            "derived image recomputed identically"
                        } else {
                            "derived image differs from a recomputation"
                        },
                    );
                }
            }
        }
    }
}

fn result_path(r: &super::SuspectResult, key: &str) -> Option<String> {
    match key {
        "overlay" => r.overlay.clone(),
        _ => r.heatmap.clone(),
    }
}
