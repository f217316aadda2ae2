//! The Parquet form of an exchange file: the Arrow schema, rows to record batches and back.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    BinaryBuilder, FixedSizeBinaryBuilder, Int64Builder, StringBuilder, UInt32Builder, UInt8Builder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt32Type, UInt8Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};

use super::{
    build_row, content_id, io_err, pack_view, ExchangeError, RawRow, Row, BLOCK,
    FINGERPRINTS_SCHEMA,
};

pub(super) fn schema() -> Arc<Schema> {
    let h32 = DataType::FixedSizeBinary(32);
    let h256 = DataType::FixedSizeBinary(256);
    let fields = vec![
        Field::new("id", DataType::Int64, false),
        Field::new("sha256", h32.clone(), false),
        Field::new("path", DataType::Utf8, true),
        Field::new("algorithm", DataType::Utf8, false),
        Field::new("algorithm_version", DataType::UInt32, false),
        Field::new("width", DataType::UInt32, false),
        Field::new("height", DataType::UInt32, false),
        Field::new("whole_quality", DataType::UInt8, false),
        Field::new("pdq_whole", h32.clone(), false),
        Field::new("pdq_whole_dihedral", h256.clone(), false),
        Field::new("canonical_x", DataType::UInt32, true),
        Field::new("canonical_y", DataType::UInt32, true),
        Field::new("canonical_width", DataType::UInt32, true),
        Field::new("canonical_height", DataType::UInt32, true),
        Field::new("canonical_quality", DataType::UInt8, true),
        Field::new("pdq_canonical", h32, true),
        Field::new("pdq_canonical_dihedral", h256, true),
        Field::new("windows", DataType::Binary, false),
        Field::new("features", DataType::Binary, false),
    ];
    let meta = HashMap::from([
        (
            "pairproof.schema".to_string(),
            FINGERPRINTS_SCHEMA.to_string(),
        ),
        (
            "pairproof.tool_version".to_string(),
            crate::VERSION.to_string(),
        ),
    ]);
    Arc::new(Schema::new_with_metadata(fields, meta))
}

pub(super) fn to_batch(rows: &[Row]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let n = rows.len();
    let mut id = Int64Builder::with_capacity(n);
    let mut sha = FixedSizeBinaryBuilder::with_capacity(n, 32);
    let mut path = StringBuilder::new();
    let mut algorithm = StringBuilder::new();
    let mut version = UInt32Builder::with_capacity(n);
    let mut width = UInt32Builder::with_capacity(n);
    let mut height = UInt32Builder::with_capacity(n);
    let mut wq = UInt8Builder::with_capacity(n);
    let mut pdq_whole = FixedSizeBinaryBuilder::with_capacity(n, 32);
    let mut whole_d = FixedSizeBinaryBuilder::with_capacity(n, 256);
    let mut cbox: [UInt32Builder; 4] = std::array::from_fn(|_| UInt32Builder::with_capacity(n));
    let mut cq = UInt8Builder::with_capacity(n);
    let mut pdq_canon = FixedSizeBinaryBuilder::with_capacity(n, 32);
    let mut canon_d = FixedSizeBinaryBuilder::with_capacity(n, 256);
    let mut win = BinaryBuilder::new();
    let mut feat = BinaryBuilder::new();
    for r in rows {
        let f = &r.analysis.fingerprint;
        id.append_value(content_id(&r.sha256));
        sha.append_value(r.sha256)?;
        path.append_option(r.path.as_deref());
        algorithm.append_value(f.algorithm);
        version.append_value(f.algorithm_version);
        width.append_value(f.width);
        height.append_value(f.height);
        wq.append_value(f.whole.quality);
        pdq_whole.append_value(f.whole.hashes[0].to_bytes())?;
        whole_d.append_value(pack_view(&f.whole))?;
        match &f.canonical {
            Some((b, v)) => {
                for (bld, x) in cbox.iter_mut().zip([b.x, b.y, b.width, b.height]) {
                    bld.append_value(x);
                }
                cq.append_value(v.quality);
                pdq_canon.append_value(v.hashes[0].to_bytes())?;
                canon_d.append_value(pack_view(v))?;
            }
            None => {
                for bld in cbox.iter_mut() {
                    bld.append_null();
                }
                cq.append_null();
                pdq_canon.append_null();
                canon_d.append_null();
            }
        }
        win.append_value(r.analysis.windows.encode());
        feat.append_value(r.analysis.features.encode());
    }
    let [mut cx, mut cy, mut cw, mut ch] = cbox;
    let cols: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(sha.finish()),
        Arc::new(path.finish()),
        Arc::new(algorithm.finish()),
        Arc::new(version.finish()),
        Arc::new(width.finish()),
        Arc::new(height.finish()),
        Arc::new(wq.finish()),
        Arc::new(pdq_whole.finish()),
        Arc::new(whole_d.finish()),
        Arc::new(cx.finish()),
        Arc::new(cy.finish()),
        Arc::new(cw.finish()),
        Arc::new(ch.finish()),
        Arc::new(cq.finish()),
        Arc::new(pdq_canon.finish()),
        Arc::new(canon_d.finish()),
        Arc::new(win.finish()),
        Arc::new(feat.finish()),
    ];
    RecordBatch::try_new(schema(), cols)
}

