//! Deterministic SSIM test cases: a synthetic product photo and its edited copies, at several
//! sizes (square, non-square, odd). Shared by the SSIM tests and `examples/ssim_cases.rs`, which
//! writes them as PNGs for the scikit-image oracle (`tests/oracle/ssim_oracle.py`).
#![allow(dead_code)]

use image::{Rgb, RgbImage};

/// xorshift64*: tiny seeded PRNG so cases never depend on a crate's RNG algorithm.
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Approximately normal (sum of 4 uniforms), mean 0, sd `sd`.
    pub fn normal(&mut self, sd: f64) -> f64 {
        let s: f64 = (0..4).map(|_| self.unit()).sum::<f64>() - 2.0;
        s * sd * (3.0f64).sqrt()
    }
}

fn fill_rect(img: &mut RgbImage, x0: i64, y0: i64, w: i64, h: i64, c: [u8; 3]) {
    for y in y0.max(0)..(y0 + h).min(img.height() as i64) {
        for x in x0.max(0)..(x0 + w).min(img.width() as i64) {
            img.put_pixel(x as u32, y as u32, Rgb(c));
        }
    }
}

/// A textured product on white: shaded body, ellipse, sole, stripes, fabric noise.
pub fn product(w: u32, h: u32, seed: u64) -> RgbImage {
    let mut rng = Rng::new(seed);
    let (fw, fh) = (w as f64, h as f64);
    RgbImage::from_fn(w, h, |x, y| {
        let (u, v) = (x as f64 / fw, y as f64 / fh);
        let body = (0.12..0.88).contains(&u) && (0.35..0.78).contains(&v);
        let dome = ((u - 0.38) / 0.26).powi(2) + ((v - 0.38) / 0.22).powi(2) < 1.0;
        let sole = (0.1..0.9).contains(&u) && (0.78..0.86).contains(&v);
        let badge = ((u - 0.7) / 0.08).powi(2) + ((v - 0.55) / 0.08).powi(2) < 1.0;
        let stripe = body && ((u * 40.0) as i64 % 5 == 0);
        let base: [f64; 3] = if badge {
            [230.0, 60.0, 40.0]
        } else if stripe {
            [240.0, 240.0, 235.0]
        } else if body || dome {
            [40.0, 95.0, 175.0]
        } else if sole {
            [235.0, 228.0, 210.0]
        } else {
            return Rgb([255, 255, 255]);
        };
        let shade = 1.0 - 0.3 * u;
        let n = rng.normal(8.0);
        Rgb([
            (base[0] * shade + n).round().clamp(0.0, 255.0) as u8,
            (base[1] * shade + n).round().clamp(0.0, 255.0) as u8,
            (base[2] * shade + n).round().clamp(0.0, 255.0) as u8,
        ])
    })
}

fn jpeg_round_trip(img: &RgbImage, q: u8) -> RgbImage {
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, q)
        .encode_image(img)
        .expect("encode");
    image::load_from_memory(&buf).expect("decode").to_rgb8()
}

fn map_pixels(img: &RgbImage, f: impl Fn(u8) -> u8) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in 0..3 {
            p[c] = f(p[c]);
        }
    }
    out
}

/// Promo "text": blocks of letter-sized rectangles in a banner or a tag.
fn promo_text(img: &RgbImage, big: bool) -> RgbImage {
    let mut out = img.clone();
    let (w, h) = (img.width() as i64, img.height() as i64);
    if big {
        // price tag: 40 % × 30 % yellow box with red "digits"
        let (tw, th) = (w * 2 / 5, h * 3 / 10);
        fill_rect(&mut out, w - tw - 2, 2, tw, th, [255, 210, 0]);
        for i in 0..4 {
            fill_rect(
                &mut out,
                w - tw + 4 + i * tw / 4,
                th / 4,
                (tw / 6).max(1),
                th / 2,
                [200, 0, 0],
            );
        }
    } else {
        let lh = (h / 14).max(3);
        for i in 0..8 {
            fill_rect(
                &mut out,
                3 + i * (lh * 2 / 3 + 2),
                3,
                (lh * 2 / 3).max(1),
                lh,
                [220, 20, 30],
            );
        }
    }
    out
}

fn border(img: &RgbImage, t: u32) -> RgbImage {
    let mut out = img.clone();
    let (w, h) = out.dimensions();
    for (x, y, p) in out.enumerate_pixels_mut() {
        if x < t || y < t || x + t >= w || y + t >= h {
            *p = Rgb([200, 0, 0]);
        }
    }
    out
}

fn shift_right_1px(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    RgbImage::from_fn(w, h, |x, y| *img.get_pixel(x.saturating_sub(1), y))
}

