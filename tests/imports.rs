//! No import cycle between the files of `src/` (issue 16: "no import cycle between files").
//!
//! A file depends on another when it names an item there: `use crate::a::b::X`, `super::x`,
//! `self::child::f`, or a bare child module (`blend::rows` in `text.rs`). Edges between a module
//! and its own ancestors are left out: a parent declares and re-exports its children and a child
//! uses what its parent defines (it sees the parent's private items; Rust makes the two one
//! unit). A cycle here is two files that are not nested in each other and each need the other,
//! directly or around a loop: data flows one way (decode → measure → judge → report), so what
//! both sides need lives in a file both import. Tests (`tests.rs`, `#[cfg(test)] mod … { }`) are
//! not part of the graph. `cargo modules` would answer the same question but needs nightly rustc
//! internals; this reads the source text, which is enough because every path in this crate is
//! written out (no macro generates a `use`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module path; the binary's modules start with `<bin>` (main.rs and src/cli), the library's
/// with nothing.
type ModPath = Vec<String>;

/// Blank out comments, string and char literals (keeping newlines, so offsets keep their
/// lines): paths inside them are not dependencies.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |e| i + e);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let (mut depth, mut j) = (1, i + 2);
            while j < b.len() && depth > 0 {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if (rest.starts_with(b"r\"") || rest.starts_with(b"r#"))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            let hashes = rest[1..].iter().take_while(|&&c| c == b'#').count();
            if rest.get(1 + hashes) != Some(&b'"') {
                i += 1;
                continue;
            }
            let close: Vec<u8> = std::iter::once(b'"').chain(vec![b'#'; hashes]).collect();
            let start = i + 2 + hashes;
            let end = b[start..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len(), |e| start + e + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if rest[0] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if rest[0] == b'\'' {
            // a char literal ('x', '\n', '\u{1}'), not a lifetime ('a)
            let end = if rest.get(1) == Some(&b'\\') {
                rest.get(3..)
                    .and_then(|r| r.iter().position(|&c| c == b'\''))
                    .map(|e| i + 4 + e)
            } else {
                let len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                (rest.get(1 + len) == Some(&b'\'')).then_some(i + 2 + len)
            };
            match end {
                Some(e) => {
                    blank(&mut out, i, e);
                    i = e;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Punct(&'static str),
}

/// Identifiers and the punctuation paths are made of, with the line each starts on.
fn tokens(code: &str) -> Vec<(Tok, usize)> {
    let b = code.as_bytes();
    let (mut out, mut i, mut line) = (vec![], 0, 1);
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let j = i + b[i..]
                .iter()
                .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80)
                .count();
            out.push((Tok::Ident(code[i..j].to_string()), line));
            i = j;
        } else if c.is_ascii_digit() {
            i += b[i..]
                .iter()
                .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_')
                .count();
        } else if b[i..].starts_with(b"::") {
            out.push((Tok::Punct("::"), line));
            i += 2;
        } else {
            let p = match c {
                b'{' => "{",
                b'}' => "}",
                b';' => ";",
                b'#' => "#",
                b'[' => "[",
                b'(' => "(",
                b',' => ",",
                _ => "",
            };
            if !p.is_empty() {
                out.push((Tok::Punct(p), line));
            }
            i += 1;
        }
    }
    out
}

/// One file's module path from its place under `src/`.
fn module_of(rel: &Path) -> ModPath {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    match parts.first().map(String::as_str) {
        Some("lib") if parts.len() == 1 => vec![],
        Some("main") if parts.len() == 1 => vec!["<bin>".into()],
        Some("cli") => std::iter::once("<bin>".to_string()).chain(parts).collect(),
        _ => parts,
    }
}

/// Where a dependency was seen: the file that depends and the line.
type Edges = BTreeMap<(ModPath, ModPath), (String, usize)>;

/// The file-to-file dependency graph of a source tree (`rel path → text`).
fn graph(files: &BTreeMap<String, String>) -> Edges {
    let mods: BTreeMap<ModPath, &String> = files
        .keys()
        .filter(|r| !r.ends_with("/tests.rs") && *r != "tests.rs")
        .map(|r| (module_of(Path::new(r)), r))
        .collect();
    let resolve = |p: &[String]| -> Option<ModPath> {
        (0..=p.len())
            .rev()
            .map(|k| p[..k].to_vec())
            .find(|k| mods.contains_key(k))
    };
    let mut edges = Edges::new();
    for (file_mod, rel) in &mods {
        let toks = tokens(&code_only(&files[*rel]));
        // the module each token is in: the file's, or an inline `mod x { }` within it
        let mut stack: Vec<(ModPath, usize)> = vec![(file_mod.clone(), 0)];
        let mut depth = 0usize;
        let mut i = 0;
        let mut add = |target: Option<ModPath>, line: usize| {
            if let Some(t) = target.filter(|t| !nested(t, file_mod)) {
                edges
                    .entry((file_mod.clone(), t))
                    .or_insert(((*rel).clone(), line));
            }
        };
        while i < toks.len() {
            let here = stack.last().map(|s| s.0.clone()).unwrap_or_default();
            match &toks[i].0 {
                Tok::Punct("{") => depth += 1,
                Tok::Punct("}") => {
                    depth = depth.saturating_sub(1);
                    if stack.len() > 1 && stack.last().is_some_and(|s| s.1 == depth) {
                        stack.pop();
                    }
                }
                Tok::Punct("#") if is_cfg_test(&toks[i..]) => {
                    i = skip_item(&toks, i);
                    continue;
                }
                Tok::Ident(m) if m == "mod" => {
                    if let (Some((Tok::Ident(name), _)), Some((Tok::Punct("{"), _))) =
                        (toks.get(i + 1), toks.get(i + 2))
                    {
                        let mut inner = here.clone();
                        inner.push(name.clone());
                        stack.push((inner, depth));
                        depth += 1;
                        i += 3;
                        continue;
                    }
                }
                Tok::Ident(u) if u == "use" => {
                    let end = (i..toks.len())
                        .find(|&j| toks[j].0 == Tok::Punct(";"))
                        .unwrap_or(toks.len());
                    for path in use_paths(&toks[i + 1..end]) {
                        add(
                            absolute(&path, &here, &mods).and_then(|p| resolve(&p)),
                            toks[i].1,
                        );
                    }
                    i = end;
                    continue;
                }
                Tok::Ident(head) => {
                    let starts_path = i == 0 || toks[i - 1].0 != Tok::Punct("::");
                    if starts_path && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Punct("::")) {
                        let mut path = vec![head.clone()];
                        let mut j = i + 1;
                        while let (Some((Tok::Punct("::"), _)), Some((Tok::Ident(s), _))) =
                            (toks.get(j), toks.get(j + 1))
                        {
                            path.push(s.clone());
                            j += 2;
                        }
                        add(
                            absolute(&path, &here, &mods).and_then(|p| resolve(&p)),
                            toks[i].1,
                        );
                        i = j;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    edges
}

/// Is one module the other or one of its ancestors?
fn nested(a: &ModPath, b: &ModPath) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// `#[cfg(test)]` at this token.
fn is_cfg_test(t: &[(Tok, usize)]) -> bool {
    let want = [
        Tok::Punct("#"),
        Tok::Punct("["),
        Tok::Ident("cfg".into()),
        Tok::Punct("("),
        Tok::Ident("test".into()),
    ];
    t.len() > want.len() && t.iter().zip(&want).all(|(a, b)| a.0 == *b)
}

/// Past the item the `#[cfg(test)]` at `i` belongs to: to its `;` or its closing brace.
fn skip_item(t: &[(Tok, usize)], i: usize) -> usize {
    let mut depth = 0usize;
    for (j, (tok, _)) in t.iter().enumerate().skip(i + 5) {
        match tok {
            Tok::Punct("{") => depth += 1,
            Tok::Punct("}") => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j + 1;
                }
            }
            Tok::Punct(";") if depth == 0 => return j + 1,
            _ => {}
        }
    }
    t.len()
}

/// The paths a `use` tree names: `a::{b, c::{d, e}}` → a::b, a::c::d, a::c::e.
fn use_paths(t: &[(Tok, usize)]) -> Vec<Vec<String>> {
    fn tree(t: &[(Tok, usize)], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut path = prefix;
        while *i < t.len() {
            match &t[*i].0 {
                Tok::Ident(s) if s == "as" => {
                    *i += 2;
                    break;
                }
                Tok::Ident(s) => {
                    if s != "self" || path.is_empty() {
                        path.push(s.clone());
                    }
                    *i += 1;
                }
                Tok::Punct("::") => *i += 1,
                Tok::Punct("{") => {
                    *i += 1;
                    while *i < t.len() && t[*i].0 != Tok::Punct("}") {
                        tree(t, i, path.clone(), out);
                        if *i < t.len() && t[*i].0 == Tok::Punct(",") {
                            *i += 1;
                        }
                    }
                    *i += 1;
                    return;
                }
                _ => break,
            }
        }
        out.push(path);
    }
    let (mut out, mut i) = (vec![], 0);
    // `pub use`, `pub(crate) use` start after the keyword already
    tree(t, &mut i, vec![], &mut out);
    out
}

/// A path as written in module `here`, made absolute; `None` for other crates and names that
/// are not modules of this tree (std, locals, enum variants).
fn absolute(p: &[String], here: &ModPath, mods: &BTreeMap<ModPath, &String>) -> Option<ModPath> {
    let root: ModPath = here.iter().take_while(|s| *s == "<bin>").cloned().collect();
    let mut base = match p.first()?.as_str() {
        "crate" => root.clone(),
        "self" => here.clone(),
        "super" => here.clone(),
        child => {
            let mut m = here.clone();
            m.push(child.to_string());
            if !mods.contains_key(&m) {
                return None;
            }
            return Some(m.into_iter().chain(p[1..].iter().cloned()).collect());
        }
    };
    let mut rest = if p[0] == "super" { p } else { &p[1..] };
    while rest.first().is_some_and(|s| s == "super") {
        base.pop()?;
        rest = &rest[1..];
    }
    Some(base.into_iter().chain(rest.iter().cloned()).collect())
}

/// Strongly connected groups of more than one file (Tarjan).
fn cycles(edges: &Edges) -> Vec<Vec<ModPath>> {
    let mut adj: BTreeMap<&ModPath, Vec<&ModPath>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        adj.entry(a).or_default().push(b);
        adj.entry(b).or_default();
    }
    struct T<'a> {
        adj: &'a BTreeMap<&'a ModPath, Vec<&'a ModPath>>,
        index: BTreeMap<&'a ModPath, (usize, usize)>,
        stack: Vec<&'a ModPath>,
        on: BTreeSet<&'a ModPath>,
        out: Vec<Vec<ModPath>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a ModPath) {
        let n = t.index.len();
        t.index.insert(v, (n, n));
        t.stack.push(v);
        t.on.insert(v);
        for &w in &t.adj[v] {
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.index[w].1;
                t.index.get_mut(v).unwrap().1 = t.index[v].1.min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w].0;
                t.index.get_mut(v).unwrap().1 = t.index[v].1.min(iw);
            }
        }
        if t.index[v].0 == t.index[v].1 {
            let mut comp = vec![];
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        adj: &adj,
        index: BTreeMap::new(),
        stack: vec![],
        on: BTreeSet::new(),
        out: vec![],
    };
    for v in adj.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

fn name(m: &ModPath) -> String {
    if m.is_empty() {
        "lib".into()
    } else {
        m.join("::")
    }
}

fn describe(edges: &Edges, found: &[Vec<ModPath>]) -> String {
    let mut s = String::new();
    for comp in found {
        s += &format!(
            "cycle: {}\n",
            comp.iter().map(name).collect::<Vec<_>>().join(", ")
        );
        for ((a, b), (file, line)) in edges {
            if comp.contains(a) && comp.contains(b) {
                s += &format!("  {} -> {}   (src/{file}:{line})\n", name(a), name(b));
            }
        }
    }
    s
}

fn source_tree(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("src/ is readable") {
            let p = e.expect("src/ entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(root).expect("under src/");
                let text = std::fs::read_to_string(&p).expect("source is UTF-8");
                out.insert(rel.to_string_lossy().replace('\\', "/"), text);
            }
        }
    }
    out
}

#[test]
fn no_file_in_src_imports_in_a_cycle() {
    let files = source_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let edges = graph(&files);
    // the checker sees the tree: the pipeline's own edges are there
    assert!(
        edges.contains_key(&(vec!["check".into()], vec!["similarity".into()])),
        "{:?}",
        edges.keys().take(20).collect::<Vec<_>>()
    );
    let found = cycles(&edges);
    assert!(found.is_empty(), "\n{}", describe(&edges, &found));
}

fn tree(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

#[test]
fn a_planted_cycle_is_found_and_comments_tests_and_inline_modules_are_not_edges() {
    let planted = tree(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
        ("a/mod.rs", "mod inner;\npub fn f() { inner::g() }\n"),
        (
            "a/inner.rs",
            "use crate::b::{x, y::Z};\npub fn g() { let s = \"crate::c::x\"; super::f(); }\n",
        ),
        ("b.rs", "pub fn x() { crate::a::inner::g() }\n"),
        ("c.rs", "pub fn x() {}\n"),
    ]);
    let edges = graph(&planted);
    let a: ModPath = vec!["a".into()];
    let inner: ModPath = vec!["a".into(), "inner".into()];
    let b: ModPath = vec!["b".into()];
    let c: ModPath = vec!["c".into()];
    assert!(edges.contains_key(&(inner.clone(), b.clone())), "{edges:?}");
    assert!(edges.contains_key(&(b.clone(), inner.clone())), "{edges:?}");
    assert!(
        !edges.contains_key(&(a.clone(), inner.clone())),
        "a parent and its child are one unit"
    );
    assert!(
        !edges.contains_key(&(inner.clone(), a.clone())),
        "a child and its parent are one unit"
    );
    assert!(
        !edges.contains_key(&(inner.clone(), c.clone())),
        "a string is no path"
    );
    let found = cycles(&edges);
    assert_eq!(found, vec![vec![inner.clone(), b.clone()]], "{edges:?}");

    let clean = tree(&[
        ("lib.rs", "pub mod a;\npub mod b;\n"),
        (
            "a.rs",
            "// crate::b::x\n#[cfg(test)]\nmod tests { use crate::b::x; }\n\
             mod simd { fn k() { super::scalar() } }\nfn scalar() { let c = '\\''; let l: &'static str = \"\"; }\n\
             pub fn f() {}\n",
        ),
        ("b.rs", "use crate::a::f;\n/* super::a */\n"),
        ("b/tests.rs", "use crate::b::*;\n"),
    ]);
    let edges = graph(&clean);
    assert_eq!(
        edges.keys().cloned().collect::<Vec<_>>(),
        vec![(b.clone(), a.clone())],
        "{edges:?}"
    );
    assert!(cycles(&edges).is_empty());
}
