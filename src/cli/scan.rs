//! `scan` and `match`.
use pairproof::report::exit;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;

use indicatif::ProgressBar;
use pairproof::catalogue::scan::{self, MatchReport, Progress, ScanOptions, ScanReport};
use pairproof::fingerprint::Dihedral;
use pairproof::i18n::{t, Lang};
use pairproof::report::schema;
use pairproof::tr;
use serde::Serialize;

use super::{out, OutputFormat};

#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum ScanFormat {
    Text,
    Json,
    Jsonl,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Folders (or files) to scan. Symbolic links are listed, never followed.
    #[arg(required = true)]
    roots: Vec<PathBuf>,
    /// Catalogue file (created on first use). Default: $PAIRPROOF_CATALOGUE, else
    /// $XDG_DATA_HOME/pairproof/catalogue.sqlite, else ~/.local/share/pairproof/catalogue.sqlite.
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// Report pairs at or above this calibrated similarity (the platform flags > 0.85).
    #[arg(long, default_value_t = pairproof::policy::MIN_COPY_SIMILARITY)]
    min_similarity: f64,
    /// Reference ("protected") folder of originals: scanned, remembered in the catalogue;
    /// pairs inside reference folders are not reported, copies of them elsewhere are.
    #[arg(long)]
    reference: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: ScanFormat,
    /// Parallel jobs (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// If another scan is using the catalogue, wait for it to finish (default: fail at once
    /// with E_CATALOGUE_LOCKED).
    #[arg(long)]
    wait: bool,
    /// Decode each new file in a child process with memory and CPU limits (for folders that may
    /// hold hostile files; slower).
    #[arg(long)]
    isolate: bool,
    /// Address-space limit per isolated worker, MiB.
    #[arg(long, default_value_t = 2048, requires = "isolate")]
    isolate_memory_mib: u64,
    /// CPU-time limit per isolated worker, seconds.
    #[arg(long, default_value_t = 60, requires = "isolate")]
    isolate_cpu_secs: u64,
    /// Candidate search: `memory` (default) or milvus://HOST:PORT/COLLECTION (build with
    /// `--features milvus`; docs/scale.md). Verification is local either way.
    #[arg(long, default_value = "memory")]
    backend: scan::Backend,
    /// Compare the scanned folders' images only with each other, not with every image the
    /// catalogue remembers from earlier scans (and do not walk remembered reference folders).
    #[arg(long)]
    only_roots: bool,
    /// Look for whole-image copies by hashes only: skip the local-feature search that finds
    /// partial copies (collages, phone screenshots, heavy crops, products cut out onto a new
    /// background). Faster on very large catalogues; misses those copies (docs/accuracy.md).
    #[arg(long)]
    hashes_only: bool,
    /// Accepted for scripts written before partial copies were looked for by default; no effect.
    #[arg(long, hide = true, conflicts_with = "hashes_only")]
    partial: bool,
    /// Verify and list every copy pair among a group's members. By default a pair whose two
    /// images are already joined through whole-image copies is not verified (it cannot change
    /// the groups), so each group lists the pairs that join it.
    #[arg(long)]
    all_pairs: bool,
    /// Files per committed transaction (a killed scan loses at most one batch of work).
    #[arg(long, default_value_t = 128, hide = true)]
    batch_files: usize,
}

#[derive(Debug, clap::Args)]
pub struct MatchArgs {
    /// The photo whose copies to find.
    image: PathBuf,
    /// Catalogue file (as for `scan`).
    #[arg(long)]
    catalogue: Option<PathBuf>,
    #[arg(long, default_value_t = pairproof::policy::MIN_COPY_SIMILARITY)]
    min_similarity: f64,
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// Look for whole-image copies by hashes only (see `scan --hashes-only`).
    #[arg(long)]
    hashes_only: bool,
    /// Accepted for scripts written before partial copies were looked for by default; no effect.
    #[arg(long, hide = true, conflicts_with = "hashes_only")]
    partial: bool,
    /// Candidate search: `memory` (default) or milvus://HOST:PORT/COLLECTION (build with
    /// `--features milvus`; docs/scale.md). Verification is local either way.
    #[arg(long, default_value = "memory")]
    backend: scan::Backend,
}

