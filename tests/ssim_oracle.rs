//! SSIM against scikit-image: golden values in tests/golden/ssim.json come from
//! tests/oracle/ssim_oracle.py (an independent implementation), never from our own output.
mod common;

use common::cases;
use pairproof::similarity::{self, ssim, Signal};
use proptest::prelude::*;

#[derive(serde::Deserialize)]
struct Golden {
    cases: Vec<Case>,
}
#[derive(serde::Deserialize)]
struct Case {
    name: String,
    a_sha256: String,
    b_sha256: String,
    ssim_luma: f64,
    ssim_rgb_mean: f64,
}

fn golden() -> Golden {
    serde_json::from_str(include_str!("golden/ssim.json")).expect("golden/ssim.json parses")
}

/// Tolerance 1e-5 (the contract). Why not tighter: we filter in f32 (the oracle uses
/// float64); per-pixel rounding in the moments is ~1e-4 at worst on flat areas, and averages to
/// ≤ 2e-6 over the valid region in every case here. A real bug (wrong window, sample vs
/// population covariance, Rec.709 luma, cropped border) moves SSIM by ≥ 1e-3.
const TOL: f64 = 1e-5;

#[test]
fn ssim_matches_scikit_image_on_every_case() {
    let g = golden();
    let mine = cases::ssim_cases();
    assert_eq!(
        g.cases.len(),
        mine.len(),
        "golden file is stale: regenerate it (see tests/oracle/ssim_oracle.py)"
    );
    let mut worst: f64 = 0.0;
    for (name, a, b) in &mine {
        let c = g
            .cases
            .iter()
            .find(|c| &c.name == name)
            .unwrap_or_else(|| panic!("no golden for {name}"));
        assert_eq!(
            cases::pixels_sha256(a),
            c.a_sha256,
            "{name}: pixels changed; regenerate the golden file"
        );
        assert_eq!(
            cases::pixels_sha256(b),
            c.b_sha256,
            "{name}: pixels changed; regenerate the golden file"
        );
        let sim = similarity::compare(a, b, false).unwrap();
        let dl = (sim.luma - c.ssim_luma).abs();
        let dr = (sim.rgb_mean - c.ssim_rgb_mean).abs();
        worst = worst.max(dl).max(dr);
        assert!(
            dl <= TOL,
            "{name}: luma {} vs oracle {} (diff {dl:e})",
            sim.luma,
            c.ssim_luma
        );
        assert!(
            dr <= TOL,
            "{name}: rgb {} vs oracle {} (diff {dr:e})",
            sim.rgb_mean,
            c.ssim_rgb_mean
        );
        assert_eq!(
            sim.luma >= 0.92,
            c.ssim_luma >= 0.92,
            "{name}: verdict differs from the oracle's"
        );
        if name.starts_with("identical") {
            assert_eq!(
                sim.luma, 1.0,
                "{name}: identical images must give exactly 1.0"
            );
            assert_eq!(sim.rgb_mean, 1.0);
        }
    }
    eprintln!("worst |ours - scikit-image| = {worst:e}");
}

#[test]
fn too_small_and_mismatched_sizes_are_errors_not_panics() {
    let a = image::RgbImage::new(10, 40);
    assert_eq!(
        ssim::ssim(&a, &a, Signal::Luma, false).unwrap_err(),
        ssim::SsimError::TooSmall(10, 40)
    );
    let b = image::RgbImage::new(11, 11);
    assert!(ssim::ssim(&b, &b, Signal::Luma, false).is_ok());
    let c = image::RgbImage::new(12, 11);
    assert!(matches!(
        ssim::ssim(&b, &c, Signal::Luma, false),
        Err(ssim::SsimError::SizeMismatch(..))
    ));
}

#[test]
fn one_pixel_taller_is_cropped_not_resampled() {
    let a = cases::product(120, 90, 7);
    let mut b = image::RgbImage::from_pixel(120, 91, image::Rgb([255, 255, 255]));
    image::imageops::replace(&mut b, &a, 0, 1); // content shifted down by one row
    let sim = similarity::compare(&a, &b, false).unwrap();
    let crop = sim.crop.expect("crop reported");
    assert_eq!(crop.size, (120, 90));
    assert_eq!(
        crop.hidden_offset,
        (0, 1),
        "the offset that realigns the content is chosen"
    );
    assert_eq!(sim.luma, 1.0);
}

