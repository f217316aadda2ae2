//! Profiling driver: SSIM of two synthetic 2000×2000 images, repeated.
//! `perf record -g target/release/examples/ssim_profile`
#[path = "../tests/common/cases.rs"]
mod cases;

fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let a = cases::product(2000, 2000, 1);
    let b = image::imageops::blur(&a, 1.0);
    let t = std::time::Instant::now();
    let mut s = 0.0;
    for _ in 0..reps {
        s += pairproof::similarity::ssim::ssim(&a, &b, pairproof::similarity::Signal::Luma, false)
            .expect("same size")
            .0;
    }
    let per = t.elapsed().as_secs_f64() / reps as f64;
    println!(
        "ssim {:.6}  {:.3} ms per 4 MP  = {:.3} ms/MP",
        s / reps as f64,
        per * 1e3,
        per * 1e3 / 4.0
    );
}
