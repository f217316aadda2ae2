//! `--isolate`: decode and analyse each file in a child process under resource limits, for
//! hostile batches. Rust cannot stop a runaway thread, and a decoder that allocates without
//! bound or loops can take the whole process with it; a child process under `RLIMIT_AS` and
//! `RLIMIT_CPU` cannot. The limits are set by util-linux's `prlimit` (no `unsafe` here), on
//! the same binary run as a hidden `analyse-worker` subcommand.
//!
//! Protocol (worker stdout): `PPW1 ok SHA256HEX` then a base64 line of `Analysis::encode`, or
//! `PPW1 err SHA256HEX|- CODE` then the message line. Anything else — a signal, a limit, a
//! malformed reply, a wall-clock timeout — is `E_WORKER_FAILED`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine;

use crate::code::Code;
use crate::decode;
use crate::error::Error;
use crate::fingerprint::{self, Analysis};
use crate::policy::Limits;

/// How to run isolated workers.
#[derive(Debug, Clone)]
pub struct Isolation {
    /// The pairproof executable (the CLI passes its own path).
    pub exe: PathBuf,
    /// Address-space limit per worker, MiB.
    pub memory_mib: u64,
    /// CPU-time limit per worker, seconds (wall clock: four times this).
    pub cpu_secs: u64,
}

impl Isolation {
    pub fn new(exe: PathBuf) -> Isolation {
        Isolation {
            exe,
            memory_mib: 2048,
            cpu_secs: 60,
        }
    }
}

/// What an isolated analysis gave.
#[derive(Debug)]
pub enum Outcome {
    Analysed([u8; 32], Box<Analysis>),
    /// The worker read the file and rejected it with a stable code (same as in-process).
    Rejected {
        sha256: Option<[u8; 32]>,
        code: Code,
        message: String,
    },
    /// The worker died or misbehaved: `E_WORKER_FAILED`.
    Failed(Error),
}

/// The worker's side: read, decode and analyse `path`, and return the reply to print.
pub fn worker_reply(path: &Path, limits: &Limits) -> String {
    match fingerprint::analyse_file(path, limits) {
        Ok(f) => format!(
            "PPW1 ok {}\n{}\n",
            decode::hex(&f.sha256),
            base64::engine::general_purpose::STANDARD.encode(f.analysis.encode())
        ),
        Err(fingerprint::AnalyseError::Unread(e)) => {
            format!("PPW1 err - {}\n{}\n", e.code(), e)
        }
        Err(fingerprint::AnalyseError::Undecodable { sha256, error }) => format!(
            "PPW1 err {} {}\n{}\n",
            decode::hex(&sha256),
            error.code(),
            error
        ),
    }
}

/// Analyse `path` in a limited child process.
pub fn analyse(path: &Path, iso: &Isolation) -> Outcome {
    let failed = |detail: String| {
        Outcome::Failed(Error::WorkerFailed {
            path: path.to_path_buf(),
            detail,
        })
    };
    let child = Command::new("prlimit")
        .arg(format!("--as={}", iso.memory_mib * 1024 * 1024))
        .arg(format!("--cpu={}", iso.cpu_secs))
        .arg("--")
        .arg(&iso.exe)
        .arg("analyse-worker")
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) => return failed(format!("cannot start `prlimit` (util-linux): {e}")),
    };
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(Duration::from_secs(iso.cpu_secs.saturating_mul(4).max(1))) {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => return failed(format!("waiting for the worker: {e}")),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            return failed(format!(
                "no answer within {} s wall-clock time; killed",
                iso.cpu_secs * 4
            ));
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap_or("").split(' ').collect();
    match head.as_slice() {
        ["PPW1", "ok", sha] => {
            let blob = lines
                .next()
                .and_then(|l| base64::engine::general_purpose::STANDARD.decode(l).ok());
            match (
                decode::sha256_from_hex(sha),
                blob.as_deref().and_then(Analysis::decode),
            ) {
                (Some(s), Some(a)) => Outcome::Analysed(s, Box::new(a)),
                _ => failed("malformed reply".into()),
            }
        }
        ["PPW1", "err", sha, code] => match Code::parse(code) {
            Some(code) => Outcome::Rejected {
                sha256: decode::sha256_from_hex(sha),
                code,
                message: lines.next().unwrap_or("").to_string(),
            },
            None => failed(format!("unknown code {code:?} in the reply")),
        },
        _ => {
            #[cfg(unix)]
            let how = {
                use std::os::unix::process::ExitStatusExt;
                match out.status.signal() {
                    Some(9) => "killed (SIGKILL: CPU-time limit)".to_string(),
                    Some(24) => "killed (SIGXCPU: CPU-time limit)".to_string(),
                    Some(6) => "aborted (SIGABRT: out of memory under the address-space limit, or a decoder abort)".to_string(),
                    Some(11) => "crashed (SIGSEGV)".to_string(),
                    Some(s) => format!("killed by signal {s}"),
                    None => format!("exited with {}", out.status),
                }
            };
            #[cfg(not(unix))]
            let how = format!("exited with {}", out.status);
            let err = String::from_utf8_lossy(&out.stderr);
            let last = err
                .lines()
                .map(str::trim)
                .filter(|l| {
                    !l.is_empty() && !l.starts_with("note:") && !l.starts_with("stack backtrace")
                })
                .find(|l| l.contains("memory allocation") || l.contains("panicked"))
                .or_else(|| {
                    err.lines()
                        .map(str::trim)
                        .rfind(|l| !l.is_empty() && !l.starts_with("note:"))
                })
                .unwrap_or("");
            failed(if last.is_empty() {
                how
            } else {
                format!("{how}: {last}")
            })
        }
    }
}
