//! The text form of a `pairproof fix` report: what was written, what changed, and what still
//! needs a new photo — in the reader's language. The words of each change (`fixed.*`) are the
//! page's too (its Fix button lists the same changes).

use std::fmt::Write;

use super::verdict_word;
use crate::fix::{Action, FixReport, Role};
use crate::i18n::{finding_words, t, Files, Lang};
use crate::metadata::KeepTag;
use crate::tr;

pub fn fix(r: &FixReport, lang: Lang) -> String {
    let mut s = String::new();
    let line = |s: &mut String, l: String| {
        let _ = writeln!(s, "{l}");
    };
    let before_after = tr!(
        lang,
        "cli.fix.before_after",
        before = verdict_word(r.before, lang),
        after = verdict_word(r.after, lang)
    );
    line(&mut s, before_after);
    line(&mut s, t(lang, "cli.fix.written", &[]));
    line(
        &mut s,
        tr!(lang, "cli.fix.main", path = r.main_out.display()),
    );
    line(
        &mut s,
        tr!(lang, "cli.fix.hidden", path = r.hidden_out.display()),
    );
    let head = if r.actions.is_empty() {
        "cli.fix.nothing"
    } else {
        "cli.fix.changed"
    };
    line(&mut s, t(lang, head, &[]));
    for a in &r.actions {
        line(&mut s, format!("  {}", action(a, lang)));
    }
    if !r.needs_new_photo.is_empty() {
        line(&mut s, t(lang, "cli.fix.still", &[]));
        let files = Files {
            main: r.check.main.as_ref(),
            hidden: r.check.hidden.as_ref(),
            image: None,
        };
        for l in &r.needs_new_photo {
            // The written pair's finding, worded like `check` words it.
            let words = r
                .check
                .findings
                .iter()
                .find(|f| f.id == l.id)
                .map(|f| finding_words(lang, f, files));
            let (message, fix) = match words {
                Some(w) => (w.message, w.fix),
                None => (l.message.clone(), l.fix.clone()),
            };
            line(&mut s, format!("  {}: {message}", l.id));
            if let Some(f) = fix {
                line(
                    &mut s,
                    format!("    {}", tr!(lang, "cli.finding.fix", fix = f)),
                );
            }
        }
    }
    s
}

/// One change, in words.
fn action(a: &Action, lang: Lang) -> String {
    let dims = |d: &[u32; 2]| format!("{}×{}", d[0], d[1]);
    match a {
        Action::ConvertedToSrgb { role, from } => {
            tr!(
                lang,
                "fixed.srgb",
                role = role_word(*role, lang),
                from = from
            )
        }
        Action::CroppedOrPadded {
            role,
            from,
            to,
            offset,
        } => {
            let how = match (
                from[0] >= to[0] && from[1] >= to[1],
                from[0] <= to[0] && from[1] <= to[1],
            ) {
                (true, _) => "fixed.how.crop",
                (_, true) => "fixed.how.pad",
                _ => "fixed.how.both",
            };
            tr!(
                lang,
                "fixed.cropped",
                role = role_word(*role, lang),
                how = t(lang, how, &[]),
                from = dims(from),
                to = dims(to),
                x = offset[0],
                y = offset[1]
            )
        }
        Action::Resized { role, from, to } => tr!(
            lang,
            "fixed.scaled",
            role = role_word(*role, lang),
            from = dims(from),
            to = dims(to)
        ),
        Action::GpsRemoved { role, kept } => tr!(
            lang,
            "fixed.gps",
            role = role_word(*role, lang),
            kept = kept_words(kept, lang)
        ),
        Action::Reencoded {
            role,
            kept,
            format,
            quality,
            bytes_before,
            bytes_after,
        } => tr!(
            lang,
            "fixed.reencoded",
            role = role_word(*role, lang),
            format = format.name().to_uppercase(),
            quality = quality
                .map(|q| tr!(lang, "fixed.quality", q = q))
                .unwrap_or_default(),
            before = bytes_before,
            after = bytes_after,
            kept = kept_words(kept, lang)
        ),
    }
}

/// "; kept: artist, copyright" (nothing when nothing was kept).
fn kept_words(kept: &[KeepTag], lang: Lang) -> String {
    if kept.is_empty() {
        return String::new();
    }
    let words: Vec<String> = kept
        .iter()
        .map(|k| {
            let key = match k {
                KeepTag::Artist => "fixed.tag.artist",
                KeepTag::Copyright => "fixed.tag.copyright",
                KeepTag::Camera => "fixed.tag.camera",
                KeepTag::CaptureTime => "fixed.tag.capture_time",
            };
            t(lang, key, &[])
        })
        .collect();
    tr!(
        lang,
        "fixed.kept",
        list = words.join(&t(lang, "cli.scan.sep", &[]))
    )
}

fn role_word(r: Role, lang: Lang) -> String {
    match (r, lang) {
        (Role::Main, Lang::En) => "main".into(),
        (Role::Hidden, Lang::En) => "hidden".into(),
        (Role::Main, _) => t(lang, "role.main", &[]),
        (Role::Hidden, _) => t(lang, "role.hidden", &[]),
    }
}
