//! HTTP handlers. Each one parses, calls a library function (on the bounded CPU pool), and
//! returns JSON or bytes; errors are `pairproof.serve-error/1` documents with the same stable
//! codes as the CLI.

use crate::code::Code;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Multipart, Path as UrlPath, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use super::jobs::{JobState, ScanRequest};
use super::upload::{self, Upload};
use super::AppState;
use crate::check::{self, CheckOptions};
use crate::policy::{Limits, Policy};

pub(super) type St = State<Arc<AppState>>;

pub use super::error::{ApiError, ApiResult};

/// Run CPU-bound work on the blocking pool, at most `cpu_slots` at a time.
pub(super) async fn cpu<T: Send + 'static>(
    st: &AppState,
    f: impl FnOnce() -> T + Send + 'static,
) -> ApiResult<T> {
    let permit = tokio::time::timeout(Duration::from_secs(300), st.cpu.acquire())
        .await
        .map_err(|_| ApiError::busy("the server is busy; try again in a minute"))?
        .map_err(|_| ApiError::busy("the server is shutting down"))?;
    let r = tokio::task::spawn_blocking(f).await;
    drop(permit);
    r.map_err(|e| ApiError::internal(format!("internal error: {e}")))
}

pub async fn info(State(st): St) -> Json<Value> {
    Json(json!({
        "schema": crate::report::schema::SERVE_INFO,
        "tool_version": crate::VERSION,
        "roots": st.roots,
        "max_upload_bytes": st.opts.max_file_bytes,
        "ssim_threshold": Policy::default().min_ssim,
        "min_copy_similarity": Policy::default().min_copy_similarity,
    }))
}

// ---------------------------------------------------------------------------------------------
// Pair check.

pub(super) fn take(uploads: &mut Vec<Upload>, field: &str) -> ApiResult<Upload> {
    let i = uploads
        .iter()
        .position(|u| u.field == field && !u.name.is_empty())
        .ok_or_else(|| ApiError::missing(field))?;
    Ok(uploads.swap_remove(i))
}

/// Check one uploaded pair: the CLI's `check --regions` document plus the heatmap.
fn check_uploaded(main: &Upload, hidden: &Upload, with_heatmap: bool) -> Value {
    let limits = Limits::default();
    let policy = Policy::default();
    let (mp, hp) = (Path::new(&main.name), Path::new(&hidden.name));
    let (m, h) = rayon::join(
        || crate::decode::decode_bytes(mp, &main.bytes, &limits),
        || crate::decode::decode_bytes(hp, &hidden.bytes, &limits),
    );
    let pc = check::check_decoded(mp, hp, m, h, &policy, CheckOptions { keep_map: true });
    let style = crate::similarity::heatmap::HeatmapStyle {
        blend_over_main: None,
        no_legend: true,
    };
    let heatmap = with_heatmap
        .then(|| pc.heatmap(style))
        .flatten()
        .and_then(|img| {
            let mut png = Vec::new();
            img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                .ok()
                .map(|()| {
                    format!(
                        "data:image/png;base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(png)
                    )
                })
        });
    json!({
        "schema": crate::report::schema::SERVE_CHECK,
        "report": pc.report,
        "heatmap_png": heatmap,
    })
}

pub async fn check(State(st): St, mp: Multipart) -> ApiResult<Json<Value>> {
    let mut uploads = upload::read_all(mp, st.opts.max_file_bytes).await?;
    let main = take(&mut uploads, "main")?;
    let hidden = take(&mut uploads, "hidden")?;
    Ok(Json(
        cpu(&st, move || check_uploaded(&main, &hidden, true)).await?,
    ))
}

// ---------------------------------------------------------------------------------------------
// Strip GPS.

