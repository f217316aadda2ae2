//! Catalogue row decoding: the feature and window blob decoders on arbitrary bytes, and a
//! catalogue file made of arbitrary bytes (opened, listed, read) — corruption must come back as
//! an error code, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pairproof::catalogue::store::Catalogue;

fuzz_target!(|data: &[u8]| {
    if let Some(f) = pairproof::fingerprint::local::Features::decode(data) {
        assert_eq!(pairproof::fingerprint::local::Features::decode(&f.encode()), Some(f));
    }
    if let Some(w) = pairproof::fingerprint::windows::Windows::decode(data) {
        assert_eq!(w.encode(), data);
    }
    // As a whole catalogue file.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cat.sqlite");
    std::fs::write(&path, data).expect("write");
    if let Ok(c) = Catalogue::open(&path) {
        if let Ok(files) = c.files() {
            for (_, sha) in files.iter().take(16) {
                let _ = c.record(sha);
                let _ = c.broken(sha);
            }
        }
        let _ = c.export_lines();
        let _ = c.decisions();
    }
});
