//! The words people read, in English and Simplified Chinese: one message catalogue for the
//! command line and the web page.
//!
//! Why one catalogue: most sellers read Chinese, and a sentence translated twice drifts. The
//! catalogue is two JSON files, `en.json` and `zh-CN.json`, with the same keys (a test checks
//! keys and placeholders agree). The page's `i18n-en.js` / `i18n-zh.js` modules are these files
//! served as ES modules ([`page_module`]); the command line looks up the same keys
//! (`f.*` and `fix.*` for findings, the error codes for errors) and keys of its own under
//! `cli.`. Codes, rule ids and JSON stay language-neutral: only human-readable text is looked up.
//!
//! Placeholders are written `{name}`; a key with a `.one` twin is plural-aware ([`tn`]).

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

mod findings;
pub use findings::{finding_words, Files, Words};

/// The language of human-readable output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    En,
    /// Simplified Chinese.
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The BCP 47 tag (`en`, `zh-CN`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// A language tag or POSIX locale name: `zh`, `zh-CN`, `zh_CN.UTF-8`, `zh_TW` (Chinese
    /// readers get Simplified Chinese rather than English), `en`, `en_US.UTF-8`. `None` for
    /// anything else (`C`, `POSIX`, `fr_FR`, empty).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language the environment asks for, by POSIX precedence: the first of `LC_ALL`,
    /// `LC_MESSAGES`, `LANG` that is set and not empty decides; a locale we have no words for
    /// (`C`, `fr_FR.UTF-8`) means English.
    pub fn from_env() -> Lang {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// [`Lang::from_env`] over any variable lookup (tests pass their own).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| get(k))
            .find(|v| !v.trim().is_empty())
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }
}

const EN_JSON: &str = include_str!("en.json");
const ZH_JSON: &str = include_str!("zh-CN.json");

fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::En => EN_JSON,
        Lang::ZhCn => ZH_JSON,
    }
}

/// The catalogue of one language. The files are compiled in and checked by tests, so a parse
/// failure cannot happen in a release; it would show keys instead of words, never panic.
fn catalogue(lang: Lang) -> &'static HashMap<String, String> {
    static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
    static ZH: OnceLock<HashMap<String, String>> = OnceLock::new();
    let cell = match lang {
        Lang::En => &EN,
        Lang::ZhCn => &ZH,
    };
    cell.get_or_init(|| serde_json::from_str(source(lang)).unwrap_or_default())
}

/// Does the catalogue have words for `key` (in English, which has every key but the Chinese
/// command-line help)?
pub fn has(key: &str) -> bool {
    has_in(Lang::En, key)
}

/// Does `lang`'s catalogue itself have words for `key`?
pub fn has_in(lang: Lang, key: &str) -> bool {
    catalogue(lang).contains_key(key)
}

/// Keys only the command line reads (its own lines and help); the page is not sent them.
const CLI_PREFIX: &str = "cli.";
/// Keys of the Chinese command-line help: English help is clap's, from the doc comments of
/// `src/cli/`, so these have no English twin.
pub const HELP_PREFIX: &str = "cli.help.";

/// The words for `key` in `lang` (English when `lang` lacks it, the key itself when neither has
/// it), with each `{name}` replaced by its value in `vars`; unknown placeholders stay as written.
pub fn t(lang: Lang, key: &str, vars: &[(&str, &dyn Display)]) -> String {
    let text = catalogue(lang)
        .get(key)
        .or_else(|| catalogue(Lang::En).get(key))
        .map(String::as_str)
        .unwrap_or(key);
    fill(text, vars)
}

/// [`t`] for a count: `KEY.one` when `n` is 1 and that key exists; `{n}` is filled in.
pub fn tn(lang: Lang, key: &str, n: usize, vars: &[(&str, &dyn Display)]) -> String {
    let one = format!("{key}.one");
    let key = if n == 1 && has(&one) {
        one.as_str()
    } else {
        key
    };
    let mut all: Vec<(&str, &dyn Display)> = vec![("n", &n)];
    all.extend_from_slice(vars);
    t(lang, key, &all)
}

/// Replace `{name}` placeholders (names are ASCII letters, digits and `_`).
fn fill(text: &str, vars: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}');
        let name = close.map(|c| &after[..c]);
        match name.and_then(|n| vars.iter().find(|(k, _)| *k == n)) {
            Some((_, v)) => {
                out.push_str(&v.to_string());
                rest = &after[close.unwrap_or(0) + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `t` with named arguments: `tr!(lang, "cli.check.heatmap", path = p.display())`.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:expr $(, $k:ident = $v:expr)* $(,)?) => {
        $crate::i18n::t($lang, $key, &[$((stringify!($k), &$v as &dyn ::std::fmt::Display)),*])
    };
}

/// What a code says to a reader: the library's own English message, or in Chinese the code's
/// sentence from the catalogue (callers print the code beside it, and the file when the English
/// message carried it).
pub fn code_message(lang: Lang, code: crate::Code, english: &str) -> String {
    match lang {
        Lang::En => english.to_string(),
        Lang::ZhCn => t(lang, code.as_str(), &[]),
    }
}

/// A list in the language's words: "a, b and c" / "a、b和c".
pub fn word_list(lang: Lang, items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!(
            "{}{}{last}",
            head.join(&t(lang, "list.comma", &[])),
            t(lang, "list.and", &[])
        ),
    }
}