/// The default catalogue location (see `ScanArgs::catalogue`).
pub fn default_catalogue() -> PathBuf {
    if let Some(p) = std::env::var_os("PAIRPROOF_CATALOGUE") {
        return PathBuf::from(p);
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("pairproof").join("catalogue.sqlite")
}

fn catalogue_path(p: Option<PathBuf>) -> Result<PathBuf, String> {
    let p = p.unwrap_or_else(default_catalogue);
    if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("{}: cannot create catalogue folder: {e}", dir.display()))?;
    }
    Ok(p)
}

fn valid_threshold(t: f64) -> bool {
    (0.0..=1.0).contains(&t)
}

pub fn scan(a: ScanArgs) -> u8 {
    if let Some(n) = a.jobs {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
        {
            eprintln!("pairproof: could not set --jobs: {e}");
        }
    }
    if !valid_threshold(a.min_similarity) {
        super::error(
            pairproof::Code::Usage,
            "--min-similarity must be between 0 and 1",
        );
        return exit::ERROR;
    }
    let cat = match catalogue_path(a.catalogue) {
        Ok(p) => p,
        Err(e) => {
            super::error(pairproof::Code::CatalogueIo, &e.to_string());
            return exit::ERROR;
        }
    };
    let mut opts = ScanOptions::new(a.roots);
    opts.reference = a.reference;
    opts.min_similarity = a.min_similarity;
    opts.batch_files = a.batch_files.max(1);
    opts.wait = a.wait;
    opts.backend = a.backend;
    opts.only_roots = a.only_roots;
    opts.partial = !a.hashes_only;
    opts.every_pair = a.all_pairs;
    if a.isolate {
        let exe = match std::env::current_exe() {
            Ok(p) => p,
            Err(e) => {
                super::error(
                    pairproof::Code::Usage,
                    &format!("--isolate: cannot find this program's path: {e}"),
                );
                return exit::ERROR;
            }
        };
        let mut iso = pairproof::isolate::Isolation::new(exe);
        iso.memory_mib = a.isolate_memory_mib.max(16);
        iso.cpu_secs = a.isolate_cpu_secs.max(1);
        opts.isolate = Some(iso);
    }
    let tty = std::io::stderr().is_terminal();
    let bar: Mutex<Option<ProgressBar>> = Mutex::new(None);
    let on_progress = |p: Progress| {
        if !tty {
            return;
        }
        let mut b = bar.lock().unwrap_or_else(|e| e.into_inner());
        match p {
            Progress::Stage { name, total } => {
                if let Some(old) = b.take() {
                    old.finish_and_clear();
                }
                let label = super::progress::stage(name);
                let pb = super::progress::bar((total > 0).then_some(total), &label);
                pb.tick();
                *b = Some(pb);
            }
            Progress::Advance(n) => {
                if let Some(pb) = b.as_ref() {
                    pb.inc(n);
                }
            }
        }
    };
    let report = scan::scan(&cat, &opts, &on_progress);
    if let Some(pb) = bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
        pb.finish_and_clear();
    }
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            super::error(e.code(), &e.to_string());
            return exit::ERROR;
        }
    };
    for p in &report.problems {
        eprintln!(
            "{}[{}]: {}",
            if p.code.is_error() { "error" } else { "note" },
            p.code,
            p.message
        );
    }
    match a.format {
        ScanFormat::Text => out(&scan_text(&report, super::lang::get())),
        ScanFormat::Json => super::print_json(&report),
        ScanFormat::Jsonl => out(&scan_jsonl(&report)),
        ScanFormat::Csv => out(&scan_csv(&report)),
    }
    let unreadable = report.problems.iter().any(|p| p.code.is_error());
    exit::code(!report.groups.is_empty(), unreadable)
}