pub(super) fn read_parquet(
    path: &Path,
    f: &mut impl FnMut(Vec<Row>) -> Result<(), ExchangeError>,
) -> Result<u64, ExchangeError> {
    let fmt = |detail: String| ExchangeError::Format {
        path: path.to_path_buf(),
        detail,
    };
    let file = File::open(path).map_err(io_err(path))?;
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| fmt(e.to_string()))?;
    let declared = builder.schema().metadata().get("pairproof.schema").cloned();
    if declared.as_deref() != Some(FINGERPRINTS_SCHEMA) {
        return Err(fmt(format!(
            "schema {:?}, expected {FINGERPRINTS_SCHEMA}",
            declared.unwrap_or_default()
        )));
    }
    let reader = builder
        .with_batch_size(BLOCK)
        .build()
        .map_err(|e| fmt(e.to_string()))?;
    let mut total = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| fmt(e.to_string()))?;
        let rows = rows_of_batch(path, &batch, total)?;
        total += rows.len() as u64;
        f(rows)?;
    }
    Ok(total)
}

pub(super) fn rows_of_batch(
    path: &Path,
    b: &RecordBatch,
    first: u64,
) -> Result<Vec<Row>, ExchangeError> {
    let missing = |name: &str| ExchangeError::Format {
        path: path.to_path_buf(),
        detail: format!("column {name} missing or of the wrong type"),
    };
    let col = |name: &str| b.column_by_name(name).ok_or_else(|| missing(name));
    macro_rules! typed {
        ($name:expr, $as:ident $(::<$t:ty>)?) => {
            col($name)?.$as$(::<$t>)?().ok_or_else(|| missing($name))?
        };
    }
    let sha = typed!("sha256", as_fixed_size_binary_opt);
    let paths = typed!("path", as_string_opt::<i32>);
    let algorithm = typed!("algorithm", as_string_opt::<i32>);
    let version = typed!("algorithm_version", as_primitive_opt::<UInt32Type>);
    let width = typed!("width", as_primitive_opt::<UInt32Type>);
    let height = typed!("height", as_primitive_opt::<UInt32Type>);
    let wq = typed!("whole_quality", as_primitive_opt::<UInt8Type>);
    let whole = typed!("pdq_whole_dihedral", as_fixed_size_binary_opt);
    let cbox = [
        typed!("canonical_x", as_primitive_opt::<UInt32Type>),
        typed!("canonical_y", as_primitive_opt::<UInt32Type>),
        typed!("canonical_width", as_primitive_opt::<UInt32Type>),
        typed!("canonical_height", as_primitive_opt::<UInt32Type>),
    ];
    let cq = typed!("canonical_quality", as_primitive_opt::<UInt8Type>);
    let canon = typed!("pdq_canonical_dihedral", as_fixed_size_binary_opt);
    let win = typed!("windows", as_binary_opt::<i32>);
    let feat = typed!("features", as_binary_opt::<i32>);
    // `id` is derived; checked so a hand-edited file cannot carry ids that disagree.
    let ids = typed!("id", as_primitive_opt::<Int64Type>);
    let mut out = Vec::with_capacity(b.num_rows());
    for i in 0..b.num_rows() {
        let n = first as usize + i + 1;
        let required = [
            sha.is_null(i),
            algorithm.is_null(i),
            version.is_null(i),
            width.is_null(i),
            height.is_null(i),
            wq.is_null(i),
            whole.is_null(i),
            win.is_null(i),
            feat.is_null(i),
            ids.is_null(i),
        ];
        if required.iter().any(|x| *x) {
            return Err(ExchangeError::Format {
                path: path.to_path_buf(),
                detail: format!("row {n}: a required column is null"),
            });
        }
        let canonical = if canon.is_null(i) {
            None
        } else {
            if cq.is_null(i) || cbox.iter().any(|c| c.is_null(i)) {
                return Err(ExchangeError::Format {
                    path: path.to_path_buf(),
                    detail: format!("row {n}: canonical view without its box or quality"),
                });
            }
            Some((
                std::array::from_fn(|k| cbox[k].value(i)),
                cq.value(i),
                canon.value(i),
            ))
        };
        let row = build_row(
            path,
            n,
            RawRow {
                sha256: sha.value(i),
                path: (!paths.is_null(i)).then(|| paths.value(i).to_string()),
                algorithm: algorithm.value(i),
                version: version.value(i),
                width: width.value(i),
                height: height.value(i),
                whole_quality: wq.value(i),
                whole: whole.value(i),
                canonical,
                windows: win.value(i),
                features: feat.value(i),
            },
        )?;
        if ids.value(i) != content_id(&row.sha256) {
            return Err(ExchangeError::Format {
                path: path.to_path_buf(),
                detail: format!("row {n}: id does not match sha256"),
            });
        }
        out.push(row);
    }
    Ok(out)
}
