//! Peer for the whole-command fingerprinting comparison (benches/hash_speed.sh): czkawka's
//! hasher, the `image_hasher` crate, with czkawka's default settings (Gradient, 8×8, Lanczos3
//! resize), over the files given, on the current thread. Prints one base64 hash per line.
fn main() {
    let hasher = image_hasher::HasherConfig::new()
        .hash_size(8, 8)
        .hash_alg(image_hasher::HashAlg::Gradient)
        .resize_filter(image::imageops::FilterType::Lanczos3)
        .to_hasher();
    let mut out = String::new();
    for f in std::env::args().skip(1) {
        match image::open(&f) {
            Ok(img) => out.push_str(&hasher.hash_image(&img).to_base64()),
            Err(e) => out.push_str(&format!("error {f}: {e}")),
        }
        out.push('\n');
    }
    print!("{out}");
}
