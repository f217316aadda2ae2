//! Pairing files by name, as sellers name them. One rule set for `check --dir` and the web
//! page's batch upload:
//!
//! - **Role** from the end of the file name (before the extension): `main` / `主图` for the
//!   main image, `hidden` / `隐藏图` / `隐藏` for the hidden image. English words need a
//!   separator before them (`_`, `-`, space or `.`: `SKU1_main`, `SKU1-Hidden`, so `domain.jpg`
//!   is no main image); Chinese ones may follow the SKU directly (`SKU008主图`).
//! - **SKU** from the rest of the name, or, when the name is the role word alone
//!   (`SKU1/main.jpg`, `SKU1/隐藏图.png`), from the folder holding it.
//! - Files pair within their folder: one main and one hidden per SKU. Anything else is listed
//!   with its reason, never dropped silently.

use std::collections::BTreeMap;

use serde::Serialize;

/// Which image of a pair a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Main,
    Hidden,
}

/// Why a file is not part of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoreReason {
    /// The extension is not one of the image formats pairproof reads.
    NotAnImage,
    /// The name carries no role word.
    NoRoleInName,
    /// Named `main` / `hidden` alone, but not inside a folder that names the SKU.
    NoSku,
}

impl IgnoreReason {
    /// In words, for text output.
    pub fn words(self) -> &'static str {
        match self {
            IgnoreReason::NotAnImage => "not an image file (.jpg, .jpeg, .png, .webp, .gif, .bmp)",
            IgnoreReason::NoRoleInName => {
                "the name says neither main (主图) nor hidden (隐藏图): name it SKU_main / SKU_hidden"
            }
            IgnoreReason::NoSku => "named main/hidden alone outside a SKU folder",
        }
    }
}

/// The naming rules in one sentence, for "no pairs found".
pub const RULES: &str = "name each pair SKU_main.jpg + SKU_hidden.jpg (also SKU-main, SKU_主图 + SKU_隐藏图), or put main.jpg + hidden.jpg (主图.jpg + 隐藏图.jpg) in one folder per SKU";

/// Image extensions that take part in pairing.
pub const IMAGE_EXTS: &[&str] = &["jpg", "jpeg", "png", "webp", "gif", "bmp"];

/// (role word, role, needs a separator before it); longer words before their prefixes.
const WORDS: &[(&str, Role, bool)] = &[
    ("隐藏图", Role::Hidden, false),
    ("隐藏", Role::Hidden, false),
    ("主图", Role::Main, false),
    ("hidden", Role::Hidden, true),
    ("main", Role::Main, true),
];

const SEPARATORS: &[char] = &['_', '-', ' ', '.'];

/// The role a file stem names and its SKU part (`None` when the stem is the role word alone).
pub fn role_of(stem: &str) -> Option<(Option<String>, Role)> {
    let lower = stem.to_ascii_lowercase();
    for &(word, role, needs_sep) in WORDS {
        let Some(rest) = lower.strip_suffix(word) else {
            continue;
        };
        let sku_raw = &stem[..rest.len()];
        if needs_sep && !sku_raw.is_empty() && !sku_raw.ends_with(SEPARATORS) {
            continue;
        }
        let sku = sku_raw.trim_end_matches(SEPARATORS).trim();
        return Some(((!sku.is_empty()).then(|| sku.to_string()), role));
    }
    None
}

/// One file offered for pairing: its path relative to the batch root, `/`-separated.
#[derive(Debug, Clone)]
pub struct Named<T> {
    pub rel: String,
    pub item: T,
}

/// A SKU whose files do not make one pair.
#[derive(Debug, Clone)]
pub struct Incomplete<T> {
    pub label: String,
    pub mains: Vec<T>,
    pub hiddens: Vec<T>,
}

impl<T> Incomplete<T> {
    /// What is wrong, in words.
    pub fn message(&self) -> String {
        let label = &self.label;
        match (self.mains.len(), self.hiddens.len()) {
            (_, 0) => format!(
                "SKU {label}: main image has no matching hidden image ({label}_hidden / {label}_隐藏图)"
            ),
            (0, _) => format!(
                "SKU {label}: hidden image has no matching main image ({label}_main / {label}_主图)"
            ),
            (m, h) => format!(
                "SKU {label}: {m} main and {h} hidden files; exactly one of each is needed"
            ),
        }
    }
}

/// Files paired by name: pairs `(label, main, hidden)` sorted by label, the SKUs that do not
/// pair, and the files that are not part of any SKU.
#[derive(Debug, Clone)]
pub struct Paired<T> {
    pub pairs: Vec<(String, T, T)>,
    pub incomplete: Vec<Incomplete<T>>,
    pub ignored: Vec<(T, IgnoreReason)>,
}