pub async fn strip_gps(State(st): St, mp: Multipart) -> ApiResult<Response> {
    let mut uploads = upload::read_all(mp, st.opts.max_file_bytes).await?;
    let file = take(&mut uploads, "file")?;
    let (stem, ext) = match file.name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_string(), e.to_string()),
        _ => (file.name.clone(), String::new()),
    };
    let out_name = if ext.is_empty() {
        format!("{stem}-nogps")
    } else {
        format!("{stem}-nogps.{ext}")
    };
    let name = file.name.clone();
    let out = out_name.clone();
    let r = cpu(&st, move || {
        crate::metadata::strip_verified(
            Path::new(&file.name),
            Path::new(&out),
            &file.bytes,
            crate::metadata::StripOptions { all: false },
            &Limits::default(),
        )
    })
    .await?;
    let (bytes, report) = r.map_err(|e| ApiError::of(&e, &name))?;
    let mime = match report.format {
        crate::decode::Format::Png => "image/png",
        _ => "image/jpeg",
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CONTENT_DISPOSITION, attachment(&out_name)),
        ],
        bytes,
    )
        .into_response())
}

/// `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987).
fn attachment(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // RFC 5987 attr-chars kept as they are: letters, digits and -._~ (RFC 3986 unreserved).
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let encoded = percent_encoding::utf8_percent_encode(name, KEEP);
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

// ---------------------------------------------------------------------------------------------
// Batch.

fn is_zip(u: &Upload) -> bool {
    u.bytes.starts_with(b"PK\x03\x04") || u.name.to_ascii_lowercase().ends_with(".zip")
}

fn batch_uploads(files: Vec<Upload>) -> Value {
    use crate::batch::naming::{pair_by_name, Named};
    let named = files
        .into_iter()
        .map(|f| Named {
            rel: f.rel.clone(),
            item: f,
        })
        .collect();
    let paired = pair_by_name(named);
    let mut problems = Vec::new();
    for i in &paired.incomplete {
        for u in i.mains.iter().chain(i.hiddens.iter()) {
            problems.push(json!({
                "path": u.rel,
                "code": Code::PairIncomplete,
                "message": format!("{}: {}", u.rel, i.message()),
            }));
        }
    }
    let ignored: Vec<&str> = paired.ignored.iter().map(|(u, _)| u.rel.as_str()).collect();
    let ignored_reasons: Vec<Value> = paired
        .ignored
        .iter()
        .map(|(u, r)| json!({"path": u.rel, "reason": r}))
        .collect();
    let pairs = paired.pairs;
    use rayon::prelude::*;
    let rows: Vec<Value> = pairs
        .par_iter()
        .map(|(sku, m, h)| {
            let doc = check_uploaded(m, h, false);
            let r = &doc["report"];
            let failed: Vec<Value> = r["findings"]
                .as_array()
                .map(|fs| {
                    fs.iter()
                        .filter(|f| f["status"] == "fail")
                        .map(|f| f["id"].clone())
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "label": sku,
                "main": m.name,
                "hidden": h.name,
                "verdict": r["verdict"],
                "ssim": r["ssim"]["luma"],
                "band": r["band"],
                "failed": failed,
                "report": r,
            })
        })
        .collect();
    json!({
        "schema": crate::report::schema::SERVE_BATCH,
        "pairs": rows,
        "problems": problems,
        "ignored": ignored,
        "ignored_reasons": ignored_reasons,
    })
}

pub async fn batch(State(st): St, mp: Multipart) -> ApiResult<Json<Value>> {
    let uploads = upload::read_all(mp, st.opts.max_file_bytes).await?;
    let mut files = Vec::new();
    for u in uploads.into_iter().filter(|u| !u.name.is_empty()) {
        if is_zip(&u) {
            files.extend(upload::expand_zip(
                &u,
                st.opts.max_file_bytes,
                st.opts.max_request_bytes * 4,
            )?);
        } else {
            files.push(u);
        }
    }
    if files.is_empty() {
        return Err(ApiError::missing("files"));
    }
    Ok(Json(cpu(&st, move || batch_uploads(files)).await?))
}

// ---------------------------------------------------------------------------------------------
// Paths under the roots.

/// Resolve `p` (absolute) to a canonical path under one of the roots. Symbolic links and `..`
/// are resolved first, so neither can lead outside.
fn under_roots(st: &AppState, p: &str) -> ApiResult<PathBuf> {
    let path = Path::new(p);
    if !path.is_absolute() {
        return Err(ApiError::outside(p));
    }
    let lexically_inside = st.roots.iter().any(|r| path.starts_with(r))
        && !path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir));
    match std::fs::canonicalize(path) {
        Ok(c) if st.roots.iter().any(|r| c.starts_with(r)) => Ok(c),
        Ok(_) => Err(ApiError::outside(p)),
        Err(_) if lexically_inside => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            Code::NotFound,
            format!("{p}: not found"),
            Some(p.to_string()),
        )),
        // Outside the roots, existence is not revealed.
        Err(_) => Err(ApiError::outside(p)),
    }
}

