//! Fault injection for the catalogue fault matrix (docs/reliability.md). Compiled only with the
//! `fault-injection` feature, which only this crate's own tests enable; otherwise every point
//! is an empty inline function.
//!
//! `PAIRPROOF_FAULT=NAME:N` kills the process with SIGKILL (no destructors, no flush: a real
//! crash) the Nth time point `NAME` is passed. `PAIRPROOF_FAULT=touch_after_read:N` instead
//! appends a byte to the file just read, the Nth time (a file changing under the scan).

#[cfg(feature = "fault-injection")]
mod imp {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Mutex;

    static COUNTS: Mutex<Vec<(String, u64)>> = Mutex::new(Vec::new());
    static KILLED: AtomicU64 = AtomicU64::new(0);

    fn hit(name: &str) -> bool {
        let Ok(spec) = std::env::var("PAIRPROOF_FAULT") else {
            return false;
        };
        let Some((want, n)) = spec.split_once(':') else {
            return false;
        };
        if want != name {
            return false;
        }
        let n: u64 = n.parse().unwrap_or(0);
        let mut c = COUNTS.lock().unwrap_or_else(|p| p.into_inner());
        let k = match c.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => {
                *v += 1;
                *v
            }
            None => {
                c.push((name.to_string(), 1));
                1
            }
        };
        k == n
    }

    pub fn point(name: &str) {
        if hit(name) {
            KILLED.store(1, Ordering::SeqCst);
            let _ = std::process::Command::new("kill")
                .arg("-9")
                .arg(std::process::id().to_string())
                .status();
            // SIGKILL is asynchronous; never go on past the point.
            loop {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }

    pub fn after_read(path: &std::path::Path) {
        if hit("touch_after_read") {
            use std::io::Write;
            if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(path) {
                let _ = f.write_all(b"\0");
            }
        }
    }
}

/// A named crash point (see the module docs).
#[inline(always)]
pub fn point(_name: &str) {
    #[cfg(feature = "fault-injection")]
    imp::point(_name);
}

/// Called between reading a file and checking it did not change.
#[inline(always)]
pub fn after_read(_path: &std::path::Path) {
    #[cfg(feature = "fault-injection")]
    imp::after_read(_path);
}
