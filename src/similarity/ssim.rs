//! SSIM exactly as Wang et al. 2004 define it and scikit-image computes it:
//! `structural_similarity(x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
//! data_range=255)` — 11×11 normalised Gaussian window (σ = 1.5, truncate 3.5), K1 = 0.01,
//! K2 = 0.03, L = 255, population moments, mean over the valid region (the 5-pixel border that
//! scikit-image crops is dropped), full resolution.
//!
//! Because the cropped border equals the window radius, every kept pixel has a complete window:
//! no boundary mode is involved, and we only compute the valid region.
//!
//! Layout for speed (one pass, no full-size temporaries): the output is split into row bands
//! processed in parallel; each band converts input rows to the signal (e.g. BT.601 luma, fused),
//! filters them horizontally into an 11-row ring buffer of the five moments (x, y, x², y², xy),
//! and filters the ring vertically into one output row of SSIM values, which is summed in f64
//! (and copied into the map only when a map was asked for).
//!
//! Precision: signals are centred on 128 before the moments are formed (variance is shift
//! invariant; the means are shifted back for the luminance term), which keeps f32 cancellation
//! in `E[x²] − E[x]²` four times smaller. Identical inputs give exactly 1.0: every operation is
//! symmetric in x and y, so numerator and denominator are bit-identical.

use image::RgbImage;
use rayon::prelude::*;

/// Gaussian window radius: `int(3.5 * 1.5 + 0.5)` as scipy computes it.
pub const RADIUS: usize = 5;
const TAPS: usize = 2 * RADIUS + 1;
const C1: f32 = (0.01 * 255.0) * (0.01 * 255.0);
const C2: f32 = (0.03 * 255.0) * (0.03 * 255.0);
const CENTRE: f32 = 128.0;
/// Output rows per parallel band: each band re-filters 10 warm-up rows, so 128 rows costs 8 %
/// extra horizontal work (64 rows: 16 %, measured 6.9 vs 8.7 ms/MP on one core) and still gives
/// 8 bands per megapixel row range to balance two threads (1.9× on 2 cores).
const BAND_ROWS: usize = 128;
/// Columns per vertical-pass tile: 5 accumulator rows × 256 × 4 bytes = 5 KB, resident in L1.
const TILE: usize = 256;

/// The normalised 1-D Gaussian (σ = 1.5, 11 taps), computed in f64 like scipy, stored as f32.
pub fn gaussian_kernel() -> [f32; TAPS] {
    let mut k = [0f64; TAPS];
    let mut sum = 0.0;
    for (i, v) in k.iter_mut().enumerate() {
        let x = i as f64 - RADIUS as f64;
        *v = (-0.5 / (1.5f64 * 1.5) * x * x).exp();
        sum += *v;
    }
    let mut out = [0f32; TAPS];
    for (o, v) in out.iter_mut().zip(k.iter()) {
        *o = (*v / sum) as f32;
    }
    out
}

/// Which signal of an RGB image is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// BT.601 luma in float: Y = 0.299 R + 0.587 G + 0.114 B on the 8-bit values.
    Luma,
    /// One channel: 0 = R, 1 = G, 2 = B.
    Channel(usize),
}

#[inline(always)]
fn fill_row(img: &RgbImage, y: usize, signal: Signal, out: &mut [f32]) {
    let w = img.width() as usize;
    let row = &img.as_raw()[y * w * 3..(y + 1) * w * 3];
    match signal {
        Signal::Luma => {
            for (o, p) in out.iter_mut().zip(row.chunks_exact(3)) {
                *o = 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32 - CENTRE;
            }
        }
        Signal::Channel(c) => {
            for (o, p) in out.iter_mut().zip(row.chunks_exact(3)) {
                *o = p[c] as f32 - CENTRE;
            }
        }
    }
}

