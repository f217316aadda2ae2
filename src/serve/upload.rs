//! Uploaded files: read into memory with a per-file cap, names reduced to a safe base name,
//! zips expanded with caps on entry count, entry size and total size (zip bombs).

use crate::code::Code;
use std::io::Read;

use axum::extract::Multipart;

use super::error::ApiError;

/// One uploaded file (or one zip entry).
pub struct Upload {
    pub field: String,
    /// Base name only: no folders, no `..`, no control characters.
    pub name: String,
    /// The path inside a zip, each folder reduced like `name` (`SKU1/main.jpg`: per-SKU folders
    /// pair by folder); the base name for a file uploaded on its own.
    pub rel: String,
    pub bytes: Vec<u8>,
}

/// Most entries a zip may hold.
const MAX_ZIP_ENTRIES: usize = 5_000;

/// A file name as a plain base name: the last path component, control characters and
/// separators replaced, never empty, at most 200 characters.
pub fn safe_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .take(200)
        .collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "upload".to_string()
    } else {
        cleaned
    }
}

/// A zip entry's path with every component reduced by [`safe_name`]; `.` and `..` dropped.
pub fn safe_rel(raw: &str) -> String {
    raw.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != "." && *c != "..")
        .map(safe_name)
        .collect::<Vec<_>>()
        .join("/")
}

/// Read every file field of a multipart request; text fields come back with an empty name.
pub async fn read_all(mut mp: Multipart, max_file: usize) -> Result<Vec<Upload>, ApiError> {
    let mut out = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e)),
        };
        let field_name = field.name().unwrap_or("").to_string();
        let name = field.file_name().map(safe_name).unwrap_or_default();
        let mut field = field;
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(c)) => {
                    if bytes.len() + c.len() > max_file {
                        return Err(ApiError::too_large(&name, max_file));
                    }
                    bytes.extend_from_slice(&c);
                }
                Ok(None) => break,
                Err(e) => return Err(multipart_error(e)),
            }
        }
        out.push(Upload {
            field: field_name,
            rel: name.clone(),
            name,
            bytes,
        });
    }
    Ok(out)
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large("", 0)
    } else {
        ApiError::bad_request(format!("upload could not be read: {}", e.body_text()))
    }
}

/// Expand a zip upload into its files (folders flattened to base names), bounded.
pub fn expand_zip(z: &Upload, max_file: usize, max_total: usize) -> Result<Vec<Upload>, ApiError> {
    let bad = |d: String| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            Code::Zip,
            format!("{}: {d}", z.name),
            Some(z.name.clone()),
        )
    };
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(&z.bytes[..])).map_err(|e| bad(e.to_string()))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(bad(format!(
            "{} entries; at most {MAX_ZIP_ENTRIES}",
            archive.len()
        )));
    }
    let mut out = Vec::new();
    let mut total = 0usize;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| bad(e.to_string()))?;
        if entry.is_dir() {
            continue;
        }
        let raw = entry
            .name()
            .map(|n| n.to_string())
            .map_err(|e| bad(e.to_string()))?;
        let name = safe_name(&raw);
        // macOS resource forks and hidden files are not photos.
        if raw.starts_with("__MACOSX/") || name.starts_with('.') {
            continue;
        }
        if entry.size() as usize > max_file {
            return Err(ApiError::too_large(&name, max_file));
        }
        let mut bytes = Vec::new();
        // The declared size can lie: read at most one byte past the cap.
        (&mut entry)
            .take(max_file as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(format!("{name}: {e}")))?;
        if bytes.len() > max_file {
            return Err(ApiError::too_large(&name, max_file));
        }
        total += bytes.len();
        if total > max_total {
            return Err(ApiError::too_large(&z.name, max_total));
        }
        out.push(Upload {
            field: z.field.clone(),
            rel: safe_rel(&raw),
            name,
            bytes,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn names_are_reduced_to_safe_base_names() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("C:\\Users\\x\\a.jpg"), "a.jpg");
        assert_eq!(safe_name(".."), "upload");
        assert_eq!(safe_name("a\nb.jpg"), "a_b.jpg");
        assert_eq!(safe_name("商品_main.jpg"), "商品_main.jpg");
        assert_eq!(safe_name(""), "upload");
    }
}
