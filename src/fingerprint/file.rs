//! One image file to its analysis: read (capped), decode, analyse. Every command that
//! fingerprints files — `scan` in process and in its `--isolate` workers, `hash`, `compare`,
//! `match` and shard import — comes through here, so a file is analysed the same way
//! whichever command reads it.

use std::path::Path;

use super::{analyse, Analysis};
use crate::decode;
use crate::error::Error;
use crate::policy::Limits;

/// A file's content hash and analysis.
#[derive(Debug, Clone)]
pub struct AnalysedFile {
    pub sha256: [u8; 32],
    pub analysis: Analysis,
}

/// Why a file has no analysis.
#[derive(Debug)]
pub enum AnalyseError {
    /// It could not be read (missing, not a regular file, over the size limit): no content hash.
    Unread(Error),
    /// Its bytes are not an image this build decodes within the limits. The content hash is
    /// known, so a catalogue can remember the file as broken and not decode it again.
    Undecodable { sha256: [u8; 32], error: Error },
}

impl AnalyseError {
    pub fn error(&self) -> &Error {
        match self {
            AnalyseError::Unread(e) | AnalyseError::Undecodable { error: e, .. } => e,
        }
    }
    pub fn into_error(self) -> Error {
        match self {
            AnalyseError::Unread(e) | AnalyseError::Undecodable { error: e, .. } => e,
        }
    }
    /// The content hash, when the bytes were read.
    pub fn sha256(&self) -> Option<[u8; 32]> {
        match self {
            AnalyseError::Unread(_) => None,
            AnalyseError::Undecodable { sha256, .. } => Some(*sha256),
        }
    }
}

/// Decode bytes already read and analyse them. The bytes are dropped once decoded, before the
/// analysis, so a worker holds the file or its pixels, not both. (`scan` reads the bytes
/// itself: it hashes them first to skip files the catalogue already holds.)
pub fn analyse_bytes(path: &Path, bytes: Vec<u8>, limits: &Limits) -> Result<Analysis, Error> {
    let d = decode::decode_bytes(path, &bytes, limits)?;
    drop(bytes);
    Ok(analyse(&d.pixels))
}

/// Read, decode and analyse one file.
pub fn analyse_file(path: &Path, limits: &Limits) -> Result<AnalysedFile, AnalyseError> {
    let (sha256, analysis) = read_then(path, limits, analyse)?;
    Ok(AnalysedFile { sha256, analysis })
}

/// Read and decode one file and compute its retrieval fingerprint only (`hash`): the content
/// hash and what [`analyse_file`] would give as `analysis.fingerprint`.
pub fn fingerprint_file(
    path: &Path,
    limits: &Limits,
) -> Result<([u8; 32], super::Fingerprint), AnalyseError> {
    read_then(path, limits, super::fingerprint)
}

/// Read (capped) and decode `path`, drop the bytes, and run `measure` on the pixels.
fn read_then<T>(
    path: &Path,
    limits: &Limits,
    measure: impl FnOnce(&image::RgbImage) -> T,
) -> Result<([u8; 32], T), AnalyseError> {
    let bytes = decode::read_capped(path, limits.max_file_bytes).map_err(AnalyseError::Unread)?;
    match decode::decode_bytes(path, &bytes, limits) {
        Ok(d) => {
            // decoding hashed the bytes already; hash again only if its hex is not one
            let sha256 = decode::sha256_from_hex(&d.source.sha256)
                .unwrap_or_else(|| decode::sha256_bytes(&bytes));
            drop(bytes);
            Ok((sha256, measure(&d.pixels)))
        }
        Err(error) => Err(AnalyseError::Undecodable {
            sha256: decode::sha256_bytes(&bytes),
            error,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name)
    }

    #[test]
    fn a_file_is_analysed_as_its_decoded_pixels_are() {
        let p = fixture("shoe-main.jpg");
        let f = analyse_file(&p, &Limits::default()).expect("the shoe decodes");
        let bytes = std::fs::read(&p).expect("fixture");
        // the hash is of the file's bytes, the analysis of its pixels
        assert_eq!(f.sha256, decode::sha256_bytes(&bytes));
        let d = decode::decode_path(&p, &Limits::default()).expect("the shoe decodes");
        assert_eq!(f.analysis, analyse(&d.pixels));
        let b = analyse_bytes(&p, bytes, &Limits::default()).expect("the shoe decodes");
        assert_eq!(b, f.analysis);
        // `hash` computes the fingerprint alone: the same one
        let (sha, fp) = fingerprint_file(&p, &Limits::default()).expect("the shoe decodes");
        assert_eq!((sha, fp), (f.sha256, f.analysis.fingerprint));
    }

    #[test]
    fn a_file_that_is_no_image_keeps_its_hash_and_a_missing_one_has_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("notes.jpg");
        std::fs::write(&p, b"not a picture at all").expect("write");
        let e = analyse_file(&p, &Limits::default()).expect_err("text is no image");
        assert_eq!(
            e.sha256(),
            Some(decode::sha256_bytes(b"not a picture at all"))
        );
        assert!(matches!(e, AnalyseError::Undecodable { .. }), "{e:?}");
        let gone =
            analyse_file(&dir.path().join("gone.jpg"), &Limits::default()).expect_err("missing");
        assert_eq!(gone.sha256(), None);
        assert_eq!(gone.error().code(), crate::code::Code::IoNotFound);
    }
}
