//! Plain-text rendering for people: verdict first, then each rule with its fix.

use std::fmt::Write;

use crate::compliance::{Finding, Status};
use crate::i18n::{code_message, t, Files, Lang};
use crate::tr;

mod fix;
pub use fix::fix;

pub fn status_word(s: Status, lang: Lang) -> String {
    t(lang, &format!("cli.status.{}", status_key(s)), &[])
}

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Fail => "fail",
        Status::Skipped => "skip",
    }
}

/// The four-column mark before a finding (`ok  `, `warn`, `FAIL`, `skip`).
fn mark(s: Status, lang: Lang) -> String {
    t(lang, &format!("cli.mark.{}", status_key(s)), &[])
}

pub(super) fn verdict_word(v: crate::check::Verdict, lang: Lang) -> String {
    use crate::check::Verdict;
    let key = match v {
        Verdict::Pass => "cli.verdict.pass",
        Verdict::Warn => "cli.verdict.warn",
        Verdict::Fail => "cli.verdict.fail",
        Verdict::Error => "cli.verdict.error",
    };
    t(lang, key, &[])
}

/// One block of findings, failures first, aligned on the rule id. Passing `hidden.clean.*`
/// findings with nothing to show are folded into one line. The words come from
/// [`crate::i18n::finding_words`] (the finding's own English message, or the catalogue's).
pub fn findings(out: &mut String, list: &[Finding], files: Files<'_>, lang: Lang) {
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
            t(lang, "cli.finding.advice", &[])
        } else {
            String::new()
        };
        let words = crate::i18n::finding_words(lang, f, files);
        let _ = writeln!(
            out,
            "  {} {:width$}  {}{advice}",
            mark(f.status, lang),
            f.id,
            words.message
        );
        if let Some(fix) = &words.fix {
            let _ = writeln!(
                out,
                "       {:width$}  {}",
                "",
                tr!(lang, "cli.finding.fix", fix = fix)
            );
        }
    }
    if folded > 0 {
        let other = if folded < crate::overlay::Kind::ALL.len() {
            t(lang, "cli.clean.other", &[])
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {} {:width$}  {}",
            mark(Status::Pass, lang),
            "hidden.clean.*",
            tr!(lang, "cli.clean.folded", other = other)
        );
    }
}

/// The text report of one pair check.
pub fn pair(r: &crate::check::PairReport, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        tr!(
            lang,
            "cli.check.head",
            word = verdict_word(r.verdict, lang),
            hidden = r.hidden_path.display(),
            main = r.main_path.display()
        )
    );
    if let Some(s) = &r.ssim {
        let band = match r.band {
            Some(crate::similarity::RiskBand::Pass) => t(lang, "cli.band.pass", &[]),
            Some(crate::similarity::RiskBand::AtRisk) => t(lang, "cli.band.at_risk", &[]),
            Some(crate::similarity::RiskBand::Fail) => t(lang, "cli.band.fail", &[]),
            None => "-".into(),
        };
        let _ = writeln!(
            out,
            "{}",
            tr!(
                lang,
                "cli.check.ssim",
                luma = format!("{:.4}", s.luma),
                rgb = format!("{:.4}", s.rgb_mean),
                margin = format!("{:+.4}", s.luma - 0.92),
                band = band
            )
        );
    }
    let files = Files {
        main: r.main.as_ref(),
        hidden: r.hidden.as_ref(),
        image: None,
    };
    findings(&mut out, &r.findings, files, lang);
    if let Some(regions) = &r.regions {
        regions_text(&mut out, regions, lang);
    }
    for (role, f) in [("main", &r.main), ("hidden", &r.hidden)] {
        if let Some(f) = f {
            for w in &f.warnings {
                let _ = writeln!(out, "{}", note_line(lang, w, role));
            }
        }
    }
    for e in &r.errors {
        let _ = writeln!(out, "{}", error_line(lang, e));
    }
    if let Some(h) = &r.heatmap {
        let _ = writeln!(
            out,
            "{}",
            tr!(lang, "cli.check.heatmap", path = h.display())
        );
    }
    out
}

