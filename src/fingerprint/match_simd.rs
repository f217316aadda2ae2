//! The second place `unsafe` is allowed: calling the POPCNT instance of descriptor matching.
//!
//! Earned by benchmark (docs/benchmarks.md): x86-64's baseline has no POPCNT instruction, so
//! the portable build counts bits with a dozen shifts and masks per word; the same safe Rust
//! ([`super::verify::matches_impl`]) compiled for POPCNT verifies a pair ~30 % faster
//! (`examples/verify_timing.rs`). Only the call into the `#[target_feature]` function is
//! unsafe. Its twin is [`super::verify::matches_portable`]; `tests/verification.rs` checks the
//! two return the same matches.
#![allow(unsafe_code)]

use super::local::Features;

/// Runtime check (std caches the CPUID result).
pub fn popcnt_available() -> bool {
    std::arch::is_x86_feature_detected!("popcnt")
}

#[target_feature(enable = "popcnt")]
fn matches_popcnt_impl(a: &Features, b: &Features) -> Vec<(usize, usize)> {
    super::verify::matches_impl(a, b)
}

/// Putative matches with the POPCNT instance. Asserts the CPU has POPCNT, so a wrong call
/// cannot execute an illegal instruction.
pub fn matches_popcnt(a: &Features, b: &Features) -> Vec<(usize, usize)> {
    assert!(
        popcnt_available(),
        "POPCNT kernel called on a CPU without POPCNT"
    );
    // SAFETY: `matches_popcnt_impl` only requires the CPU to support POPCNT, checked at run
    // time on the line above; it has no other preconditions (safe Rust inside).
    unsafe { matches_popcnt_impl(a, b) }
}
