//! The main-image lint's findings in words (`lint.*` rules), as the page says them.

use super::{bytes, pair_u64, Reader, Words};
use crate::compliance::Reason;
use crate::tr;

impl Reader<'_> {
    pub(super) fn lint(&self) -> Option<Words> {
        match self.f.id {
            "lint.background_white" => self.white(),
            "lint.min_size" => self.min_size(),
            "lint.max_side" => self.max_side(),
            "lint.subject_fill" => self.fill(),
            "lint.file_size_recommended" => self.recommended_size(),
            "lint.live_cover_size" => self.live_cover(),
            _ => None,
        }
    }

    fn white(&self) -> Option<Words> {
        let l = self.lang;
        match self.f.reason {
            Reason::ImageTooSmall => self.say(self.t("f.background.skipped"), None),
            Reason::White => {
                let d = format!("{:.1}", self.num("max_deviation").unwrap_or(0.0));
                self.say(tr!(l, "f.lint.background_white.pass", d = d), None)
            }
            Reason::NotWhite => self.say(
                self.t("f.lint.background_white.fail"),
                Some("fix.lint.background_white"),
            ),
            Reason::NotFlat => self.say(
                self.t("f.lint.background_white.notFlat"),
                Some("fix.lint.background_white.notFlat"),
            ),
            Reason::FrameAround => {
                let frame = self.m("frame")?;
                let px = frame.get("thickness_px")?.as_u64()?;
                let rgb: Option<Vec<String>> = frame
                    .get("rgb")?
                    .as_array()?
                    .iter()
                    .map(|c| c.as_u64().map(|v| v.to_string()))
                    .collect();
                self.say(
                    tr!(
                        l,
                        "f.lint.background_white.frame",
                        px = px,
                        rgb = rgb?.join(",")
                    ),
                    Some("fix.lint.background_white.frame"),
                )
            }
            _ => None,
        }
    }

    fn min_size(&self) -> Option<Words> {
        let key = match self.f.reason {
            Reason::BigEnough => "pass",
            Reason::BelowRecommended => "warn",
            Reason::BelowMinimum => "fail",
            _ => return None,
        };
        let [w, h] = pair_u64(&self.f.measured)?;
        let limit = self.limit_or(800.0);
        self.say(
            tr!(
                self.lang,
                &format!("f.lint.min_size.{key}"),
                w = w,
                h = h,
                limit = limit
            ),
            Some("fix.lint.min_size"),
        )
    }

    fn max_side(&self) -> Option<Words> {
        let key = match self.f.reason {
            Reason::WithinLimit => "pass",
            Reason::OverLimit => "fail",
            _ => return None,
        };
        let v = self.f.measured.as_u64()?;
        let limit = self.limit_or(2000.0);
        Some(Words {
            message: tr!(
                self.lang,
                &format!("f.lint.max_side.{key}"),
                v = v,
                limit = limit
            ),
            fix: self.fix("fix.lint.max_side", &[("limit", &limit)]),
        })
    }

    fn fill(&self) -> Option<Words> {
        let key = match self.f.reason {
            Reason::NoFlatBackground => {
                return self.say(self.t("f.lint.subject_fill.noFlat"), None)
            }
            Reason::Blank => {
                return self.say(
                    self.t("f.lint.subject_fill.blank"),
                    Some("fix.lint.subject_fill.blank"),
                )
            }
            Reason::FillsFrame => "f.lint.subject_fill.pass",
            Reason::SmallInFrame => "f.lint.subject_fill.fail",
            _ => return None,
        };
        let pct = |x: f64| format!("{:.0}%", x * 100.0);
        let fill = self.num("fill")?;
        let need = self.limit_or(0.75);
        self.say(
            tr!(self.lang, key, pct = pct(fill), need = pct(need)),
            Some("fix.lint.subject_fill"),
        )
    }

    fn recommended_size(&self) -> Option<Words> {
        let key = match self.f.reason {
            Reason::InRange => "pass",
            Reason::SmallButSharp => "smallSharp",
            Reason::SmallAndCompressed => "small",
            Reason::OverRecommended => "large",
            _ => return None,
        };
        let [lo, hi] = pair_u64(&self.f.limit)?;
        let size = bytes(self.f.measured.as_f64()?);
        let (lo, hi) = (bytes(lo as f64), bytes(hi as f64));
        let msg = tr!(
            self.lang,
            &format!("f.lint.file_size_recommended.{key}"),
            size = size,
            lo = lo,
            hi = hi
        );
        let fix = matches!(key, "small" | "large")
            .then(|| format!("fix.lint.file_size_recommended.{key}"));
        self.say(msg, fix.as_deref())
    }

    fn live_cover(&self) -> Option<Words> {
        let key = match self.f.reason {
            Reason::ExactSize => "pass",
            Reason::WrongSize => "fail",
            _ => return None,
        };
        let [w, h] = pair_u64(&self.f.measured)?;
        let [lw, lh] = pair_u64(&self.f.limit)?;
        Some(Words {
            message: tr!(
                self.lang,
                &format!("f.lint.live_cover_size.{key}"),
                w = w,
                h = h,
                lw = lw,
                lh = lh
            ),
            fix: self.fix("fix.lint.live_cover_size", &[("lw", &lw), ("lh", &lh)]),
        })
    }
}
