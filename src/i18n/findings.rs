//! A finding in words, chosen by its rule id and [`Reason`] (never by its English message).
//!
//! The Chinese sentences are the page's (`f.*` and `fix.*` keys, the same catalogue); this is
//! the command line's reading of them, the twin of `findingWords` in the page's `findings.js`
//! (both read the same fields of a finding; `tests/cli.rs` checks the headline example in both
//! languages). English keeps the finding's own `message` and `fix`, which the library writes
//! with more detail than the page has room for.

use serde_json::Value;

use super::{t, tn, word_list, Lang};
use crate::compliance::{Finding, Reason, Status, What};
use crate::report::FileInfo;
use crate::tr;

mod files;
mod lint;

/// What a finding says, and what to do about it when it did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub message: String,
    pub fix: Option<String>,
}

/// The files a finding may speak of (`main`, `hidden`, or the one `image` of a lint).
#[derive(Debug, Clone, Copy, Default)]
pub struct Files<'a> {
    pub main: Option<&'a FileInfo>,
    pub hidden: Option<&'a FileInfo>,
    pub image: Option<&'a FileInfo>,
}

impl<'a> Files<'a> {
    fn get(&self, role: &str) -> Option<&'a FileInfo> {
        match role {
            "main" => self.main,
            "hidden" => self.hidden,
            "image" => self.image,
            _ => None,
        }
    }
}

/// The finding's words in `lang`. A reason or a measured value this reading does not know
/// (a newer library than its words) falls back to the English message, as the page does.
pub fn finding_words(lang: Lang, f: &Finding, files: Files<'_>) -> Words {
    let english = || Words {
        message: f.message.clone(),
        fix: f.fix.clone(),
    };
    match lang {
        Lang::En => english(),
        Lang::ZhCn => Reader { lang, f, files }.words().unwrap_or_else(english),
    }
}

const ROLE_ORDER: [&str; 3] = ["main", "hidden", "image"];

struct Reader<'a> {
    lang: Lang,
    f: &'a Finding,
    files: Files<'a>,
}

