//! One scan per catalogue at a time: an exclusive lock on `<catalogue>.lock`, taken without
//! waiting. SQLite's own locking serialises transactions, not whole scans; two interleaved scans
//! would each see the other's files as vanished.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::scan::ScanError;
use super::store::CatalogueError;

/// Held for the duration of a scan; released on drop (and by the OS if the process dies).
#[derive(Debug)]
pub struct ScanLock {
    _file: File,
}

fn lock_path(catalogue: &Path) -> PathBuf {
    let mut s = catalogue.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

impl ScanLock {
    /// Take the lock, or fail at once with `E_CATALOGUE_LOCKED`.
    pub fn acquire(catalogue: &Path) -> Result<ScanLock, ScanError> {
        Self::take(catalogue, false)
    }

    /// Take the lock, waiting for a running scan to finish (`scan --wait`).
    pub fn acquire_waiting(catalogue: &Path) -> Result<ScanLock, ScanError> {
        Self::take(catalogue, true)
    }

    fn take(catalogue: &Path, wait: bool) -> Result<ScanLock, ScanError> {
        let path = lock_path(catalogue);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| {
                ScanError::Catalogue(CatalogueError::Io {
                    path: path.clone(),
                    detail: e.to_string(),
                })
            })?;
        if wait {
            return match file.lock() {
                Ok(()) => Ok(ScanLock { _file: file }),
                Err(e) => Err(ScanError::Catalogue(CatalogueError::Io {
                    path,
                    detail: e.to_string(),
                })),
            };
        }
        match file.try_lock() {
            Ok(()) => Ok(ScanLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(ScanError::Busy {
                path: catalogue.to_path_buf(),
            }),
            Err(TryLockError::Error(e)) => Err(ScanError::Catalogue(CatalogueError::Io {
                path,
                detail: e.to_string(),
            })),
        }
    }
}
