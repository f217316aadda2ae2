//! Catalogue keys of paths (exact for names that are not UTF-8).

use std::path::{Path, PathBuf};

/// Prefix of catalogue keys for paths that are not valid UTF-8: the rest is the base64 of
/// the path's bytes, so such files keep an exact, distinct key.
const B64_KEY: &str = "\u{1}b64:";

/// The catalogue key of a path: the path itself when it is UTF-8, else its bytes in base64.
pub fn path_key(p: &Path) -> String {
    match p.to_str() {
        Some(s) => s.to_string(),
        None => {
            use base64::Engine;
            #[cfg(unix)]
            let bytes = std::os::unix::ffi::OsStrExt::as_bytes(p.as_os_str()).to_vec();
            #[cfg(not(unix))]
            let bytes = p.to_string_lossy().as_bytes().to_vec();
            format!(
                "{B64_KEY}{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        }
    }
}

/// The path a catalogue key names (inverse of [`path_key`]).
pub fn key_path(k: &str) -> PathBuf {
    if let Some(b64) = k.strip_prefix(B64_KEY) {
        use base64::Engine;
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) {
            #[cfg(unix)]
            return PathBuf::from(
                <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&bytes),
            );
            #[cfg(not(unix))]
            return PathBuf::from(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    PathBuf::from(k)
}

/// A key as people see it (lossy for non-UTF-8 names) and the exact bytes in base64 if needed.
pub fn key_display(k: &str) -> (String, Option<String>) {
    use base64::Engine;
    match k.strip_prefix(B64_KEY) {
        Some(b) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b)
                .unwrap_or_default();
            (
                String::from_utf8_lossy(&bytes).into_owned(),
                Some(b.to_string()),
            )
        }
        None => (k.to_string(), None),
    }
}

pub(super) fn shown(p: &Path) -> (String, Option<String>) {
    key_display(&path_key(p))
}