impl Reader<'_> {
    fn t(&self, key: &str) -> String {
        t(self.lang, key, &[])
    }

    /// The fix, only for a finding that did not pass.
    fn fix(&self, key: &str, vars: &[(&str, &dyn std::fmt::Display)]) -> Option<String> {
        matches!(self.f.status, Status::Warn | Status::Fail).then(|| t(self.lang, key, vars))
    }

    fn say(&self, msg: String, fix_key: Option<&str>) -> Option<Words> {
        Some(Words {
            message: msg,
            fix: fix_key.and_then(|k| self.fix(k, &[])),
        })
    }

    fn m(&self, field: &str) -> Option<&Value> {
        self.f.measured.get(field)
    }

    fn num(&self, field: &str) -> Option<f64> {
        self.m(field).and_then(Value::as_f64)
    }

    fn limit_or(&self, fallback: f64) -> f64 {
        self.f.limit.as_f64().unwrap_or(fallback)
    }

    /// The roles (in page order) whose measured value satisfies `pred`.
    fn roles(&self, pred: impl Fn(&Value, &str) -> bool) -> Vec<&'static str> {
        ROLE_ORDER
            .into_iter()
            .filter(|r| self.m(r).is_some_and(|v| pred(v, r)))
            .collect()
    }

    fn role(&self, r: &str) -> String {
        self.t(&format!("role.{r}"))
    }

    fn has_warning(&self, role: &str, codes: &[crate::Code]) -> bool {
        self.files
            .get(role)
            .is_some_and(|f| f.warnings.iter().any(|w| codes.contains(&w.code)))
    }

    fn words(&self) -> Option<Words> {
        let id = self.f.id;
        if let Some(kind) = id.strip_prefix("hidden.clean.") {
            return self.hidden_clean(kind);
        }
        match id {
            "ssim" => self.ssim(),
            "dims.equal" => self.dims_equal(),
            "dims.aspect" => self.dims_aspect(),
            "format" => self.format(),
            "file.size" => self.file_size(),
            "background" => self.background(),
            "metadata.gps" => self.gps(),
            "color.srgb" => self.srgb(),
            "compression" => self.compression(),
            "subject.overlap" => self.overlap(),
            "overlay.main" => self.overlay_main(),
            _ if id.starts_with("lint.") => self.lint(),
            _ => None,
        }
    }

    fn count_boxes(&self, what: What) -> usize {
        self.f.boxes.iter().filter(|b| b.what == what).count()
    }

    fn hidden_clean(&self, kind: &str) -> Option<Words> {
        if !crate::overlay::Kind::ALL.iter().any(|k| k.name() == kind) {
            return None;
        }
        let (noun, words) = (
            self.t(&format!("kind.{kind}.noun")),
            self.t(&format!("kind.{kind}.words")),
        );
        let count = self
            .num("count")
            .map_or(self.count_boxes(What::Overlay), |n| n as usize);
        let print = self
            .num("print_on_product")
            .map_or(self.count_boxes(What::ProductPrint), |n| n as usize);
        let l = self.lang;
        match self.f.reason {
            Reason::Found => {
                let mut msg = tr!(
                    l,
                    "f.hidden.clean.found",
                    n = count,
                    noun = noun,
                    words = words
                );
                if print > 0 {
                    msg += &tn(l, "f.hidden.clean.alsoPrint", print, &[]);
                }
                self.say(msg, Some("fix.hidden.clean.found"))
            }
            Reason::NoOverlays => self.say(
                tr!(l, "f.hidden.clean.none", noun = noun, words = words),
                None,
            ),
            Reason::OnlyProductPrint => {
                self.say(tr!(l, "f.hidden.clean.printOnly", n = print), None)
            }
            Reason::NotRunTooSmall => self.say(self.t("f.hidden.clean.tooSmall"), None),
            _ => None,
        }
    }

    fn ssim(&self) -> Option<Words> {
        let key = match self.f.reason {
            Reason::ImageTooSmall => return self.say(self.t("f.ssim.skippedSmall"), None),
            Reason::SizesDiffer => return self.say(self.t("f.ssim.skippedSize"), None),
            Reason::SsimClear => "pass",
            Reason::SsimWithinMargin => "warn",
            Reason::SsimBelowGate => "fail",
            Reason::SsimOverlaysOnMain => "overlaysOnMain",
            _ => return None,
        };
        let luma = self.num("luma")?;
        let gate = self.limit_or(crate::policy::Policy::default().min_ssim);
        let margin = self.num("margin").unwrap_or(luma - gate);
        let f4 = |x: f64| format!("{x:.4}");
        let opt4 = |x: Option<f64>| x.map_or("–".into(), f4);
        let signed = format!(
            "{}{:.4}",
            if margin >= 0.0 { "+" } else { "−" },
            margin.abs()
        );
        let share = self
            .num("overlay_share")
            .map_or("–".into(), |s| format!("{:.0}%", s * 100.0));
        let mut msg = tr!(
            self.lang,
            &format!("f.ssim.{key}"),
            luma = f4(luma),
            gate = gate,
            margin = signed,
            by = f4(margin.abs()),
            short = f4(-margin),
            rgb = opt4(self.num("rgb_mean")),
            share = share,
            outside = opt4(self.num("ssim_outside_overlays")),
        );
        if let Some([w, h]) = self
            .m("crop")
            .and_then(|c| c.get("size"))
            .and_then(pair_u64)
        {
            msg += &tr!(self.lang, "f.ssim.crop", w = w, h = h);
        }
        let fix = (key != "pass")
            .then(|| self.fix(&format!("fix.ssim.{key}"), &[]))
            .flatten();
        Some(Words { message: msg, fix })
    }

    fn dims_equal(&self) -> Option<Words> {
        let [mw, mh] = self.m("main").and_then(pair_u64)?;
        let [hw, hh] = self.m("hidden").and_then(pair_u64)?;
        let l = self.lang;
        match self.f.reason {
            Reason::SameSize => self.say(tr!(l, "f.dims.equal.pass", w = mw, h = mh), None),
            Reason::SizeDiffers => Some(Words {
                message: tr!(l, "f.dims.equal.fail", mw = mw, mh = mh, hw = hw, hh = hh),
                fix: self.fix("fix.dims.equal", &[("mw", &mw), ("mh", &mh)]),
            }),
            _ => None,
        }
    }

    fn dims_aspect(&self) -> Option<Words> {
        let err = format!("{:.2}", self.f.measured.as_f64()?);
        let limit = self.limit_or(1.0);
        let l = self.lang;
        match self.f.reason {
            Reason::AspectAgrees => {
                self.say(tr!(l, "f.dims.aspect.pass", err = err, limit = limit), None)
            }
            Reason::AspectDiffers => self.say(
                tr!(l, "f.dims.aspect.fail", err = err, limit = limit),
                Some("fix.dims.aspect"),
            ),
            _ => None,
        }
    }

    fn background(&self) -> Option<Words> {
        if self.f.reason == Reason::ImageTooSmall {
            return self.say(self.t("f.background.skipped"), None);
        }
        let d = format!("{:.1}", self.num("max_channel_delta")?);
        let flat = |k: &str| self.m(k).and_then(Value::as_bool) == Some(false);
        let note = if flat("main_flat") || flat("hidden_flat") {
            self.t("f.background.notFlat")
        } else {
            String::new()
        };
        let rgb = |k: &str| -> Option<String> {
            let c = self.m(k)?.as_array()?;
            let parts: Option<Vec<String>> = c
                .iter()
                .map(|x| x.as_f64().map(|v| format!("{}", v.round() as i64)))
                .collect();
            Some(parts?.join(","))
        };
        let l = self.lang;
        match self.f.reason {
            Reason::BackgroundMatches => self.say(tr!(l, "f.background.pass", d = d) + &note, None),
            Reason::BackgroundDiffers => self.say(
                tr!(
                    l,
                    "f.background.fail",
                    h = rgb("hidden_rgb")?,
                    m = rgb("main_rgb")?,
                    d = d,
                    limit = self.limit_or(5.0)
                ) + &note,
                Some("fix.background"),
            ),
            _ => None,
        }
    }

    fn compression(&self) -> Option<Words> {
        let key = match self.f.reason {
            Reason::QualityUnknown => return self.say(self.t("f.compression.skipped"), None),
            Reason::CompressionComparable => "pass",
            Reason::CompressionCostsSsim => "warn",
            Reason::CompressionHarmless => "harmless",
            _ => return None,
        };
        let qh = self.num("hidden_quality")?.round();
        let qm = self.num("main_quality")?.round();
        self.say(
            tr!(self.lang, &format!("f.compression.{key}"), qh = qh, qm = qm),
            Some("fix.compression"),
        )
    }

    /// The places of the main image's additions, in words ("底部横幅").
    fn places(&self) -> Vec<String> {
        use crate::overlay::added::Place;
        const ORDER: [Place; 11] = [
            Place::Top,
            Place::Bottom,
            Place::Left,
            Place::Right,
            Place::AllEdges,
            Place::TopLeft,
            Place::TopRight,
            Place::BottomLeft,
            Place::BottomRight,
            Place::OverProduct,
            Place::Background,
        ];
        ORDER
            .iter()
            .filter(|p| {
                self.f
                    .boxes
                    .iter()
                    .any(|b| b.what == What::AddedOnMain && b.place == Some(**p))
            })
            .map(|p| self.t(&format!("place.{}", snake(p))))
            .collect()
    }

    fn overlap(&self) -> Option<Words> {
        let skipped = match self.f.reason {
            Reason::ImageTooSmall => Some("Small"),
            Reason::NoFlatBackground => Some("Flat"),
            Reason::SizesDiffer => Some("Size"),
            Reason::NoSubject => Some("Empty"),
            Reason::SameOutline | Reason::OutlineDiffers => None,
            _ => return None,
        };
        if let Some(k) = skipped {
            return self.say(self.t(&format!("f.subject.overlap.skipped{k}")), None);
        }
        let iou = format!("{:.3}", self.f.measured.as_f64()?);
        let places = self.places();
        let note = if places.is_empty() {
            String::new()
        } else {
            tr!(
                self.lang,
                "f.subject.overlap.leftOut",
                list = word_list(self.lang, &places)
            )
        };
        let key = if self.f.reason == Reason::SameOutline {
            "f.subject.overlap.pass"
        } else {
            "f.subject.overlap.fail"
        };
        let msg = tr!(self.lang, key, iou = iou, limit = self.limit_or(0.95)) + &note;
        self.say(msg, Some("fix.subject.overlap"))
    }

    fn overlay_main(&self) -> Option<Words> {
        match self.f.reason {
            Reason::NoOverlays => self.say(self.t("f.overlay.main.none"), None),
            Reason::OverlaysAllowedOnMain => {
                let places = self.places();
                let list = if places.is_empty() {
                    self.t("f.overlay.main.some")
                } else {
                    word_list(self.lang, &places)
                };
                self.say(tr!(self.lang, "f.overlay.main.allowed", list = list), None)
            }
            _ => None,
        }
    }
}

/// `None` for an empty list: the measured value does not name the roles the reason says.
fn non_empty<T>(v: &[T]) -> Option<()> {
    (!v.is_empty()).then_some(())
}

fn pair_u64(v: &Value) -> Option<[u64; 2]> {
    match v.as_array()?.as_slice() {
        [a, b] => Some([a.as_u64()?, b.as_u64()?]),
        _ => None,
    }
}

/// Bytes as the page writes them: `812 B`, `340 KB`, `5 MB`, `5.25 MB`.
pub(super) fn bytes(n: f64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if n < 1024.0 {
        format!("{n:.0} B")
    } else if n < MB {
        format!("{:.0} KB", n / 1024.0)
    } else if n % MB == 0.0 {
        format!("{:.0} MB", n / MB)
    } else {
        format!("{:.2} MB", n / MB)
    }
}

/// The snake_case name serde gives a unit variant (`Place::TopLeft` → `top_left`).
fn snake<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}
