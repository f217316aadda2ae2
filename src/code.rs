//! Every stable error and warning code, in one list.
//!
//! Why one enum: the codes are a public contract (scripts, the web page's translations and
//! docs/errors.md key on them), so they are written down once. Each boundary's error enum maps
//! its variants to a [`Code`]; the severity comes from the list a code is declared in, never from
//! its spelling, and [`Code::ALL`] (checked against docs/errors.md and the page's translations
//! by tests) cannot drift from what the code can return.

use serde::{Serialize, Serializer};

/// Whether a code stops the file (error) or only informs (warning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    (
        errors { $( $(#[$em:meta])* $e:ident = $es:literal, )* }
        warnings { $( $(#[$wm:meta])* $w:ident = $ws:literal, )* }
    ) => {
        /// A stable machine-readable code: never renamed, never reused.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $( $(#[$em])* $e, )*
            $( $(#[$wm])* $w, )*
        }

        impl Code {
            /// Every code, errors first, in declaration order.
            pub const ALL: &'static [Code] = &[ $( Code::$e, )* $( Code::$w, )* ];

            /// The code as written in outputs and docs (`E_…`, `W_…`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Code::$e => $es, )*
                    $( Code::$w => $ws, )*
                }
            }

            pub fn severity(self) -> Severity {
                match self {
                    $( Code::$e => Severity::Error, )*
                    $( Code::$w => Severity::Warning, )*
                }
            }
        }
    };
}

codes! {
    errors {
        // Reading and decoding one file (`error::Error`).
        IoNotFound = "E_IO_NOT_FOUND",
        IoPermission = "E_IO_PERMISSION",
        IoNotRegularFile = "E_IO_NOT_REGULAR_FILE",
        IoRead = "E_IO_READ",
        FileEmpty = "E_FILE_EMPTY",
        LimitFileBytes = "E_LIMIT_FILE_BYTES",
        FormatUnrecognized = "E_FORMAT_UNRECOGNIZED",
        FormatUnsupported = "E_FORMAT_UNSUPPORTED",
        DecodeTruncated = "E_DECODE_TRUNCATED",
        DecodeCorrupt = "E_DECODE_CORRUPT",
        LimitDimensions = "E_LIMIT_DIMENSIONS",
        LimitPixels = "E_LIMIT_PIXELS",
        LimitFrames = "E_LIMIT_FRAMES",
        LimitMemory = "E_LIMIT_MEMORY",
        DecoderPanic = "E_DECODER_PANIC",
        ImageTooSmall = "E_IMAGE_TOO_SMALL",
        WorkerFailed = "E_WORKER_FAILED",
        Output = "E_OUTPUT",
        Usage = "E_USAGE",
        // Batch pair lists (`check --pairs/--dir`, `batch`).
        PairIncomplete = "E_PAIR_INCOMPLETE",
        PairList = "E_PAIR_LIST",
        PairNone = "E_PAIR_NONE",
        // The catalogue and its exchange files.
        CatalogueLocked = "E_CATALOGUE_LOCKED",
        CatalogueCorrupt = "E_CATALOGUE_CORRUPT",
        CatalogueVersion = "E_CATALOGUE_VERSION",
        CatalogueIo = "E_CATALOGUE_IO",
        ShardIo = "E_SHARD_IO",
        ShardFormat = "E_SHARD_FORMAT",
        ShardVersion = "E_SHARD_VERSION",
        /// The candidate index's backend (Milvus) failed.
        Backend = "E_BACKEND",
        // The local web server and its API.
        ServeBind = "E_SERVE_BIND",
        BadRequest = "E_BAD_REQUEST",
        UploadTooLarge = "E_UPLOAD_TOO_LARGE",
        UploadMissing = "E_UPLOAD_MISSING",
        PathOutsideRoots = "E_PATH_OUTSIDE_ROOTS",
        NotFound = "E_NOT_FOUND",
        Busy = "E_BUSY",
        Token = "E_TOKEN",
        ScanFailed = "E_SCAN_FAILED",
        Zip = "E_ZIP",
        Internal = "E_INTERNAL",
    }
    warnings {
        // Decoding one file.
        ExtensionMismatch = "W_EXTENSION_MISMATCH",
        TrailingData = "W_TRAILING_DATA",
        ExifUnreadable = "W_EXIF_UNREADABLE",
        IccUnreadable = "W_ICC_UNREADABLE",
        LimitMetadata = "W_LIMIT_METADATA",
        AncillaryCrc = "W_ANCILLARY_CRC",
        Animated = "W_ANIMATED",
        HighBitDepth = "W_HIGH_BIT_DEPTH",
        AlphaComposited = "W_ALPHA_COMPOSITED",
        // Walking folders for a scan.
        /// A symbolic link: listed, never followed (it can point outside the scanned folders
        /// or into a loop).
        SymlinkNotFollowed = "W_SYMLINK_NOT_FOLLOWED",
        /// The same file as one already walked (a hard link, or one folder reached through two
        /// roots): listed, scanned once, never its own duplicate.
        SameFile = "W_SAME_FILE",
        /// The file changed while it was read (size or modification time): not catalogued this
        /// time, listed; the next scan reads it again.
        UnstableFile = "W_UNSTABLE_FILE",
        /// The catalogue is on a network file system, where file locking is unreliable
        /// (SQLite's own advice): the scan runs, and says so.
        CatalogueNetworkFs = "W_CATALOGUE_NETWORK_FS",
    }
}

impl Code {
    /// The code spelled `s`, if it is one (codes read back from a worker process or a
    /// catalogue row).
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    pub fn is_error(self) -> bool {
        self.severity() == Severity::Error
    }
}

/// Ordered by spelling, as the strings were: lists sorted by (path, code) keep their order.
impl Ord for Code {
    fn cmp(&self, other: &Code) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Code) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_and_severity_agree_and_codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c} declared twice");
            let prefix = match c.severity() {
                Severity::Error => "E_",
                Severity::Warning => "W_",
            };
            assert!(c.as_str().starts_with(prefix), "{c} is in the wrong list");
            assert_eq!(Code::parse(c.as_str()), Some(c));
        }
        assert_eq!(Code::parse("E_NO_SUCH_CODE"), None);
    }
}
