//! The findings about the files themselves (format, size, GPS, colour space) in words: they
//! name the roles (main, hidden, image) whose file breaks the rule.

use serde_json::Value;

use super::{bytes, non_empty, Reader, Words};
use crate::compliance::Reason;
use crate::decode::icc::ColourSpace;
use crate::tr;

impl Reader<'_> {
    pub(super) fn format(&self) -> Option<Words> {
        let upper = |v: &Value| v.as_str().unwrap_or_default().to_uppercase();
        let sep = self.t("list.sep");
        match self.f.reason {
            Reason::JpegOrPng => self.say(self.t("f.format.pass"), None),
            Reason::NotJpegOrPng => {
                let roles = self.roles(|v, _| !matches!(v.as_str(), Some("jpeg" | "png")));
                let items: Vec<String> = roles
                    .iter()
                    .map(|r| {
                        let fmt = upper(self.m(r).unwrap_or(&Value::Null));
                        tr!(
                            self.lang,
                            "f.format.failItem",
                            role = self.role(r),
                            fmt = fmt
                        )
                    })
                    .collect();
                non_empty(&items)?;
                self.say(
                    tr!(self.lang, "f.format.fail", list = items.join(&sep)),
                    Some("fix.format.fail"),
                )
            }
            Reason::ExtensionMismatch => {
                let roles =
                    self.roles(|_, r| self.has_warning(r, &[crate::Code::ExtensionMismatch]));
                let items: Vec<String> = roles
                    .iter()
                    .map(|r| {
                        let ext = self
                            .files
                            .get(r)
                            .and_then(|f| f.extension.clone())
                            .unwrap_or_default();
                        let fmt = upper(self.m(r).unwrap_or(&Value::Null));
                        tr!(
                            self.lang,
                            "f.format.warnItem",
                            role = self.role(r),
                            ext = ext,
                            fmt = fmt
                        )
                    })
                    .collect();
                non_empty(&items)?;
                self.say(
                    tr!(self.lang, "f.format.warn", list = items.join(&sep)),
                    Some("fix.format.warn"),
                )
            }
            _ => None,
        }
    }

    pub(super) fn file_size(&self) -> Option<Words> {
        let max = self.limit_or(5_242_880.0);
        let limit = bytes(max);
        match self.f.reason {
            Reason::WithinLimit => {
                let key = if self.m("image").is_some() {
                    "f.file.size.passOne"
                } else {
                    "f.file.size.pass"
                };
                self.say(tr!(self.lang, key, limit = limit), None)
            }
            Reason::OverLimit => {
                let roles = self.roles(|v, _| v.as_f64().is_some_and(|b| b > max));
                let items: Vec<String> = roles
                    .iter()
                    .map(|r| {
                        let size = bytes(self.num(r).unwrap_or(0.0));
                        tr!(
                            self.lang,
                            "f.file.size.failItem",
                            role = self.role(r),
                            size = size
                        )
                    })
                    .collect();
                non_empty(&items)?;
                self.say(
                    tr!(
                        self.lang,
                        "f.file.size.fail",
                        list = items.join(&self.t("list.sep")),
                        limit = limit
                    ),
                    Some("fix.file.size"),
                )
            }
            _ => None,
        }
    }

    pub(super) fn gps(&self) -> Option<Words> {
        let roles_words = |roles: Vec<&str>| -> Option<String> {
            let names: Vec<String> = roles.iter().map(|r| self.role(r)).collect();
            non_empty(&names)?;
            Some(names.join(&self.t("list.and")))
        };
        let l = self.lang;
        match self.f.reason {
            Reason::NoGps => self.say(self.t("f.metadata.gps.pass"), None),
            Reason::GpsPresent => {
                let roles = roles_words(self.roles(|v, _| v.as_bool() == Some(true)))?;
                self.say(
                    tr!(l, "f.metadata.gps.fail", roles = roles),
                    Some("fix.metadata.gps.fail"),
                )
            }
            Reason::ExifUnreadable => {
                let codes = [crate::Code::ExifUnreadable, crate::Code::LimitMetadata];
                let roles = roles_words(self.roles(|_, r| self.has_warning(r, &codes)))?;
                self.say(
                    tr!(l, "f.metadata.gps.warn", roles = roles),
                    Some("fix.metadata.gps.warn"),
                )
            }
            _ => None,
        }
    }

    pub(super) fn srgb(&self) -> Option<Words> {
        let space = |r: &str| self.files.get(r).map(|f| &f.colour_space);
        let sep = self.t("list.sep");
        match self.f.reason {
            Reason::Srgb => self.say(self.t("f.color.srgb.pass"), None),
            Reason::NotSrgb => {
                let items: Vec<String> = self
                    .roles(|_, r| {
                        space(r).is_some_and(|c| {
                            !c.is_srgb_compatible() && !matches!(c, ColourSpace::CorruptIcc { .. })
                        })
                    })
                    .iter()
                    .filter_map(|r| {
                        let key = format!("cs.{}", space_key(space(r)?));
                        Some(tr!(
                            self.lang,
                            "f.color.srgb.failItem",
                            role = self.role(r),
                            space = self.t(&key)
                        ))
                    })
                    .collect();
                non_empty(&items)?;
                self.say(
                    tr!(self.lang, "f.color.srgb.fail", list = items.join(&sep)),
                    Some("fix.color.srgb.fail"),
                )
            }
            Reason::IccUnreadable => {
                let items: Vec<String> = self
                    .roles(|_, r| matches!(space(r), Some(ColourSpace::CorruptIcc { .. })))
                    .iter()
                    .map(|r| tr!(self.lang, "f.color.srgb.warnItem", role = self.role(r)))
                    .collect();
                non_empty(&items)?;
                self.say(
                    tr!(self.lang, "f.color.srgb.warn", list = items.join(&sep)),
                    Some("fix.color.srgb.warn"),
                )
            }
            _ => None,
        }
    }
}

/// The `cs.*` key of a colour space (the `kind` it is serialised with).
fn space_key(c: &ColourSpace) -> &'static str {
    match c {
        ColourSpace::Srgb { .. } => "srgb",
        ColourSpace::Untagged => "untagged",
        ColourSpace::AdobeRgb { .. } => "adobe_rgb",
        ColourSpace::DisplayP3 { .. } => "display_p3",
        ColourSpace::OtherIcc { .. } => "other_icc",
        ColourSpace::Cmyk { .. } => "cmyk",
        ColourSpace::CorruptIcc { .. } => "corrupt_icc",
    }
}