fn pct(s: f64) -> String {
    format!("{:.1} %", s * 100.0)
}

fn describe(p: &scan::PairScore, lang: Lang) -> String {
    if p.identical {
        return t(lang, "cli.scan.identical", &[]);
    }
    let mut parts = Vec::new();
    if p.verified {
        parts.push(tr!(lang, "cli.scan.points", n = p.inliers));
        if p.mirrored {
            parts.push(t(lang, "cli.scan.mirrored", &[]));
        }
        if let Some(c) = p.cover {
            let (a, b) = (
                format!("{:.0}", c[0] * 100.0),
                format!("{:.0}", c[1] * 100.0),
            );
            parts.push(tr!(lang, "cli.scan.cover", a = a, b = b));
        }
        if let Some(k) = p.scale.filter(|k| (k - 1.0).abs() >= 0.05) {
            parts.push(tr!(lang, "cli.scan.scaled", k = format!("{k:.2}")));
        }
        if let Some(r) = p.rotation_deg.filter(|r| r.abs() >= 2.0) {
            parts.push(tr!(lang, "cli.scan.turned", deg = format!("{r:.0}")));
        }
    } else if let Some(o) = p.orientation.filter(|o| *o != Dihedral::Original) {
        parts.push(pairproof::i18n::orientation(lang, o));
    }
    if let Some(d) = p.hash_distance {
        parts.push(tr!(lang, "cli.scan.hash", d = d));
    }
    parts.join(&t(lang, "cli.scan.sep", &[]))
}

fn scan_text(r: &ScanReport, lang: Lang) -> String {
    let mut s = String::new();
    let st = &r.stats;
    let line = |s: &mut String, l: String| {
        s.push_str(&l);
        s.push('\n');
    };
    if r.groups.is_empty() {
        line(
            &mut s,
            tr!(
                lang,
                "cli.scan.none",
                min = pct(r.min_similarity),
                n = st.images
            ),
        );
    } else {
        line(
            &mut s,
            tr!(
                lang,
                "cli.scan.groups",
                n = r.groups.len(),
                min = pct(r.min_similarity)
            ),
        );
    }
    for g in &r.groups {
        line(
            &mut s,
            format!(
                "\n{}",
                tr!(lang, "cli.scan.group", id = g.id, n = g.members.len())
            ),
        );
        for m in &g.members {
            let tag = if m.reference {
                t(lang, "cli.scan.reference", &[])
            } else {
                String::new()
            };
            line(&mut s, format!("  {}{tag}", m.path));
        }
        for p in &g.pairs {
            line(
                &mut s,
                format!(
                    "    {:>7}  {}  <->  {}  ({})",
                    pct(p.similarity),
                    p.a,
                    p.b,
                    describe(p, lang)
                ),
            );
        }
    }
    if !r.problems.is_empty() {
        line(
            &mut s,
            format!("\n{}", tr!(lang, "cli.scan.problems", n = r.problems.len())),
        );
        for p in &r.problems {
            let mut message = pairproof::i18n::code_message(lang, p.code, &p.message);
            if lang != Lang::En {
                // The English detail names the file.
                message = format!("{message}（{}）", p.message);
            }
            line(&mut s, format!("  [{}] {message}", p.code));
        }
    }
    let stats = tr!(
        lang,
        "cli.scan.stats",
        images = st.images,
        analysed = st.analysed,
        unchanged = st.reused_unchanged,
        content = st.reused_by_content,
        unreadable = st.unreadable,
        ignored = st.ignored_non_images,
        pairs = st.candidate_pairs,
        catalogue = r.catalogue.display()
    );
    line(&mut s, format!("\n{stats}"));
    s
}

#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    schema: &'static str,
    #[serde(flatten)]
    body: &'a T,
}

