//! Plain-text rendering for people: verdict first, then each rule with its fix.

use std::fmt::Write;

use crate::compliance::{Finding, Status};

pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Fail => "FAIL",
        Status::Skipped => "SKIP",
    }
}

fn mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "ok  ",
        Status::Warn => "warn",
        Status::Fail => "FAIL",
        Status::Skipped => "skip",
    }
}

/// One block of findings, failures first, aligned on the rule id. Passing `hidden.clean.*`
/// findings with nothing to show are folded into one line.
pub fn findings(out: &mut String, list: &[Finding]) {
    let quiet_clean = |f: &Finding| {
        f.id.starts_with("hidden.clean.")
            && f.status == Status::Pass
            && f.reason == crate::compliance::Reason::NoOverlays
    };
    let mut sorted: Vec<&Finding> = list.iter().filter(|f| !quiet_clean(f)).collect();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.status));
    let folded = list.iter().filter(|f| quiet_clean(f)).count();
    let width = list.iter().map(|f| f.id.len()).max().unwrap_or(0);
    for f in sorted {
        let advice = if f.origin == crate::compliance::Origin::Advice && f.status == Status::Warn {
            " (advice)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {} {:width$}  {}{advice}",
            mark(f.status),
            f.id,
            f.message
        );
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "       {:width$}  fix: {fix}", "");
        }
    }
    if folded > 0 {
        let _ = writeln!(
            out,
            "  {} {:width$}  hidden image clean: no QR code, barcode, frame, banner, sticker, text, watermark or arrow found{}",
            mark(Status::Pass),
            "hidden.clean.*",
            if folded < crate::overlay::Kind::ALL.len() { " (other kinds above)" } else { "" }
        );
    }
}

/// The text report of one pair check.
pub fn pair(r: &crate::check::PairReport) -> String {
    use crate::check::Verdict;
    let mut out = String::new();
    let word = match r.verdict {
        Verdict::Pass => "PASS",
        Verdict::Warn => "PASS (with warnings)",
        Verdict::Fail => "FAIL",
        Verdict::Error => "ERROR",
    };
    let _ = writeln!(
        out,
        "{word}  hidden {} vs main {}",
        r.hidden_path.display(),
        r.main_path.display()
    );
    if let Some(s) = &r.ssim {
        let _ = writeln!(
            out,
            "  SSIM {:.4} (RGB {:.4}), gate 0.92, margin {:+.4}, band {}",
            s.luma,
            s.rgb_mean,
            s.luma - 0.92,
            match r.band {
                Some(crate::similarity::RiskBand::Pass) => "pass",
                Some(crate::similarity::RiskBand::AtRisk) => "AT RISK",
                Some(crate::similarity::RiskBand::Fail) => "FAIL",
                None => "-",
            }
        );
    }
    findings(&mut out, &r.findings);
    if let Some(regions) = &r.regions {
        if regions.is_empty() {
            let _ = writeln!(out, "  no differing regions");
        } else {
            let _ = writeln!(
                out,
                "  where they differ (local SSIM < 0.8), largest first:"
            );
            for g in regions.iter().take(10) {
                let _ = writeln!(
                    out,
                    "    {}×{} at ({},{}): {} px, lowest local SSIM {:.2}",
                    g.width, g.height, g.x, g.y, g.area_px, g.min_ssim
                );
            }
            if regions.len() > 10 {
                let _ = writeln!(
                    out,
                    "    … and {} smaller regions (see --format json)",
                    regions.len() - 10
                );
            }
        }
    }
    for (role, f) in [("main", &r.main), ("hidden", &r.hidden)] {
        if let Some(f) = f {
            for w in &f.warnings {
                let _ = writeln!(out, "  note [{}] {role}: {}", w.code, w.message);
            }
        }
    }
    for e in &r.errors {
        let _ = writeln!(out, "  error [{}] {}", e.code, e.message);
    }
    if let Some(h) = &r.heatmap {
        let _ = writeln!(out, "  heatmap written to {}", h.display());
    }
    out
}

