//! One scan per catalogue at a time: an exclusive lock on `<catalogue>.lock`, taken without
//! waiting. SQLite's own locking serialises transactions, not whole scans; two interleaved scans
//! would each see the other's files as vanished.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use super::store::CatalogueError;

/// Held for the duration of a scan; released on drop (and by the OS if the process dies).
#[derive(Debug)]
pub struct ScanLock {
    _file: File,
}

impl ScanLock {
    /// Take the lock, or fail at once with `E_CATALOGUE_LOCKED`.
    pub fn acquire(catalogue: &Path) -> Result<ScanLock, CatalogueError> {
        Self::take(catalogue, false)
    }

    /// Take the lock, waiting for a running scan to finish (`scan --wait`).
    pub fn acquire_waiting(catalogue: &Path) -> Result<ScanLock, CatalogueError> {
        Self::take(catalogue, true)
    }

    fn take(catalogue: &Path, wait: bool) -> Result<ScanLock, CatalogueError> {
        let path = super::store::with_suffix(catalogue, ".lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| CatalogueError::Io {
                path: path.clone(),
                detail: e.to_string(),
            })?;
        if wait {
            return match file.lock() {
                Ok(()) => Ok(ScanLock { _file: file }),
                Err(e) => Err(CatalogueError::Io {
                    path,
                    detail: e.to_string(),
                }),
            };
        }
        match file.try_lock() {
            Ok(()) => Ok(ScanLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(CatalogueError::Locked {
                path: catalogue.to_path_buf(),
            }),
            Err(TryLockError::Error(e)) => Err(CatalogueError::Io {
                path,
                detail: e.to_string(),
            }),
        }
    }
}

/// File systems whose locking SQLite's documentation says not to trust.
const NETWORK_FS: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "fuse.sshfs",
    "9p",
    "ceph",
    "glusterfs",
    "fuse.glusterfs",
    "lustre",
    "afs",
    "fuse.s3fs",
    "fuse.rclone",
    "davfs",
    "fuse.davfs2",
];

/// The network file system type holding `dir`, from `/proc/self/mountinfo` text: the mount
/// with the longest mount point that contains `dir`. `None` for local file systems.
pub fn network_fs_of(mountinfo: &str, dir: &Path) -> Option<String> {
    let dir = dir.to_string_lossy();
    let mut best: Option<(usize, String)> = None;
    for line in mountinfo.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let (Some(mp), Some(sep)) = (fields.get(4), fields.iter().position(|f| *f == "-")) else {
            continue;
        };
        let Some(fstype) = fields.get(sep + 1) else {
            continue;
        };
        // Mount points escape spaces as \040.
        let mp = mp.replace("\\040", " ");
        let inside =
            dir == mp || mp == "/" || dir.starts_with(&format!("{}/", mp.trim_end_matches('/')));
        if inside && best.as_ref().is_none_or(|(l, _)| mp.len() > *l) {
            best = Some((mp.len(), fstype.to_string()));
        }
    }
    best.map(|(_, t)| t)
        .filter(|t| NETWORK_FS.contains(&t.as_str()))
}

/// [`network_fs_of`] for the folder holding `catalogue`, on this machine.
pub fn catalogue_on_network_fs(catalogue: &Path) -> Option<String> {
    let dir = catalogue
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = std::fs::canonicalize(dir).ok()?;
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    network_fs_of(&info, &dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:40 / /mnt/shop rw,relatime shared:9 - nfs4 nas:/export/shop rw,vers=4.2
31 30 0:41 / /mnt/shop/local\\040disk rw shared:10 - ext4 /dev/sdb1 rw
32 22 0:42 / /mnt/smb rw - cifs //nas/photos rw
";

    #[test]
    fn finds_the_network_mount_holding_a_folder() {
        assert_eq!(network_fs_of(INFO, Path::new("/home/seller")), None);
        assert_eq!(
            network_fs_of(INFO, Path::new("/mnt/shop")).as_deref(),
            Some("nfs4")
        );
        assert_eq!(
            network_fs_of(INFO, Path::new("/mnt/shop/a/b")).as_deref(),
            Some("nfs4")
        );
        assert_eq!(
            network_fs_of(INFO, Path::new("/mnt/shop/local disk/x")),
            None,
            "a local disk mounted inside"
        );
        assert_eq!(
            network_fs_of(INFO, Path::new("/mnt/smb")).as_deref(),
            Some("cifs")
        );
        assert_eq!(
            network_fs_of(INFO, Path::new("/mnt/shopping")),
            None,
            "prefix of a name is not inside"
        );
    }
}