fn noise(img: &RgbImage, seed: u64, sd: f64) -> RgbImage {
    let mut rng = Rng::new(seed);
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in 0..3 {
            p[c] = (p[c] as f64 + rng.normal(sd)).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

fn resize_round_trip(img: &RgbImage) -> RgbImage {
    use image::imageops::{resize, FilterType};
    let (w, h) = img.dimensions();
    let small = resize(img, (w / 2).max(1), (h / 2).max(1), FilterType::Triangle);
    resize(&small, w, h, FilterType::Triangle)
}

/// Case names, in order.
pub const EDITS: &[&str] = &[
    "identical",
    "jpeg_q95",
    "jpeg_q75",
    "jpeg_q50",
    "jpeg_q20",
    "blur",
    "noise",
    "bright_p5",
    "bright_p20",
    "promo_small",
    "price_tag_large",
    "border_10px",
    "shift_1px",
    "resize_round_trip",
    "background_250",
];

/// Sizes: tiny, odd non-square, wide, square.
pub const SIZES: &[(u32, u32)] = &[(64, 48), (131, 97), (300, 200), (256, 256), (641, 479)];

fn edit(base: &RgbImage, name: &str, seed: u64) -> RgbImage {
    match name {
        "identical" => base.clone(),
        "jpeg_q95" => jpeg_round_trip(base, 95),
        "jpeg_q75" => jpeg_round_trip(base, 75),
        "jpeg_q50" => jpeg_round_trip(base, 50),
        "jpeg_q20" => jpeg_round_trip(base, 20),
        "blur" => image::imageops::blur(base, 1.2),
        "noise" => noise(base, seed ^ 0xA5A5, 6.0),
        "bright_p5" => map_pixels(base, |v| v.saturating_add(5)),
        "bright_p20" => map_pixels(base, |v| v.saturating_add(20)),
        "promo_small" => promo_text(base, false),
        "price_tag_large" => promo_text(base, true),
        "border_10px" => border(base, 10),
        "shift_1px" => shift_right_1px(base),
        "resize_round_trip" => resize_round_trip(base),
        "background_250" => map_pixels(base, |v| if v == 255 { 250 } else { v }),
        other => panic!("unknown edit {other}"),
    }
}

/// Every (name, main, hidden) case: `<edit>_<w>x<h>`.
pub fn ssim_cases() -> Vec<(String, RgbImage, RgbImage)> {
    let mut out = Vec::new();
    for (i, &(w, h)) in SIZES.iter().enumerate() {
        let base = product(w, h, 1000 + i as u64);
        for e in EDITS {
            out.push((
                format!("{e}_{w}x{h}"),
                base.clone(),
                edit(&base, e, i as u64),
            ));
        }
    }
    out
}

/// SHA-256 of raw RGB bytes (to pin golden values to the exact pixels).
pub fn pixels_sha256(img: &RgbImage) -> String {
    pairproof::decode::sha256_hex(img.as_raw())
}

/// PDQ exact-tier cases: products and scenes at sizes from tiny to large, square and not, plus
/// mirrored copies; all saved losslessly so the oracle sees the same pixels.
pub fn pdq_cases() -> Vec<(String, RgbImage)> {
    let mut out = Vec::new();
    for (i, &(w, h)) in [
        (64u32, 64u32),
        (100, 61),
        (257, 199),
        (640, 480),
        (1000, 1000),
        (333, 1200),
        (5, 7),
        (5, 5),
        (4, 9),
        (2, 1),
    ]
    .iter()
    .enumerate()
    {
        let p = product(w, h, 500 + i as u64);
        out.push((format!("product_{w}x{h}"), p.clone()));
        if w >= 64 {
            out.push((
                format!("product_{w}x{h}_mirror"),
                image::imageops::flip_horizontal(&p),
            ));
            let mut rng = Rng::new(900 + i as u64);
            let scene = RgbImage::from_fn(w, h, |x, y| {
                let v = ((x as f64 / 17.0).sin() * 60.0
                    + (y as f64 / 23.0).cos() * 50.0
                    + 128.0
                    + rng.normal(10.0))
                .clamp(0.0, 255.0) as u8;
                Rgb([v, v.wrapping_add((x % 50) as u8), 255 - v])
            });
            out.push((format!("scene_{w}x{h}"), scene));
        }
    }
    out.push((
        "flat_grey_64x64".into(),
        RgbImage::from_pixel(64, 64, Rgb([128, 128, 128])),
    ));
    out
}

/// A random "photo" whose layout depends on the seed: a two-colour gradient and 40 random
/// ellipses and rectangles with mild noise. Different seeds give unrelated pictures (unlike
/// [`product`], whose layout is fixed).
pub fn scene(w: u32, h: u32, seed: u64) -> RgbImage {
    let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9).wrapping_add(17));
    let col = |rng: &mut Rng| [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0];
    let c0 = col(&mut rng);
    let c1 = col(&mut rng);
    let shapes: Vec<(bool, f64, f64, f64, f64, [f64; 3])> = (0..40)
        .map(|_| {
            (
                rng.unit() < 0.5,
                rng.unit(),
                rng.unit(),
                0.03 + rng.unit() * 0.2,
                0.03 + rng.unit() * 0.2,
                col(&mut rng),
            )
        })
        .collect();
    let (fw, fh) = (w as f64, h as f64);
    RgbImage::from_fn(w, h, |x, y| {
        let (u, v) = (x as f64 / fw, y as f64 / fh);
        let t = (u + v) / 2.0;
        let mut c = [0.0; 3];
        for k in 0..3 {
            c[k] = c0[k] * (1.0 - t) + c1[k] * t;
        }
        for &(ell, cx, cy, rx, ry, sc) in &shapes {
            let inside = if ell {
                ((u - cx) / rx).powi(2) + ((v - cy) / ry).powi(2) < 1.0
            } else {
                (u - cx).abs() < rx && (v - cy).abs() < ry
            };
            if inside {
                c = sc;
            }
        }
        let n = rng.normal(4.0);
        Rgb(c.map(|v| (v + n).round().clamp(0.0, 255.0) as u8))
    })
}
