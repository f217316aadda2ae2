//! Profiling driver for local feature extraction: `perf record target/release/examples/features_profile IMG`
fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/shoe-main.jpg".into());
    let img = image::open(&path).expect("image").to_rgb8();
    let reps = 30;
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..reps {
        n += pairproof::fingerprint::local::features(&img).points.len();
    }
    println!(
        "{} features, {:.2} ms per image",
        n / reps,
        t.elapsed().as_secs_f64() * 1e3 / reps as f64
    );
}
