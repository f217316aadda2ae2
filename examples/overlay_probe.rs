//! Draw what the overlay detectors find: `cargo run --release --example overlay_probe -- OUT_DIR IMAGE...`
use std::path::Path;

use image::Rgb;
use pairproof::{decode, overlay, Limits, Policy};

fn rect(img: &mut image::RgbImage, b: &overlay::raster::PxBox, c: [u8; 3]) {
    let (w, h) = img.dimensions();
    for t in 0..2 {
        for x in b.x..b.x1().min(w) {
            for y in [b.y + t, b.y1().saturating_sub(1 + t)] {
                if y < h {
                    img.put_pixel(x, y, Rgb(c));
                }
            }
        }
        for y in b.y..b.y1().min(h) {
            for x in [b.x + t, b.x1().saturating_sub(1 + t)] {
                if x < w {
                    img.put_pixel(x, y, Rgb(c));
                }
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = Path::new(&args[0]);
    std::fs::create_dir_all(out).unwrap();
    let p = Policy::default();
    let s = overlay::Settings {
        background_tolerance_rgb: p.background_tolerance_rgb,
        min_background_agreement: p.min_background_agreement,
        foreground_delta_rgb: p.foreground_delta_rgb,
    };
    for path in &args[1..] {
        let d = decode::decode_path(Path::new(path), &Limits::default()).unwrap();
        let t0 = std::time::Instant::now();
        let a = overlay::analyse(&d.pixels, &s);
        let dt = t0.elapsed();
        let mut img = d.pixels.clone();
        if std::env::var("PROBE_GLYPHS").is_ok() {
            let l = overlay::raster::luma(&d.pixels);
            let m = overlay::raster::local_means(&l, overlay::text::WINDOW_R);
            for g in overlay::text::glyph_candidates(&d.pixels, &l, &m) {
                if let Ok(b) = std::env::var("PROBE_GLYPHS") {
                    let v: Vec<u32> = b.split(',').filter_map(|s| s.parse().ok()).collect();
                    if v.len() == 4
                        && g.bbox.x < v[2]
                        && g.bbox.x1() > v[0]
                        && g.bbox.y < v[3]
                        && g.bbox.y1() > v[1]
                    {
                        println!("GLYPH {:?} size={} stroke={:.1} fill={:.2} ink={:.0} sur={:.0} light={}", g.bbox, g.size, g.stroke, g.fill, g.ink_luma, g.surround, g.light);
                    }
                }
                rect(
                    &mut img,
                    &g.bbox,
                    if g.light {
                        [255, 160, 0]
                    } else {
                        [0, 160, 255]
                    },
                );
            }
        }
        let name = Path::new(path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        for det in &a.detections {
            let c = match det.judgement {
                overlay::Judgement::Overlay => [255, 0, 255],
                overlay::Judgement::ProductPrint => [0, 200, 0],
            };
            rect(&mut img, &det.bbox, c);
            println!(
                "{name}: {:?} {:?} {:?} {:?} {:?} conf={:.2}",
                det.kind, det.judgement, det.placement, det.evidence, det.bbox, det.confidence
            );
        }
        if std::env::var("PROBE_LINES").is_ok() {
            let l = overlay::raster::luma(&d.pixels);
            let m = overlay::raster::local_means(&l, overlay::text::WINDOW_R);
            for ln in overlay::text::lines(&overlay::text::glyph_candidates(&d.pixels, &l, &m), &l)
            {
                println!(
                    "{name}: LINE {:?} n={} ang={:.1} px={:.0} contrast={:.0} spread={:.1} surface={:.1} slope={:?} plain={} one_ink={}",
                    ln.bbox, ln.glyphs.len(), ln.angle_deg, ln.glyph_px, ln.contrast, ln.ink_spread, ln.surface, ln.blend_slope, ln.plain, ln.one_ink
                );
            }
        }
        println!(
            "{name}: {} detections in {:.1} ms",
            a.detections.len(),
            dt.as_secs_f64() * 1e3
        );
        img.save(out.join(format!("{name}.png"))).unwrap();
    }
}