/// One line per pair for batch output.
pub fn pair_line(label: &str, r: &crate::check::PairReport) -> String {
    use crate::check::Verdict;
    let word = match r.verdict {
        Verdict::Pass => "PASS ",
        Verdict::Warn => "WARN ",
        Verdict::Fail => "FAIL ",
        Verdict::Error => "ERROR",
    };
    let ssim = r
        .ssim
        .as_ref()
        .map(|s| format!("ssim {:.4}", s.luma))
        .unwrap_or_else(|| "ssim -     ".into());
    let failing: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Warn))
        .map(|f| f.id)
        .collect();
    let errors: Vec<String> = r
        .errors
        .iter()
        .map(|e| format!("{} {}", e.code, e.path.display()))
        .collect();
    let mut s = format!("{word}  {label}  {ssim}");
    if !failing.is_empty() {
        s.push_str(&format!("  rules: {}", failing.join(", ")));
    }
    if !errors.is_empty() {
        s.push_str(&format!("  errors: {}", errors.join("; ")));
    }
    s
}

/// The text report of one `compare`.
pub fn compare(l: &crate::matching::CompareLine) -> String {
    let mut out = String::new();
    let verdict = if !l.errors.is_empty() {
        "ERROR"
    } else if crate::policy::is_copy(l.similarity, crate::policy::MIN_COPY_SIMILARITY) {
        "COPY"
    } else {
        "not a copy"
    };
    let _ = writeln!(
        out,
        "{verdict}  similarity {:.3}  {} vs {}",
        l.similarity,
        l.a.display(),
        l.b.display()
    );
    if let Some(v) = &l.verification {
        if v.verified {
            let _ = writeln!(
                out,
                "  verified: {} matching points spread over {:.0} % / {:.0} % of the images; {}scale {:.2}, rotation {:.1}°",
                v.inliers,
                v.spread_a * 100.0,
                v.spread_b * 100.0,
                if v.mirrored { "mirrored, " } else { "" },
                v.scale.unwrap_or(1.0),
                v.rotation_deg.unwrap_or(0.0)
            );
            let _ = writeln!(
                out,
                "  {:.0} % of A is found in B, {:.0} % of B in A{}",
                v.cover_a * 100.0,
                v.cover_b * 100.0,
                if !v.holds_a_whole {
                    " — they share only a part (a frame, a sticker, an app's chrome), not a photo"
                } else {
                    ""
                }
            );
        } else {
            let _ = writeln!(
                out,
                "  not verified: {} consistent matching points (16 needed)",
                v.inliers
            );
        }
    }
    if let Some(c) = &l.change {
        let _ = writeln!(out, "  B changed: {}", change_words(c));
    }
    if let Some(m) = &l.hash_match {
        let _ = writeln!(
            out,
            "  hashes: {} bits apart ({} view vs {} view, {}){}",
            m.distance,
            m.view_a,
            m.view_b,
            m.orientation.words(),
            if m.reliable {
                ""
            } else {
                "; featureless, not trusted alone"
            }
        );
    }
    for e in &l.errors {
        let _ = writeln!(out, "  error [{}] {}", e.code, e.message);
    }
    out
}

