//! Decode + rules on a 1000×1000 JPEG (the shipped fixture pair), and SSIM alone per megapixel.
//! Run single-threaded for per-core numbers: `RAYON_NUM_THREADS=1 cargo bench`.
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pairproof::{check, compliance, decode, fingerprint, similarity, Limits, Policy};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn benches(c: &mut Criterion) {
    let limits = Limits::default();
    let policy = Policy::default();
    let main = fixture("shoe-main.jpg");
    let hidden = fixture("shoe-hidden.jpg");
    let bytes = std::fs::read(&main).expect("fixture");
    c.bench_function("decode 1000x1000 jpeg", |b| {
        b.iter(|| decode::decode_bytes(&main, &bytes, &limits).expect("decodes"))
    });
    let m = decode::decode_path(&main, &limits).expect("decodes");
    let h = decode::decode_path(&hidden, &limits).expect("decodes");
    c.bench_function("pair rules (no ssim) 1000x1000", |b| {
        b.iter(|| compliance::pair::evaluate(&m, &h, &policy))
    });
    c.bench_function("lint rules 1000x1000", |b| {
        b.iter(|| compliance::lint::evaluate(&m, &policy, compliance::lint::Profile::Main))
    });
    c.bench_function("decode + lint 1000x1000 jpeg", |b| {
        b.iter(|| {
            let d = decode::decode_bytes(&main, &bytes, &limits).expect("decodes");
            compliance::lint::evaluate(&d, &policy, compliance::lint::Profile::Main)
        })
    });
    let mut g = c.benchmark_group("ssim");
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("luma 1 MP", |b| {
        b.iter(|| {
            similarity::ssim::ssim(&m.pixels, &h.pixels, similarity::Signal::Luma, false)
                .expect("same size")
        })
    });
    g.bench_function("luma + rgb 1 MP", |b| {
        b.iter(|| similarity::compare(&m.pixels, &h.pixels, false).expect("same size"))
    });
    g.finish();
    c.bench_function("pdq dihedral 1000x1000 (no decode)", |b| {
        b.iter(|| fingerprint::pdq::pdq_dihedral(&m.pixels))
    });
    c.bench_function(
        "fingerprint 1000x1000 jpeg (decode + whole + canonical)",
        |b| {
            b.iter(|| {
                let d = decode::decode_bytes(&main, &bytes, &limits).expect("decodes");
                fingerprint::fingerprint(&d.pixels)
            })
        },
    );
    c.bench_function("whole check 1000x1000 jpeg pair", |b| {
        b.iter(|| {
            check::check_pair(
                &main,
                &hidden,
                &policy,
                &limits,
                check::CheckOptions::default(),
            )
        })
    });
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = benches
}
criterion_main!(group);
