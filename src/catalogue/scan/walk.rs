//! Walk: list the image files under the roots (no symbolic link followed).

use crate::code::Code;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::*;
use crate::decode;
use crate::error::Error;

/// Extensions taken as images without sniffing (case-insensitive). Other files are sniffed by
/// their first bytes and taken when they are an image format (supported or not).
const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "jfif", "png", "gif", "webp", "bmp", "dib", "tif", "tiff", "heic",
    "heif", "avif", "jxl", "psd",
];

/// Walk result: image files (sorted, absolute) and what could not be walked.
#[derive(Debug, Default)]
pub struct Walked {
    pub images: Vec<PathBuf>,
    pub problems: Vec<Problem>,
    pub ignored: usize,
    /// Roots walked without any error (only these may drop vanished files).
    pub complete_roots: Vec<PathBuf>,
}

fn is_image(path: &Path) -> bool {
    if let Some(ext) = decode::sniff::extension_of(path) {
        if IMAGE_EXTENSIONS.contains(&ext.as_str()) {
            return true;
        }
    }
    let mut head = [0u8; 32];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    !matches!(
        decode::sniff::sniff(&head[..n]),
        decode::sniff::Sniffed::Unrecognized(_)
    )
}

/// List image files under the roots. Symbolic links are listed as problems and not followed;
/// unreadable folders are problems and make their root incomplete.
pub fn walk(roots: &[PathBuf]) -> Walked {
    let mut w = Walked::default();
    let mut seen = BTreeSet::new();
    // (device, inode) of every regular file taken: a second path to it is a hard link.
    let mut inodes: std::collections::HashMap<(u64, u64), PathBuf> = Default::default();
    for root in roots {
        let abs = match std::fs::canonicalize(root) {
            Ok(p) => p,
            Err(e) => {
                w.problems
                    .push(Problem::from_error(&Error::from_io(root, e)));
                continue;
            }
        };
        let mut complete = true;
        let mut stack = vec![abs.clone()];
        while let Some(p) = stack.pop() {
            let meta = match std::fs::symlink_metadata(&p) {
                Ok(m) => m,
                Err(e) => {
                    complete = false;
                    w.problems.push(Problem::from_error(&Error::from_io(&p, e)));
                    continue;
                }
            };
            if meta.file_type().is_symlink() {
                w.problems.push(Problem::new(
                    &p,
                    Code::SymlinkNotFollowed,
                    format!("{}: symbolic link, not followed", p.display()),
                ));
            } else if meta.is_dir() {
                match std::fs::read_dir(&p) {
                    Ok(rd) => {
                        let mut kids: Vec<PathBuf> = Vec::new();
                        for e in rd {
                            match e {
                                Ok(e) => kids.push(e.path()),
                                Err(e) => {
                                    complete = false;
                                    w.problems.push(Problem::from_error(&Error::from_io(&p, e)));
                                }
                            }
                        }
                        kids.sort();
                        stack.extend(kids.into_iter().rev());
                    }
                    Err(e) => {
                        complete = false;
                        w.problems.push(Problem::from_error(&Error::from_io(&p, e)));
                    }
                }
            } else if is_image(&p) || !meta.is_file() {
                // Non-regular files (FIFOs, sockets) are reported by the reader, not skipped.
                if !seen.insert(p.clone()) {
                    continue;
                }
                #[cfg(unix)]
                if meta.is_file() {
                    use std::os::unix::fs::MetadataExt;
                    if let Some(first) = inodes.get(&(meta.dev(), meta.ino())) {
                        w.problems.push(Problem::new(
                            &p,
                            Code::SameFile,
                            format!(
                                "{}: same file as {} (hard link); scanned once",
                                p.display(),
                                first.display()
                            ),
                        ));
                        continue;
                    }
                    inodes.insert((meta.dev(), meta.ino()), p.clone());
                }
                w.images.push(p);
            } else {
                w.ignored += 1;
            }
        }
        if complete && abs.is_dir() {
            w.complete_roots.push(abs);
        }
    }
    w.images.sort();
    w
}