fn regions_text(out: &mut String, regions: &[crate::similarity::regions::Region], lang: Lang) {
    if regions.is_empty() {
        let _ = writeln!(out, "{}", t(lang, "cli.regions.none", &[]));
        return;
    }
    let _ = writeln!(out, "{}", t(lang, "cli.regions.head", &[]));
    for g in regions.iter().take(10) {
        let line = tr!(
            lang,
            "cli.regions.item",
            w = g.width,
            h = g.height,
            x = g.x,
            y = g.y,
            area = g.area_px,
            min = format!("{:.2}", g.min_ssim)
        );
        let _ = writeln!(out, "{line}");
    }
    if regions.len() > 10 {
        let _ = writeln!(
            out,
            "{}",
            tr!(lang, "cli.regions.more", n = regions.len() - 10)
        );
    }
}

/// A file's warning: `note [W_…] main: …` (in Chinese the code's sentence).
pub fn note_line(lang: Lang, w: &crate::decode::Warning, role: &str) -> String {
    let message = code_message(lang, w.code, &w.message);
    let role = match lang {
        Lang::En => role.to_string(),
        Lang::ZhCn => t(lang, &format!("role.{role}"), &[]),
    };
    tr!(
        lang,
        "cli.note",
        code = w.code,
        role = role,
        message = message
    )
}

/// A file that could not be checked: `error [E_…] path: reason` (in Chinese the code's
/// sentence, then the file).
pub fn error_line(lang: Lang, e: &super::ErrorInfo) -> String {
    match lang {
        Lang::En => tr!(lang, "cli.error.inline", code = e.code, message = e.message),
        Lang::ZhCn => tr!(
            lang,
            "cli.error.inline",
            code = e.code,
            message = format!(
                "{}：{}",
                e.path.display(),
                code_message(lang, e.code, &e.message)
            )
        ),
    }
}

/// One line per pair for batch output.
pub fn pair_line(label: &str, r: &crate::check::PairReport, lang: Lang) -> String {
    // Padded to five columns so the labels line up (the English words are at most five).
    let word = format!(
        "{:5}",
        t(lang, &format!("cli.batch.{}", batch_key(r.verdict)), &[])
    );
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
        s.push_str(&tr!(lang, "cli.batch.rules", list = failing.join(", ")));
    }
    if !errors.is_empty() {
        s.push_str(&tr!(lang, "cli.batch.errors", list = errors.join("; ")));
    }
    s
}

fn batch_key(v: crate::check::Verdict) -> &'static str {
    use crate::check::Verdict;
    match v {
        Verdict::Pass => "pass",
        Verdict::Warn => "warn",
        Verdict::Fail => "fail",
        Verdict::Error => "error",
    }
}

/// The text report of `pairproof lint`: each image's verdict and findings, then the errors and
/// the counts.
pub fn lint(doc: &super::LintReport, lang: Lang) -> String {
    let mut out = String::new();
    for r in &doc.results {
        let head = tr!(
            lang,
            "cli.lint.head",
            word = status_word(r.verdict, lang),
            path = r.file.path.display(),
            w = r.file.width,
            h = r.file.height,
            format = r.file.format.to_uppercase(),
            bytes = r.file.bytes
        );
        let _ = writeln!(out, "{head}");
        let files = Files {
            image: Some(&r.file),
            ..Files::default()
        };
        findings(&mut out, &r.findings, files, lang);
        for w in &r.file.warnings {
            let message = code_message(lang, w.code, &w.message);
            let _ = writeln!(
                out,
                "{}",
                tr!(lang, "cli.lint.note", code = w.code, message = message)
            );
        }
    }
    for e in &doc.errors {
        let message = code_message(lang, e.code, &e.message);
        let line = tr!(
            lang,
            "cli.lint.error",
            path = e.path.display(),
            code = e.code,
            message = message
        );
        let _ = writeln!(out, "{line}");
    }
    let s = &doc.summary;
    let _ = writeln!(
        out,
        "{}",
        tr!(
            lang,
            "cli.lint.summary",
            total = s.total,
            pass = s.pass,
            warn = s.warn,
            fail = s.fail,
            error = s.error
        )
    );
    out
}