/// Multiply-add, either as two roundings (`a * b + c`, the portable path) or fused (FMA).
pub(crate) trait Madd: Copy {
    fn madd(a: f32, b: f32, c: f32) -> f32;
}
/// `a * b + c` with two roundings: the scalar reference path.
#[derive(Clone, Copy)]
pub(crate) struct Plain;
impl Madd for Plain {
    #[inline(always)]
    fn madd(a: f32, b: f32, c: f32) -> f32 {
        a * b + c
    }
}
/// `a.mul_add(b, c)`: one rounding; only instantiated inside `avx2,fma` target-feature code,
/// where it compiles to `vfmadd`.
#[derive(Clone, Copy)]
pub(crate) struct Fused;
impl Madd for Fused {
    #[inline(always)]
    fn madd(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
}

/// `out[i] = Σ_t k[t]·s_t[i]` over eleven equal-length slices (the same signal shifted by t for
/// the horizontal pass; eleven ring rows for the vertical pass), one fused pass per output.
///
/// Evaluated as `c + Σ_j k_j·((s_j + s_{10−j}) − 2c)` with `c` the centre tap: the kernel's
/// symmetry halves the multiplies, and on a constant region every correction is exactly zero, so
/// flat areas get exactly their level and exactly zero variance. (The plain weighted sum would
/// give c·(1+δ) with δ ≈ 1e-7 from f32 weight rounding; in `E[x²] − E[x]²` that leaves a
/// same-signed variance on every flat pixel of a white background, a 1e-5 bias in mean SSIM.)
/// The centre weight is implicitly `1 − Σ_{j≠5} k_j`, i.e. the kernel is exactly normalised.
/// Equal slice lengths let the compiler drop bounds checks and vectorise.
#[inline(always)]
fn conv11<M: Madd>(s: [&[f32]; TAPS], k: &[f32; TAPS], out: &mut [f32]) {
    let n = out.len();
    let [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10] = s.map(|x| &x[..n]);
    for i in 0..n {
        let c = s5[i];
        let c2 = c + c;
        let mut acc = k[0] * ((s0[i] + s10[i]) - c2);
        acc = M::madd(k[1], (s1[i] + s9[i]) - c2, acc);
        acc = M::madd(k[2], (s2[i] + s8[i]) - c2, acc);
        acc = M::madd(k[3], (s3[i] + s7[i]) - c2, acc);
        acc = M::madd(k[4], (s4[i] + s6[i]) - c2, acc);
        out[i] = c + acc;
    }
}

#[inline(always)]
fn hconv<M: Madd>(s: &[f32], k: &[f32; TAPS], out: &mut [f32]) {
    let n = out.len();
    conv11::<M>(std::array::from_fn(|t| &s[t..t + n]), k, out);
}

/// Per-band scratch: two input rows, three product rows and an 11-row ring of 5 moments.
struct Band {
    lx: Vec<f32>,
    ly: Vec<f32>,
    xx: Vec<f32>,
    yy: Vec<f32>,
    xy: Vec<f32>,
    /// ring[m][r]: moment m (x, y, xx, yy, xy) for ring slot r, each `ow` wide.
    ring: Vec<Vec<Vec<f32>>>,
    v: Vec<Vec<f32>>,
    s: Vec<f32>,
}

impl Band {
    fn new(w: usize, ow: usize) -> Band {
        Band {
            lx: vec![0.0; w],
            ly: vec![0.0; w],
            xx: vec![0.0; w],
            yy: vec![0.0; w],
            xy: vec![0.0; w],
            ring: (0..5)
                .map(|_| (0..TAPS).map(|_| vec![0.0; ow]).collect())
                .collect(),
            v: (0..5).map(|_| vec![0.0; TILE.min(ow)]).collect(),
            s: vec![0.0; ow],
        }
    }

    #[inline(always)]
    fn push_row<M: Madd>(
        &mut self,
        a: &RgbImage,
        b: &RgbImage,
        y: usize,
        slot: usize,
        signal: Signal,
        k: &[f32; TAPS],
    ) {
        fill_row(a, y, signal, &mut self.lx);
        fill_row(b, y, signal, &mut self.ly);
        for ((((xx, yy), xy), &x), &yv) in self
            .xx
            .iter_mut()
            .zip(self.yy.iter_mut())
            .zip(self.xy.iter_mut())
            .zip(&self.lx)
            .zip(&self.ly)
        {
            *xx = x * x;
            *yy = yv * yv;
            *xy = x * yv;
        }
        hconv::<M>(&self.lx, k, &mut self.ring[0][slot]);
        hconv::<M>(&self.ly, k, &mut self.ring[1][slot]);
        hconv::<M>(&self.xx, k, &mut self.ring[2][slot]);
        hconv::<M>(&self.yy, k, &mut self.ring[3][slot]);
        hconv::<M>(&self.xy, k, &mut self.ring[4][slot]);
    }

