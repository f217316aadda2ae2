//! Two fuzzed images (the input split at a position given by its first two bytes) through every
//! pair rule and SSIM, as `check` runs them.
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("common.rs");

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let cut = (u16::from_le_bytes([data[0], data[1]]) as usize).min(data.len() - 2);
    let (a, b) = data[2..].split_at(cut);
    let limits = fuzz_limits();
    let da = pairproof::decode::decode_bytes(std::path::Path::new("main.jpg"), a, &limits);
    let db = pairproof::decode::decode_bytes(std::path::Path::new("hidden.png"), b, &limits);
    no_decoder_panic(&da);
    no_decoder_panic(&db);
    // Failed decodes go through too: the report must carry them as errors.
    let _ = pairproof::check::check_decoded(
        std::path::Path::new("main.jpg"),
        std::path::Path::new("hidden.png"),
        da,
        db,
        &pairproof::Policy::default(),
        pairproof::check::CheckOptions::default(),
    );
});