/// The text report of one `compare`.
pub fn compare(l: &crate::matching::CompareLine, lang: Lang) -> String {
    let mut out = String::new();
    let verdict = if !l.errors.is_empty() {
        t(lang, "cli.compare.error", &[])
    } else if crate::policy::is_copy(l.similarity, crate::policy::MIN_COPY_SIMILARITY) {
        t(lang, "cli.compare.copy", &[])
    } else {
        t(lang, "cli.compare.not", &[])
    };
    let head = tr!(
        lang,
        "cli.compare.head",
        verdict = verdict,
        s = format!("{:.3}", l.similarity),
        a = l.a.display(),
        b = l.b.display()
    );
    let _ = writeln!(out, "{head}");
    let pc = |x: f32| format!("{:.0}", x * 100.0);
    if let Some(v) = &l.verification {
        if v.verified {
            let mirrored = if v.mirrored {
                t(lang, "cli.compare.mirrored", &[])
            } else {
                String::new()
            };
            let line = tr!(
                lang,
                "cli.compare.verified",
                n = v.inliers,
                a = pc(v.spread_a),
                b = pc(v.spread_b),
                mirrored = mirrored,
                scale = format!("{:.2}", v.scale.unwrap_or(1.0)),
                rot = format!("{:.1}", v.rotation_deg.unwrap_or(0.0))
            );
            let _ = writeln!(out, "{line}");
            let part = if v.holds_a_whole {
                String::new()
            } else {
                t(lang, "cli.compare.part", &[])
            };
            let line = tr!(
                lang,
                "cli.compare.cover",
                a = pc(v.cover_a),
                b = pc(v.cover_b),
                part = part
            );
            let _ = writeln!(out, "{line}");
        } else {
            let _ = writeln!(
                out,
                "{}",
                tr!(lang, "cli.compare.unverified", n = v.inliers)
            );
        }
    }
    if let Some(c) = &l.change {
        let _ = writeln!(
            out,
            "{}",
            tr!(lang, "cli.compare.changed", words = change_words(c, lang))
        );
    }
    if let Some(m) = &l.hash_match {
        let trust = if m.reliable {
            String::new()
        } else {
            t(lang, "cli.compare.featureless", &[])
        };
        let line = tr!(
            lang,
            "cli.compare.hashes",
            d = m.distance,
            va = view_word(m.view_a, lang),
            vb = view_word(m.view_b, lang),
            orientation = crate::i18n::orientation(lang, m.orientation),
            trust = trust
        );
        let _ = writeln!(out, "{line}");
    }
    for e in &l.errors {
        let _ = writeln!(out, "{}", error_line(lang, e));
    }
    out
}

/// A hash view's name (`whole`, `canonical`: the subject cropped and centred) in words.
fn view_word(view: &str, lang: Lang) -> String {
    let key = format!("cli.view.{view}");
    if crate::i18n::has(&key) {
        t(lang, &key, &[])
    } else {
        view.to_string()
    }
}

/// What a copy changed, in words: the colour edits that matter (hue turned by 5° or more, made
/// grey, brightness or saturation moved by 5 % or more) and the share drawn over (1 % or more).
pub fn change_words(c: &crate::matching::change::Change, lang: Lang) -> String {
    let mut parts = Vec::new();
    if c.grayscale {
        parts.push(t(lang, "cli.change.grey", &[]));
    } else if let Some(h) = c.hue_shift_deg.filter(|h| h.abs() >= 5.0) {
        parts.push(tr!(lang, "cli.change.hue", deg = format!("{h:+.0}")));
    }
    if c.brightness_pct.abs() >= 5.0 {
        parts.push(tr!(
            lang,
            "cli.change.brightness",
            pct = format!("{:+.0}", c.brightness_pct)
        ));
    }
    if !c.grayscale && c.saturation_pct.abs() >= 5.0 {
        parts.push(tr!(
            lang,
            "cli.change.saturation",
            pct = format!("{:+.0}", c.saturation_pct)
        ));
    }
    if c.overlay_share >= 0.01 {
        parts.push(tr!(
            lang,
            "cli.change.overlay",
            pct = format!("{:.0}", c.overlay_share * 100.0)
        ));
    }
    if parts.is_empty() {
        t(lang, "cli.change.none", &[])
    } else {
        parts.join(&t(lang, "cli.scan.sep", &[]))
    }
}