/// An orientation in words (English: [`Dihedral::words`]; Chinese: the page's `orient.*`).
///
/// [`Dihedral::words`]: crate::fingerprint::Dihedral::words
pub fn orientation(lang: Lang, o: crate::fingerprint::Dihedral) -> String {
    use crate::fingerprint::Dihedral as D;
    if lang == Lang::En {
        return o.words().to_string();
    }
    let key = match o {
        D::Original => "orient.original",
        D::Rotate90 => "orient.rotate90",
        D::Rotate180 => "orient.rotate180",
        D::Rotate270 => "orient.rotate270",
        D::FlipX => "orient.flipx",
        D::FlipY => "orient.flipy",
        D::FlipPlus1 => "orient.flipplus1",
        D::FlipMinus1 => "orient.flipminus1",
    };
    t(lang, key, &[])
}

/// The catalogue as the page's ES module (`i18n-en.js` exports `EN`, `i18n-zh.js` exports
/// `ZH`): JSON is a JavaScript expression. Made once per process, like the catalogue.
pub fn page_module(lang: Lang) -> &'static str {
    static EN: OnceLock<String> = OnceLock::new();
    static ZH: OnceLock<String> = OnceLock::new();
    let cell = match lang {
        Lang::En => &EN,
        Lang::ZhCn => &ZH,
    };
    cell.get_or_init(|| make_page_module(lang))
}

fn make_page_module(lang: Lang) -> String {
    let name = match lang {
        Lang::En => "EN",
        Lang::ZhCn => "ZH",
    };
    let words: std::collections::BTreeMap<&str, &str> = catalogue(lang)
        .iter()
        .filter(|(k, _)| !k.starts_with(CLI_PREFIX))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let json = serde_json::to_string_pretty(&words).unwrap_or_else(|_| "{}".into());
    format!(
        "// The page's words in {}, from pairproof's message catalogue (src/i18n/{}.json).\nexport const {name} = {json};\n",
        lang.tag(),
        lang.tag(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<&str> {
        let mut v: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(n, _)| n))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys_and_placeholders() {
        let parsed = |s: &str| serde_json::from_str::<HashMap<String, String>>(s).unwrap();
        let (en, zh) = (parsed(EN_JSON), parsed(ZH_JSON));
        assert!(en.len() > 400, "{} keys", en.len());
        let mut only: Vec<&String> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        only.extend(
            zh.keys()
                .filter(|k| !en.contains_key(*k) && !k.starts_with(HELP_PREFIX)),
        );
        assert!(
            en.keys().all(|k| !k.starts_with(HELP_PREFIX)),
            "English help is clap's doc comments, not the catalogue"
        );
        assert!(only.is_empty(), "keys in one language only: {only:?}");
        for (k, e) in &en {
            // A Chinese sentence may leave out a count its English needs for grammar ("1 file"
            // vs "{n} files"), never add one English does not fill.
            let (pe, pz) = (placeholders(e), placeholders(&zh[k]));
            assert!(
                pz.iter().all(|p| pe.contains(p)),
                "{k}: zh-CN uses {pz:?}, en {pe:?}"
            );
        }
    }

    #[test]
    fn words_are_filled_and_fall_back() {
        assert_eq!(
            tr!(Lang::ZhCn, "f.dims.equal.pass", w = 800, h = 600),
            "两张图都是 800×600。"
        );
        assert_eq!(
            tr!(Lang::En, "f.dims.equal.pass", w = 800, h = 600),
            "Both images are 800×600."
        );
        assert_eq!(t(Lang::ZhCn, "no.such.key", &[]), "no.such.key");
        assert_eq!(fill("{a} {b} {", &[("a", &1)]), "1 {b} {");
        assert_eq!(
            tn(Lang::En, "mark.count", 1, &[]),
            t(Lang::En, "mark.count.one", &[])
        );
        let items = ["a".to_string(), "b".into(), "c".into()];
        assert_eq!(word_list(Lang::ZhCn, &items), "a、b和c");
    }

    #[test]
    fn the_environment_chooses_by_posix_precedence() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Lang::from_vars(env(&[("LANG", "zh_CN.UTF-8")])), Lang::ZhCn);
        assert_eq!(
            Lang::from_vars(env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_vars(env(&[
                ("LC_ALL", ""),
                ("LC_MESSAGES", "zh_TW"),
                ("LANG", "C")
            ])),
            Lang::ZhCn
        );
        assert_eq!(Lang::from_vars(env(&[("LANG", "C.UTF-8")])), Lang::En);
        assert_eq!(Lang::from_vars(env(&[])), Lang::En);
    }

    #[test]
    fn the_page_module_is_the_catalogue() {
        let js = page_module(Lang::ZhCn);
        assert!(js.contains("export const ZH = {"));
        assert!(js.contains("\"verdict.fail\": \"会被拒绝\""));
        assert!(
            !js.contains("\"cli."),
            "the page is not sent the command line's words"
        );
    }
}