fn scan_jsonl(r: &ScanReport) -> String {
    let mut s = String::new();
    let mut push = |name: &'static str, v: &dyn erased::Ser| {
        s.push_str(&v.to_line(name));
        s.push('\n');
    };
    for g in &r.groups {
        push(schema::SCAN_GROUP, g);
    }
    for p in &r.problems {
        push(schema::SCAN_PROBLEM, p);
    }
    #[derive(Serialize)]
    struct Summary<'a> {
        tool_version: &'static str,
        catalogue: &'a std::path::Path,
        algorithm: &'static str,
        algorithm_version: u32,
        roots: &'a [String],
        reference_roots: &'a [String],
        min_similarity: f64,
        groups: usize,
        stats: &'a scan::ScanStats,
    }
    push(
        schema::SCAN_SUMMARY,
        &Summary {
            tool_version: r.tool_version,
            catalogue: &r.catalogue,
            algorithm: r.algorithm,
            algorithm_version: r.algorithm_version,
            roots: &r.roots,
            reference_roots: &r.reference_roots,
            min_similarity: r.min_similarity,
            groups: r.groups.len(),
            stats: &r.stats,
        },
    );
    s
}

/// Serialising heterogeneous line bodies with a schema field in front.
mod erased {
    use super::Line;
    pub trait Ser {
        fn to_line(&self, schema: &'static str) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_line(&self, schema: &'static str) -> String {
            serde_json::to_string(&Line { schema, body: self }).unwrap_or_default()
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn scan_csv(r: &ScanReport) -> String {
    let mut s = String::from("kind,group,path,sha256,reference,best_similarity,code,message\n");
    for g in &r.groups {
        for m in &g.members {
            let best = g
                .pairs
                .iter()
                .filter(|p| p.a == m.path || p.b == m.path)
                .map(|p| p.similarity)
                .fold(0.0, f64::max);
            s.push_str(&format!(
                "member,{},{},{},{},{best:.6},,\n",
                g.id,
                csv_field(&m.path),
                m.sha256,
                m.reference
            ));
        }
    }
    for p in &r.problems {
        s.push_str(&format!(
            "problem,,{},,,,{},{}\n",
            csv_field(&p.path),
            p.code,
            csv_field(&p.message)
        ));
    }
    s
}

pub fn match_cmd(a: MatchArgs) -> u8 {
    if !valid_threshold(a.min_similarity) {
        super::error(
            pairproof::Code::Usage,
            "--min-similarity must be between 0 and 1",
        );
        return exit::ERROR;
    }
    let cat = a.catalogue.unwrap_or_else(default_catalogue);
    let r = match scan::match_image(
        &cat,
        &a.image,
        a.min_similarity,
        &Default::default(),
        &a.backend,
        !a.hashes_only,
    ) {
        Ok(r) => r,
        Err(e) => {
            super::error(e.code(), &e.to_string());
            return exit::ERROR;
        }
    };
    match a.format {
        OutputFormat::Json => super::print_json(&r),
        OutputFormat::Text => out(&match_text(&r, super::lang::get())),
    }
    exit::code(!r.matches.is_empty(), false)
}

fn match_text(r: &MatchReport, lang: Lang) -> String {
    let mut s = String::new();
    let min = pct(r.min_similarity);
    if r.matches.is_empty() {
        s.push_str(&tr!(
            lang,
            "cli.match.none",
            query = r.query,
            min = min,
            n = r.catalogue_images
        ));
        s.push('\n');
        return s;
    }
    let key = if r.matches.len() == 1 {
        "cli.match.found.one"
    } else {
        "cli.match.found"
    };
    s.push_str(&tr!(
        lang,
        key,
        n = r.matches.len(),
        query = r.query,
        min = min
    ));
    s.push('\n');
    for m in &r.matches {
        s.push_str(&format!(
            "  {:>7}  {}  ({})\n",
            pct(m.score.similarity),
            m.path,
            describe(&m.score, lang)
        ));
    }
    s
}

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    file: PathBuf,
}

/// The isolated worker: analyse one file, reply on stdout (see `pairproof::isolate`).
pub fn worker(a: WorkerArgs) -> u8 {
    out(&pairproof::isolate::worker_reply(
        &a.file,
        &Default::default(),
    ));
    exit::OK
}
