//! Print the flat blocks overlapping a box: `cargo run --release --example blocks_probe -- IMAGE x0 y0 x1 y1`
use pairproof::{compliance::background, decode, overlay, Limits, Policy};
use std::path::Path;
fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let b: Vec<u32> = a[1..5].iter().map(|s| s.parse().unwrap()).collect();
    let d = decode::decode_path(Path::new(&a[0]), &Limits::default()).unwrap();
    let p = Policy::default();
    let bg = background::measure(
        &d.pixels,
        p.background_tolerance_rgb,
        p.min_background_agreement,
    );
    let small = overlay::raster::shrink_rgb(&d.pixels, 2);
    let min_area = ((small.width() * small.height()) as f32 * 0.0008) as u32;
    let bg_rgb = bg.as_ref().filter(|b| b.flat).map(|b| b.rgb);
    let nb = overlay::blocks::Neighbours::count(&small);
    let strokes = overlay::blocks::find_strokes(&nb, bg_rgb, None, 30);
    let flat = overlay::blocks::find_blocks(&nb, bg_rgb, None, min_area.max(60));
    for k in flat.into_iter().chain(strokes) {
        let bb = &k.bbox;
        if bb.x1() < b[0] || bb.x > b[2] || bb.y1() < b[1] || bb.y > b[3] {
            continue;
        }
        println!(
            "{:?} {:?} rgb={:?} area={} content={:.2} chroma={}",
            k.shape, k.bbox, k.rgb, k.area_px, k.content_share, k.chroma
        );
    }
}
