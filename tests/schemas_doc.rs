//! The schema table (`report::schema::ALL`) and docs/schemas.md agree both ways: every schema
//! the code writes is documented, and every schema the document names is one the code writes.

use std::collections::BTreeSet;

#[test]
fn every_schema_is_documented_and_every_documented_schema_exists() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schemas.md")).unwrap();
    let all: BTreeSet<&str> = pairproof::report::schema::ALL.iter().copied().collect();
    assert_eq!(
        all.len(),
        pairproof::report::schema::ALL.len(),
        "no duplicates"
    );
    for s in &all {
        // The serve row abbreviates its names after the first (`serve-check/1`).
        let short = s.trim_start_matches("pairproof.");
        assert!(
            doc.contains(&format!("`{s}`")) || doc.contains(&format!("`{short}`")),
            "{s} is not documented in docs/schemas.md"
        );
    }
    // Every `pairproof.NAME/N` the document mentions.
    let mut named = BTreeSet::new();
    let bytes = doc.as_bytes();
    let mut i = 0;
    while let Some(k) = doc[i..].find("pairproof.") {
        let start = i + k;
        let mut end = start + "pairproof.".len();
        while end < bytes.len() && (bytes[end].is_ascii_lowercase() || bytes[end] == b'-') {
            end += 1;
        }
        if end < bytes.len() && bytes[end] == b'/' {
            let mut e2 = end + 1;
            while e2 < bytes.len() && bytes[e2].is_ascii_digit() {
                e2 += 1;
            }
            if e2 > end + 1 {
                named.insert(doc[start..e2].to_string());
            }
        }
        i = end;
    }
    for n in &named {
        assert!(
            all.contains(n.as_str()),
            "docs/schemas.md names {n}, which no code writes"
        );
    }
}
