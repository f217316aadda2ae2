//! bytes → `Decoded` (sniff, header walks, EXIF/ICC parsing, guarded pixel decode).
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("common.rs");

fuzz_target!(|data: &[u8]| {
    let r = pairproof::decode::decode_bytes(std::path::Path::new("fuzz.jpg"), data, &fuzz_limits());
    no_decoder_panic(&r);
});