/// The text form of a `pairproof fix` report: what was written, what changed, and what still
/// needs a new photo.
pub fn fix(r: &crate::fix::FixReport) -> String {
    use crate::fix::Action;
    let verdict = |v: crate::check::Verdict| match v {
        crate::check::Verdict::Pass => "PASS",
        crate::check::Verdict::Warn => "PASS (with warnings)",
        crate::check::Verdict::Fail => "FAIL",
        crate::check::Verdict::Error => "ERROR",
    };
    let mut s = format!(
        "before: {}  →  after: {}\nwritten:\n  main   {}\n  hidden {}\n",
        verdict(r.before),
        verdict(r.after),
        r.main_out.display(),
        r.hidden_out.display()
    );
    if r.actions.is_empty() {
        s.push_str("changed: nothing (no failure has a safe fix; both files are copies)\n");
    } else {
        s.push_str("changed:\n");
    }
    let dims = |d: &[u32; 2]| format!("{}×{}", d[0], d[1]);
    for a in &r.actions {
        let line = match a {
            Action::ConvertedToSrgb { role, from } => {
                format!("{}: colours converted from {from} to sRGB", role_word(*role))
            }
            Action::CroppedOrPadded {
                role,
                from,
                to,
                offset,
            } => {
                let how = match (from[0] >= to[0] && from[1] >= to[1], from[0] <= to[0] && from[1] <= to[1]) {
                    (true, _) => "cropped",
                    (_, true) => "padded (edge pixels repeated)",
                    _ => "cropped and padded (edge pixels repeated)",
                };
                format!(
                    "{}: {how} from {} to {}, picture placed at ({}, {})",
                    role_word(*role),
                    dims(from),
                    dims(to),
                    offset[0],
                    offset[1]
                )
            }
            Action::Resized { role, from, to } => format!(
                "{}: scaled from {} to {} (same proportions)",
                role_word(*role),
                dims(from),
                dims(to)
            ),
            Action::GpsRemoved { role, kept } => format!(
                "{}: EXIF with its GPS location removed (pixels untouched, orientation kept{})",
                role_word(*role),
                kept_words(kept)
            ),
            Action::Reencoded {
                role,
                kept,
                format,
                quality,
                bytes_before,
                bytes_after,
            } => format!(
                "{}: saved again as {}{} ({bytes_before} → {bytes_after} bytes; metadata not carried over{})",
                role_word(*role),
                format.name().to_uppercase(),
                quality.map(|q| format!(" quality {q}")).unwrap_or_default(),
                kept_words(kept)
            ),
        };
        s.push_str(&format!("  {line}\n"));
    }
    if !r.needs_new_photo.is_empty() {
        s.push_str("still failing (needs a new photo or editing by hand):\n");
        for l in &r.needs_new_photo {
            s.push_str(&format!("  {}: {}\n", l.id, l.message));
            if let Some(f) = &l.fix {
                s.push_str(&format!("    fix: {f}\n"));
            }
        }
    }
    s
}

/// ", kept: artist, copyright" (nothing when nothing was kept).
fn kept_words(kept: &[crate::metadata::KeepTag]) -> String {
    use crate::metadata::KeepTag;
    if kept.is_empty() {
        return String::new();
    }
    let words: Vec<&str> = kept
        .iter()
        .map(|k| match k {
            KeepTag::Artist => "artist",
            KeepTag::Copyright => "copyright",
            KeepTag::Camera => "camera",
            KeepTag::CaptureTime => "capture time",
        })
        .collect();
    format!("; kept: {}", words.join(", "))
}

fn role_word(r: crate::fix::Role) -> &'static str {
    match r {
        crate::fix::Role::Main => "main",
        crate::fix::Role::Hidden => "hidden",
    }
}

/// What a copy changed, in words: the colour edits that matter (hue turned by 5° or more, made
/// grey, brightness or saturation moved by 5 % or more) and the share drawn over (1 % or more).
pub fn change_words(c: &crate::matching::change::Change) -> String {
    let mut parts = Vec::new();
    if c.grayscale {
        parts.push("made grey".to_string());
    } else if let Some(h) = c.hue_shift_deg.filter(|h| h.abs() >= 5.0) {
        parts.push(format!("hue turned {h:+.0}°"));
    }
    if c.brightness_pct.abs() >= 5.0 {
        parts.push(format!("brightness {:+.0} %", c.brightness_pct));
    }
    if !c.grayscale && c.saturation_pct.abs() >= 5.0 {
        parts.push(format!("saturation {:+.0} %", c.saturation_pct));
    }
    if c.overlay_share >= 0.01 {
        parts.push(format!(
            "{:.0} % of the shared part drawn over or replaced",
            c.overlay_share * 100.0
        ));
    }
    if parts.is_empty() {
        "colours kept, nothing drawn over".into()
    } else {
        parts.join(", ")
    }
}