#[derive(Deserialize)]
pub struct ScanBody {
    root: String,
    #[serde(default)]
    reference: Vec<String>,
    min_similarity: Option<f64>,
}

pub async fn start_scan(State(st): St, Json(b): Json<ScanBody>) -> ApiResult<Json<Value>> {
    let root = under_roots(&st, &b.root)?;
    if !root.is_dir() {
        return Err(ApiError::bad_request(format!("{}: not a folder", b.root)));
    }
    let reference = b
        .reference
        .iter()
        .filter(|r| !r.trim().is_empty())
        .map(|r| under_roots(&st, r.trim()))
        .collect::<ApiResult<Vec<_>>>()?;
    let min = b
        .min_similarity
        .unwrap_or(crate::policy::MIN_COPY_SIMILARITY);
    if !(0.0..=1.0).contains(&min) {
        return Err(ApiError::bad_request(
            "min_similarity must be between 0 and 1".into(),
        ));
    }
    if let Some(id) = st.jobs.running() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            Code::Busy,
            format!("a scan is already running ({id}); wait for it to finish"),
            None,
        ));
    }
    // The scan walks the reference folders itself.
    let id = st.jobs.start(ScanRequest {
        catalogue: st.opts.catalogue.clone(),
        roots: vec![root],
        reference,
        min_similarity: min,
    });
    Ok(Json(json!({ "job": id })))
}

