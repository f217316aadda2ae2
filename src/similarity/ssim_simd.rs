//! The one place `unsafe` is allowed: calling the AVX2+FMA instance of the SSIM band kernel.
//!
//! Earned by benchmark (docs/benchmarks.md): the same Rust code compiled for AVX2+FMA runs SSIM
//! ~1.9× faster than the portable SSE2 build on the reference machine. The kernel itself is safe
//! Rust ([`super::ssim::run_band_impl`]); only the call into a `#[target_feature]` function is
//! unsafe. Its scalar twin is the `Portable` kernel, and `tests/ssim_oracle.rs` checks the two
//! agree to 1e-6 on every oracle case (FMA rounds once where the portable path rounds twice).
#![allow(unsafe_code)]

use super::ssim::{run_band_impl, BandJob, Fused};

/// Cached runtime check (std caches the CPUID result itself; this is just a cheap call).
pub(crate) fn avx2_fma_available() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

#[target_feature(enable = "avx2,fma")]
fn band_avx2_fma(job: &BandJob<'_>, map: Option<&mut [f32]>) -> f64 {
    run_band_impl::<Fused>(job, map)
}

/// Run one band with the AVX2+FMA instance. Callers must have checked
/// [`avx2_fma_available`]; this asserts it again so a wrong call cannot execute illegal
/// instructions.
pub(crate) fn run_band_avx2_fma(job: &BandJob<'_>, map: Option<&mut [f32]>) -> f64 {
    assert!(
        avx2_fma_available(),
        "AVX2+FMA kernel called on a CPU without AVX2/FMA"
    );
    // SAFETY: `band_avx2_fma` only requires the CPU to support AVX2 and FMA, which was checked
    // at run time on the line above; it has no other preconditions (safe Rust inside).
    unsafe { band_avx2_fma(job, map) }
}