    /// Vertical filter of the ring (oldest slot = `first`) into `self.s`, tile by tile so the
    /// five accumulator rows stay in L1; returns Σ S in f64.
    #[inline(always)]
    fn emit_row<M: Madd>(&mut self, first: usize, k: &[f32; TAPS]) -> f64 {
        let n = self.s.len();
        let order: [usize; TAPS] = std::array::from_fn(|t| (first + t) % TAPS);
        let mut sum = 0.0;
        let mut t0 = 0;
        while t0 < n {
            let t1 = (t0 + TILE).min(n);
            for m in 0..5 {
                let r = &self.ring[m];
                let rows: [&[f32]; TAPS] = std::array::from_fn(|t| &r[order[t]][t0..t1]);
                conv11::<M>(rows, k, &mut self.v[m][..t1 - t0]);
            }
            let len = t1 - t0;
            let (ux, uy, uxx, uyy, uxy) = (
                &self.v[0][..len],
                &self.v[1][..len],
                &self.v[2][..len],
                &self.v[3][..len],
                &self.v[4][..len],
            );
            let out = &mut self.s[t0..t1];
            for i in 0..len {
                let (cx, cy) = (ux[i], uy[i]);
                let vx = uxx[i] - cx * cx;
                let vy = uyy[i] - cy * cy;
                let vxy = uxy[i] - cx * cy;
                let (mx, my) = (cx + CENTRE, cy + CENTRE);
                let num = (2.0 * mx * my + C1) * (2.0 * vxy + C2);
                let den = (mx * mx + my * my + C1) * (vx + vy + C2);
                out[i] = num / den;
            }
            // Four f64 accumulators: exact enough (≤ 1e-12 relative) and still fast.
            let mut acc = [0f64; 4];
            let chunks = out.chunks_exact(4);
            let rest = chunks.remainder();
            for c in chunks {
                for j in 0..4 {
                    acc[j] += c[j] as f64;
                }
            }
            sum += (acc[0] + acc[1]) + (acc[2] + acc[3]);
            for &v in rest {
                sum += v as f64;
            }
            t0 = t1;
        }
        sum
    }
}

/// The local SSIM values of the valid region: `width × height` of the image minus the 5-px
/// border on each side; `data[y * valid_width + x]` is the SSIM centred on image pixel
/// `(x + 5, y + 5)`.
#[derive(Debug, Clone, PartialEq)]
pub struct SsimMap {
    pub valid_width: usize,
    pub valid_height: usize,
    pub data: Vec<f32>,
}

impl SsimMap {
    /// Local SSIM at image pixel (x, y), clamped into the valid region.
    pub fn at_image(&self, x: usize, y: usize) -> f32 {
        let cx = x.saturating_sub(RADIUS).min(self.valid_width - 1);
        let cy = y.saturating_sub(RADIUS).min(self.valid_height - 1);
        self.data[cy * self.valid_width + cx]
    }
}

/// Errors specific to the SSIM computation (mapped to crate errors by the caller, who knows paths).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsimError {
    #[error("images differ in size: {0}×{1} vs {2}×{3}")]
    SizeMismatch(u32, u32, u32, u32),
    #[error("{0}×{1} is smaller than the 11×11 SSIM window")]
    TooSmall(u32, u32),
}

/// Mean SSIM of one signal of two same-size images, and optionally the map.
pub fn ssim(
    a: &RgbImage,
    b: &RgbImage,
    signal: Signal,
    keep_map: bool,
) -> Result<(f64, Option<SsimMap>), SsimError> {
    ssim_with(a, b, signal, keep_map, Kernel::Auto)
}

