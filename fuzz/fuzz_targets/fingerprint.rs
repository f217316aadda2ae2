//! Fingerprinting (PDQ, canonical view, windows, local features) and pair scoring on arbitrary
//! small RGB images: size from the first bytes, pixels from the rest (repeated), so odd sizes
//! (1×N, tiny, flat, noisy; up to 160 px a side so the fuzzer keeps its speed) are reached directly rather than through a decoder.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let w = 1 + (u16::from_le_bytes([data[0], data[1]]) as u32 % 160);
    let h = 1 + (u16::from_le_bytes([data[2], data[3]]) as u32 % 160);
    let body = &data[4..];
    let raw: Vec<u8> = (0..(w * h * 3) as usize).map(|i| body[i % body.len()]).collect();
    let Some(img) = image::RgbImage::from_raw(w, h, raw) else { return };
    let a = pairproof::fingerprint::analyse(&img);
    let flipped = image::imageops::flip_horizontal(&img);
    let b = pairproof::fingerprint::analyse(&flipped);
    let s = pairproof::matching::score(&a.fingerprint, &a.features, &b.fingerprint, &b.features)
        .similarity;
    assert!((0.0..=1.0).contains(&s), "similarity {s}");
    // Stored encodings round-trip exactly.
    assert_eq!(pairproof::fingerprint::local::Features::decode(&a.features.encode()), Some(a.features.clone()));
    assert_eq!(pairproof::fingerprint::windows::Windows::decode(&a.windows.encode()), Some(a.windows.clone()));
});
