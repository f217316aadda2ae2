//! Where a whole `check` of one pair spends its time, stage by stage, in process, one thread.
//! `RAYON_NUM_THREADS=1 cargo run --release --example check_profile -- MAIN HIDDEN [REPS]`
//! Prints the median of REPS runs (default 30) per stage, in milliseconds.
use pairproof::{compliance, decode, overlay, similarity, Limits, Policy};
use std::path::Path;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (a, b) = (Path::new(&args[1]), Path::new(&args[2]));
    let reps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(30);
    let (policy, limits) = (Policy::default(), Limits::default());
    let mut rows: Vec<(&str, Vec<f64>)> = [
        "decode both",
        "ssim luma",
        "ssim r,g,b",
        "shrink x2",
        "hidden overlays",
        "pair measure (all)",
        "judge",
        "whole check_pair",
    ]
    .iter()
    .map(|n| (*n, vec![]))
    .collect();
    for _ in 0..reps {
        let t = Instant::now();
        let m = decode::decode_path(a, &limits).expect("main decodes");
        let h = decode::decode_path(b, &limits).expect("hidden decodes");
        rows[0].1.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let _ = similarity::ssim::ssim(&m.pixels, &h.pixels, similarity::Signal::Luma, false);
        rows[1].1.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for c in 0..3 {
            let _ =
                similarity::ssim::ssim(&m.pixels, &h.pixels, similarity::Signal::Channel(c), false);
        }
        rows[2].1.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let sh = overlay::raster::shrink_rgb(&h.pixels, 2);
        rows[3].1.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let bg = compliance::background::measure(
            &h.pixels,
            policy.background_tolerance_rgb,
            policy.min_background_agreement,
        );
        let _ = overlay::analyse_with(&h.pixels, &sh, bg.as_ref(), &policy.overlay_settings());
        rows[4].1.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let ms = compliance::pair::measure(&m, &h, &policy);
        rows[5].1.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let _ = compliance::pair::judge(&m, &h, &ms, None, &policy);
        rows[6].1.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let _ = pairproof::check::check_pair(a, b, &policy, &limits, Default::default());
        rows[7].1.push(t.elapsed().as_secs_f64());
    }
    for (n, v) in rows {
        println!("{n:>20}  {:7.2} ms", median(v) * 1e3);
    }
}