/// Pair `files` by the naming rules (see the module).
pub fn pair_by_name<T>(files: Vec<Named<T>>) -> Paired<T> {
    // Keyed by (label, folder): files pair within their folder, and come out by label.
    let mut skus: BTreeMap<(String, String), (Vec<T>, Vec<T>)> = BTreeMap::new();
    let mut ignored = Vec::new();
    for f in files {
        let (folder, file) = match f.rel.rsplit_once('/') {
            Some((d, n)) => (d, n),
            None => ("", f.rel.as_str()),
        };
        let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
        if !IMAGE_EXTS.contains(&ext.to_ascii_lowercase().as_str()) {
            ignored.push((f.item, IgnoreReason::NotAnImage));
            continue;
        }
        let Some((sku, role)) = role_of(stem) else {
            ignored.push((f.item, IgnoreReason::NoRoleInName));
            continue;
        };
        let label = match (sku, folder) {
            (Some(s), _) => s,
            (None, "") => {
                ignored.push((f.item, IgnoreReason::NoSku));
                continue;
            }
            (None, d) => d.rsplit('/').next().unwrap_or(d).to_string(),
        };
        let e = skus.entry((label, folder.to_string())).or_default();
        match role {
            Role::Main => e.0.push(f.item),
            Role::Hidden => e.1.push(f.item),
        }
    }
    let mut out = Paired {
        pairs: Vec::new(),
        incomplete: Vec::new(),
        ignored,
    };
    for ((label, _), (mut mains, mut hiddens)) in skus {
        if mains.len() == 1 && hiddens.len() == 1 {
            if let (Some(m), Some(h)) = (mains.pop(), hiddens.pop()) {
                out.pairs.push((label, m, h));
            }
        } else {
            out.incomplete.push(Incomplete {
                label,
                mains,
                hiddens,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_as_sellers_write_them() {
        let s = |x: &str| Some(x.to_string());
        assert_eq!(role_of("A1_main"), Some((s("A1"), Role::Main)));
        assert_eq!(role_of("A1-Hidden"), Some((s("A1"), Role::Hidden)));
        assert_eq!(role_of("SKU008_主图"), Some((s("SKU008"), Role::Main)));
        assert_eq!(role_of("SKU008隐藏图"), Some((s("SKU008"), Role::Hidden)));
        assert_eq!(role_of("SKU008 隐藏"), Some((s("SKU008"), Role::Hidden)));
        assert_eq!(
            role_of("红色连衣裙_主图"),
            Some((s("红色连衣裙"), Role::Main))
        );
        assert_eq!(role_of("main"), Some((None, Role::Main)));
        assert_eq!(role_of("隐藏图"), Some((None, Role::Hidden)));
        assert_eq!(role_of("domain"), None);
        assert_eq!(role_of("photo"), None);
        assert_eq!(role_of("A1_mainx"), None);
    }

    fn named(rels: &[&str]) -> Vec<Named<String>> {
        rels.iter()
            .map(|r| Named {
                rel: r.to_string(),
                item: r.to_string(),
            })
            .collect()
    }

    #[test]
    fn folders_names_and_leftovers() {
        let p = pair_by_name(named(&[
            "A1_main.jpg",
            "A1_hidden.JPG",
            "SKU1/main.jpg",
            "SKU1/hidden.png",
            "SKU2/主图.jpg",
            "SKU2/隐藏图.jpg",
            "shop/SKU008_主图.jpg",
            "shop/SKU008_隐藏图.jpg",
            "D4_main.jpg",
            "notes.txt",
            "photo.jpg",
            "main.jpg",
            "E5/main.jpg",
            "E5/main copy_main.jpg",
        ]));
        let labels: Vec<(&str, &str, &str)> = p
            .pairs
            .iter()
            .map(|(l, m, h)| (l.as_str(), m.as_str(), h.as_str()))
            .collect();
        assert_eq!(
            labels,
            vec![
                ("A1", "A1_main.jpg", "A1_hidden.JPG"),
                ("SKU008", "shop/SKU008_主图.jpg", "shop/SKU008_隐藏图.jpg"),
                ("SKU1", "SKU1/main.jpg", "SKU1/hidden.png"),
                ("SKU2", "SKU2/主图.jpg", "SKU2/隐藏图.jpg"),
            ]
        );
        let inc: Vec<String> = p.incomplete.iter().map(|i| i.message()).collect();
        assert_eq!(inc.len(), 3, "{inc:?}");
        assert!(inc[0].starts_with("SKU D4: main image has no matching hidden"));
        assert!(inc[1].starts_with("SKU E5: main image"), "{inc:?}");
        assert!(inc[2].starts_with("SKU main copy: main image"), "{inc:?}");
        assert_eq!(
            p.ignored,
            vec![
                ("notes.txt".to_string(), IgnoreReason::NotAnImage),
                ("photo.jpg".to_string(), IgnoreReason::NoRoleInName),
                ("main.jpg".to_string(), IgnoreReason::NoSku),
            ]
        );
    }
}
