// Shared by the fuzz targets (included with `include!`).

/// Limits small enough that one input cannot take the fuzzer's memory or seconds: the same
/// checks as the defaults, at a smaller scale.
#[allow(dead_code)]
fn fuzz_limits() -> pairproof::Limits {
    pairproof::Limits {
        max_pixels: 4_000_000,
        max_side_px: 8192,
        max_decode_alloc_bytes: 64 << 20,
        ..pairproof::Limits::default()
    }
}

/// A caught decoder panic is handled (E_DECODER_PANIC) but it is still a bug in a decoder we
/// ship: the fuzzer reports it as a crash so it is recorded and kept as a regression input.
#[allow(dead_code)]
fn no_decoder_panic<T>(r: &Result<T, pairproof::Error>) {
    if let Err(e) = r {
        assert_ne!(e.code(), "E_DECODER_PANIC", "{e}");
    }
}
