//! Scan jobs: one scan at a time, run on its own thread and its own rayon pool (one core fewer
//! than the machine has, so page requests keep a core), progress published through a watch
//! channel that any number of event streams read.

use crate::code::Code;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::watch;

use crate::catalogue::scan::{self, Progress, ScanOptions};

/// Where a scan is.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressMsg {
    pub stage: &'static str,
    pub done: u64,
    pub total: Option<u64>,
}

/// A job's latest state: progress, then exactly one of done / failed.
#[derive(Debug, Clone)]
pub enum JobState {
    Running(ProgressMsg),
    /// The `pairproof.scan/3` document.
    Done(Arc<String>),
    /// A `pairproof.serve-error/1` document.
    Failed(Arc<String>),
}

impl JobState {
    pub fn finished(&self) -> bool {
        !matches!(self, JobState::Running(_))
    }
}

#[derive(Default)]
pub struct Jobs {
    next: AtomicU64,
    jobs: Mutex<HashMap<String, watch::Receiver<JobState>>>,
}

/// What to scan.
pub struct ScanRequest {
    pub catalogue: PathBuf,
    pub roots: Vec<PathBuf>,
    pub reference: Vec<PathBuf>,
    pub min_similarity: f64,
}

impl Jobs {
    /// The id of a scan still running, if any.
    pub fn running(&self) -> Option<String> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.iter()
            .find(|(_, rx)| !rx.borrow().finished())
            .map(|(id, _)| id.clone())
    }

    pub fn subscribe(&self, id: &str) -> Option<watch::Receiver<JobState>> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.get(id).cloned()
    }

    /// Start a scan on a thread of its own; returns its id at once.
    pub fn start(&self, req: ScanRequest) -> String {
        let id = format!("scan-{}", self.next.fetch_add(1, Ordering::Relaxed) + 1);
        let (tx, rx) = watch::channel(JobState::Running(ProgressMsg {
            stage: "walk",
            done: 0,
            total: None,
        }));
        {
            let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
            // Keep the last few finished jobs for late subscribers; forget older ones.
            if jobs.len() > 16 {
                jobs.retain(|_, rx| !rx.borrow().finished());
            }
            jobs.insert(id.clone(), rx);
        }
        std::thread::spawn(move || {
            let state = run(&tx, req);
            let _ = tx.send(state);
        });
        id
    }
}

fn run(tx: &watch::Sender<JobState>, req: ScanRequest) -> JobState {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let current = Mutex::new(ProgressMsg {
        stage: "walk",
        done: 0,
        total: None,
    });
    let progress = |p: Progress| {
        let mut c = current.lock().unwrap_or_else(|p| p.into_inner());
        match p {
            Progress::Stage { name, total } => {
                *c = ProgressMsg {
                    stage: name,
                    done: 0,
                    total: (total > 0).then_some(total),
                }
            }
            Progress::Advance(n) => c.done += n,
        }
        let _ = tx.send(JobState::Running(c.clone()));
    };
    let mut opts = ScanOptions::new(req.roots);
    opts.reference = req.reference;
    opts.min_similarity = req.min_similarity;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cores.saturating_sub(1).max(1))
        .build();
    let result = match pool {
        Ok(pool) => pool.install(|| scan::scan(&req.catalogue, &opts, &progress)),
        Err(_) => scan::scan(&req.catalogue, &opts, &progress),
    };
    match result {
        Ok(report) => match serde_json::to_string(&report) {
            Ok(s) => JobState::Done(Arc::new(s)),
            Err(e) => failed(Code::ScanFailed, &e.to_string()),
        },
        Err(e) => failed(e.code(), &e.to_string()),
    }
}

fn failed(code: Code, message: &str) -> JobState {
    JobState::Failed(Arc::new(
        serde_json::json!({
            "schema": super::ERROR_SCHEMA,
            "code": code,
            "message": message,
            "file": null,
        })
        .to_string(),
    ))
}
