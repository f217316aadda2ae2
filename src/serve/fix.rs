//! `POST /api/fix`: the page's Fix button. The uploaded pair goes through the library's
//! [`crate::fix::fix_pair`] (the `pairproof fix` command's function) in a temporary folder;
//! the answer is its report and the two written images, ready to download.

use std::path::Path;

use axum::extract::{Multipart, State};
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};

use super::api::{cpu, take, ApiError, ApiResult, St};
use super::upload::{self, Upload};
use crate::fix::{fix_pair, FixOptions, FixReport};
use crate::policy::{Limits, Policy};
use crate::report::FileInfo;

pub async fn fix(State(st): St, mp: Multipart) -> ApiResult<Json<Value>> {
    let mut uploads = upload::read_all(mp, st.opts.max_file_bytes).await?;
    let main = take(&mut uploads, "main")?;
    let hidden = take(&mut uploads, "hidden")?;
    Ok(Json(cpu(&st, move || fix_uploaded(&main, &hidden)).await??))
}

fn io_error(e: std::io::Error) -> ApiError {
    ApiError::internal(format!("cannot use a temporary folder: {e}"))
}

/// Fix one uploaded pair. Each upload gets a folder of its own (the two may share a name) and
/// the output folder is a third; nothing outlives the request.
fn fix_uploaded(main: &Upload, hidden: &Upload) -> ApiResult<Value> {
    let work = tempfile::Builder::new()
        .prefix("pairproof-fix-")
        .tempdir()
        .map_err(io_error)?;
    let place = |dir: &str, name: &str, u: &Upload| -> ApiResult<std::path::PathBuf> {
        let d = work.path().join(dir);
        std::fs::create_dir(&d).map_err(io_error)?;
        let p = d.join(name);
        std::fs::write(&p, &u.bytes).map_err(io_error)?;
        Ok(p)
    };
    // Both are written into one folder under their own names: two uploads of one name (a
    // `main.jpg` from each of two SKU folders) are told apart.
    let hidden_name = if hidden.name == main.name {
        format!("hidden-{}", hidden.name)
    } else {
        hidden.name.clone()
    };
    let (mp, hp) = (
        place("main", &main.name, main)?,
        place("hidden", &hidden_name, hidden)?,
    );
    let out = work.path().join("fixed");
    let mut r = fix_pair(
        &mp,
        &hp,
        &out,
        &Policy::default(),
        &Limits::default(),
        &FixOptions::default(),
    )
    .map_err(|e| {
        let name = if e.path() == hp {
            &hidden.name
        } else {
            &main.name
        };
        ApiError::of(&e, name)
    })?;
    let files = json!([
        written("main", &r.main_out, &main.name, r.check.main.as_ref())?,
        written(
            "hidden",
            &r.hidden_out,
            &hidden_name,
            r.check.hidden.as_ref()
        )?,
    ]);
    name_as_uploaded(&mut r, main, hidden);
    Ok(json!({
        "schema": crate::report::schema::SERVE_FIX,
        "report": r,
        "files": files,
    }))
}

/// One written image as the page downloads it: its name (the upload's) and a data URL.
/// The format is the one the check of the written pair decoded (`fix` writes JPEG or PNG).
fn written(role: &str, path: &Path, name: &str, info: Option<&FileInfo>) -> ApiResult<Value> {
    let bytes = std::fs::read(path).map_err(io_error)?;
    let mime = match info.map(|f| f.format) {
        Some("png") => "image/png",
        _ => "image/jpeg",
    };
    let name = match (path.extension(), Path::new(name).file_stem()) {
        (Some(ext), Some(stem)) => format!("{}.{}", stem.to_string_lossy(), ext.to_string_lossy()),
        _ => name.to_string(),
    };
    Ok(json!({
        "role": role,
        "name": name,
        "bytes": bytes.len(),
        "data_url": format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(&bytes)),
    }))
}

/// The report names the files as the seller uploaded them, not by the temporary folder.
fn name_as_uploaded(r: &mut FixReport, main: &Upload, hidden: &Upload) {
    let keep_name = |p: &Path| {
        p.file_name()
            .map(std::path::PathBuf::from)
            .unwrap_or_default()
    };
    r.main_path = main.name.clone().into();
    r.hidden_path = hidden.name.clone().into();
    r.main_out = keep_name(&r.main_out);
    r.hidden_out = keep_name(&r.hidden_out);
    r.check.main_path = r.main_out.clone();
    r.check.hidden_path = r.hidden_out.clone();
    for f in [&mut r.check.main, &mut r.check.hidden]
        .into_iter()
        .flatten()
    {
        f.path = keep_name(&f.path);
    }
}