/// [`ssim`] with an explicit kernel choice (tests compare the fast path to the portable one).
pub fn ssim_with(
    a: &RgbImage,
    b: &RgbImage,
    signal: Signal,
    keep_map: bool,
    kernel: Kernel,
) -> Result<(f64, Option<SsimMap>), SsimError> {
    let (w, h) = a.dimensions();
    if b.dimensions() != (w, h) {
        let (bw, bh) = b.dimensions();
        return Err(SsimError::SizeMismatch(w, h, bw, bh));
    }
    if (w as usize) < TAPS || (h as usize) < TAPS {
        return Err(SsimError::TooSmall(w, h));
    }
    let (w, h) = (w as usize, h as usize);
    let (ow, oh) = (w - 2 * RADIUS, h - 2 * RADIUS);
    let k = gaussian_kernel();
    let bands: Vec<(usize, usize)> = (0..oh)
        .step_by(BAND_ROWS)
        .map(|r0| (r0, (r0 + BAND_ROWS).min(oh)))
        .collect();
    let band_fn = |rows: (usize, usize), map: Option<&mut [f32]>| {
        run_band(
            &BandJob {
                a,
                b,
                signal,
                k: &k,
                w,
                ow,
                rows,
            },
            map,
            kernel,
        )
    };
    let (sums, map) = if keep_map {
        let mut data = vec![0f32; ow * oh];
        let sums: Vec<f64> = data
            .par_chunks_mut(BAND_ROWS * ow)
            .zip(bands.par_iter())
            .map(|(chunk, &range)| band_fn(range, Some(chunk)))
            .collect();
        (
            sums,
            Some(SsimMap {
                valid_width: ow,
                valid_height: oh,
                data,
            }),
        )
    } else {
        let sums: Vec<f64> = bands
            .par_iter()
            .map(|&range| band_fn(range, None))
            .collect();
        (sums, None)
    };
    // Summed in band order: the result does not depend on the number of threads.
    let total: f64 = sums.iter().sum();
    Ok((total / (ow * oh) as f64, map))
}

#[allow(clippy::too_many_arguments)]
/// Which compiled instance of the band kernel runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Best available on this CPU (AVX2+FMA when present, else the portable path).
    Auto,
    /// The portable reference path (SSE2 on x86_64), used to test the fast path against.
    Portable,
}

/// Arguments of one band, bundled so the kernel instances share one signature.
pub(crate) struct BandJob<'a> {
    pub a: &'a RgbImage,
    pub b: &'a RgbImage,
    pub signal: Signal,
    pub k: &'a [f32; TAPS],
    pub w: usize,
    pub ow: usize,
    pub rows: (usize, usize),
}

fn run_band(job: &BandJob<'_>, map: Option<&mut [f32]>, kernel: Kernel) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if kernel == Kernel::Auto && avx2::avx2_fma_available() {
        return avx2::run_band_avx2_fma(job, map);
    }
    let _ = kernel;
    run_band_impl::<Plain>(job, map)
}

/// The one place `unsafe` is allowed in SSIM: calling the AVX2+FMA instance of the band kernel.
///
/// Earned by benchmark (docs/benchmarks.md): the same Rust code compiled for AVX2+FMA runs SSIM
/// ~1.9× faster than the portable SSE2 build on the reference machine. The kernel itself is safe
/// Rust ([`run_band_impl`]); only the call into a `#[target_feature]` function is
/// unsafe. Its scalar twin is the `Portable` kernel, and `tests/ssim_oracle.rs` checks the two
/// agree to 1e-6 on every oracle case (FMA rounds once where the portable path rounds twice).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod avx2 {
    use super::{run_band_impl, BandJob, Fused};

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
}

/// One band of output rows `r0..r1`: warm the ring with input rows r0..r0+9 (slot = row % 11),
/// then push one row and emit one row at a time. Inlined into each kernel instance.
#[inline(always)]
pub(crate) fn run_band_impl<M: Madd>(job: &BandJob<'_>, mut map: Option<&mut [f32]>) -> f64 {
    let BandJob {
        a,
        b,
        signal,
        k,
        w,
        ow,
        rows: (r0, r1),
    } = *job;
    let mut band = Band::new(w, ow);
    for y in r0..r0 + TAPS - 1 {
        band.push_row::<M>(a, b, y, y % TAPS, signal, k);
    }
    let mut sum = 0.0;
    for r in r0..r1 {
        let newest = r + TAPS - 1;
        band.push_row::<M>(a, b, newest, newest % TAPS, signal, k);
        sum += band.emit_row::<M>(r % TAPS, k);
        if let Some(m) = map.as_deref_mut() {
            m[(r - r0) * ow..(r - r0 + 1) * ow].copy_from_slice(&band.s);
        }
    }
    sum
}