#[test]
fn map_is_kept_only_when_asked_and_means_agree() {
    let (_, a, b) = &cases::ssim_cases()[2];
    let (m1, none) = ssim::ssim(a, b, Signal::Luma, false).unwrap();
    let (m2, map) = ssim::ssim(a, b, Signal::Luma, true).unwrap();
    assert!(none.is_none());
    let map = map.unwrap();
    assert_eq!(m1, m2);
    assert_eq!(
        map.data.len(),
        (a.width() as usize - 10) * (a.height() as usize - 10)
    );
    let mean: f64 = map.data.iter().map(|&v| v as f64).sum::<f64>() / map.data.len() as f64;
    assert!((mean - m1).abs() < 1e-9);
}

#[test]
fn result_does_not_depend_on_thread_count() {
    let (_, a, b) = &cases::ssim_cases()[cases::ssim_cases().len() - 3];
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let s1 = one.install(|| ssim::ssim(a, b, Signal::Luma, false).unwrap().0);
    let s2 = ssim::ssim(a, b, Signal::Luma, false).unwrap().0;
    assert_eq!(s1, s2);
}

fn arb_image() -> impl Strategy<Value = image::RgbImage> {
    (11u32..40, 11u32..40, any::<u64>()).prop_map(|(w, h, seed)| {
        let mut rng = cases::Rng::new(seed);
        image::RgbImage::from_fn(w, h, |_, _| {
            image::Rgb([
                rng.next_u64() as u8,
                rng.next_u64() as u8,
                rng.next_u64() as u8,
            ])
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn ssim_of_an_image_with_itself_is_one(a in arb_image()) {
        prop_assert_eq!(ssim::ssim(&a, &a, Signal::Luma, false).unwrap().0, 1.0);
    }

    #[test]
    fn ssim_is_symmetric_and_in_range(a in arb_image(), seed in any::<u64>()) {
        let mut rng = cases::Rng::new(seed);
        let b = image::RgbImage::from_fn(a.width(), a.height(), |x, y| {
            let p = a.get_pixel(x, y);
            image::Rgb([p[0].wrapping_add((rng.next_u64() % 40) as u8), p[1], p[2] / 2])
        });
        let ab = ssim::ssim(&a, &b, Signal::Luma, false).unwrap().0;
        let ba = ssim::ssim(&b, &a, Signal::Luma, false).unwrap().0;
        prop_assert_eq!(ab, ba);
        prop_assert!((-1.0..=1.0).contains(&ab));
    }
}

/// The AVX2+FMA kernel (the only `unsafe` call in the crate) against its portable twin.
/// Tolerance 1e-6: FMA rounds once where the portable path rounds twice; on every oracle case
/// the two differ by < 1e-7, while any indexing or dispatch bug would differ by > 1e-3.
#[test]
fn fast_kernel_matches_portable_twin() {
    for (name, a, b) in cases::ssim_cases() {
        for signal in [Signal::Luma, Signal::Channel(0), Signal::Channel(2)] {
            let fast = ssim::ssim_with(&a, &b, signal, true, ssim::Kernel::Auto).unwrap();
            let slow = ssim::ssim_with(&a, &b, signal, true, ssim::Kernel::Portable).unwrap();
            assert!(
                (fast.0 - slow.0).abs() <= 1e-6,
                "{name} {signal:?}: {} vs {}",
                fast.0,
                slow.0
            );
            let (fm, sm) = (fast.1.unwrap(), slow.1.unwrap());
            let worst = fm
                .data
                .iter()
                .zip(&sm.data)
                .map(|(x, y)| (x - y).abs())
                .fold(0f32, f32::max);
            assert!(worst <= 1e-4, "{name} {signal:?}: map differs by {worst}");
        }
    }
}