pub async fn scan_events(
    State(st): St,
    UrlPath(job): UrlPath<String>,
) -> ApiResult<Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>>> {
    let rx = st.jobs.subscribe(&job).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            Code::NotFound,
            format!("no scan {job}"),
            None,
        )
    })?;
    // First the current state, then every change, until done or failed.
    let stream =
        futures_util::stream::unfold((rx, true, false), |(mut rx, first, over)| async move {
            if over {
                return None;
            }
            if !first && rx.changed().await.is_err() {
                return None;
            }
            let state = rx.borrow_and_update().clone();
            let event = match &state {
                JobState::Running(p) => Event::default()
                    .event("progress")
                    .data(serde_json::to_string(p).unwrap_or_default()),
                JobState::Done(doc) => Event::default().event("done").data(doc.as_str()),
                JobState::Failed(doc) => Event::default().event("failed").data(doc.as_str()),
            };
            Some((Ok(event), (rx, false, state.finished())))
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

#[derive(Deserialize)]
pub struct ImageQuery {
    path: String,
    max: Option<u32>,
}

pub async fn image(State(st): St, Query(q): Query<ImageQuery>) -> ApiResult<Response> {
    let path = under_roots(&st, &q.path)?;
    let max = q.max.unwrap_or(256).clamp(32, 1024);
    let shown = q.path.clone();
    let r = cpu(&st, move || -> Result<Vec<u8>, crate::Error> {
        let limits = Limits::default();
        let d = crate::decode::decode_path(&path, &limits)?;
        let t = image::imageops::thumbnail(&d.pixels, max, max);
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(&t)
            .map_err(|e| crate::Error::Output {
                path: path.clone(),
                detail: e.to_string(),
            })?;
        Ok(out)
    })
    .await?;
    let bytes = r.map_err(|e| ApiError::of(&e, &shown))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=60"),
            ),
        ],
        Body::from(bytes),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct DecisionBody {
    a: String,
    b: String,
}

pub async fn decision(State(st): St, Json(d): Json<DecisionBody>) -> ApiResult<Json<Value>> {
    let a = under_roots(&st, &d.a)?;
    let b = under_roots(&st, &d.b)?;
    let cat = st.opts.catalogue.clone();
    let r = cpu(&st, move || {
        crate::catalogue::decisions::record_not_a_copy(&cat, &a, &b)
    })
    .await?;
    r.map_err(|e| {
        let status = if e.code() == Code::CatalogueLocked {
            StatusCode::CONFLICT
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        ApiError::new(status, e.code(), e.to_string(), None)
    })?;
    Ok(Json(json!({ "ok": true })))
}

// ---------------------------------------------------------------------------------------------
// Evidence.

pub async fn evidence(State(st): St, mp: Multipart) -> ApiResult<Response> {
    let mut uploads = upload::read_all(mp, st.opts.max_file_bytes).await?;
    let lang = uploads
        .iter()
        .find(|u| u.field == "lang" && u.name.is_empty())
        .map(|u| String::from_utf8_lossy(&u.bytes).to_string());
    let original = take(&mut uploads, "original")?;
    let suspects: Vec<Upload> = uploads
        .into_iter()
        .filter(|u| u.field == "suspect" && !u.name.is_empty())
        .collect();
    if suspects.is_empty() {
        return Err(ApiError::missing("suspect"));
    }
    let lang = match lang.as_deref() {
        Some("zh-CN") | Some("zh") => crate::evidence::Lang::ZhCn,
        Some("both") => crate::evidence::Lang::Both,
        _ => crate::evidence::Lang::En,
    };
    let r = cpu(&st, move || build_case(original, suspects, lang)).await?;
    let bytes = r?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            ),
            (header::CONTENT_DISPOSITION, attachment("case.zip")),
        ],
        bytes,
    )
        .into_response())
}

/// Write the uploads into a private temporary folder (deleted on return), build the case as
/// the `evidence` command does, and return the zip bytes.
fn build_case(
    original: Upload,
    suspects: Vec<Upload>,
    lang: crate::evidence::Lang,
) -> ApiResult<Vec<u8>> {
    let dir = tempfile::Builder::new()
        .prefix("pairproof-serve-")
        .tempdir()
        .map_err(|e| ApiError::internal(format!("temporary folder: {e}")))?;
    let put = |sub: String, u: &Upload| -> ApiResult<PathBuf> {
        let d = dir.path().join(sub);
        std::fs::create_dir_all(&d)
            .and_then(|()| std::fs::write(d.join(&u.name), &u.bytes))
            .map_err(|e| ApiError::internal(format!("temporary file: {e}")))?;
        Ok(d.join(&u.name))
    };
    let opts = crate::evidence::EvidenceOptions {
        original: put("original".into(), &original)?,
        suspects: suspects
            .iter()
            .enumerate()
            .map(|(i, s)| put(format!("suspect-{}", i + 1), s))
            .collect::<ApiResult<Vec<_>>>()?,
        authorisation: vec![],
        lang,
        show_gps: false,
        command_line: "pairproof serve (web page)".into(),
        created_utc: None,
        limits: Limits::default(),
        case: Default::default(),
        listing_urls: vec![],
    };
    let case = crate::evidence::build(&opts);
    if let Some(e) = &case.report.original.error {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            e.code,
            e.message
                .replace(&format!("{}/", dir.path().join("original").display()), ""),
            Some(original.name.clone()),
        ));
    }
    crate::evidence::bundle::zip_bytes(&case, Path::new("case.zip"))
        .map_err(|e| ApiError::internal(e.to_string()))
}
