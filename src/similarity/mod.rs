//! Pixel-level similarity of a hidden image to its main image: SSIM (luma, and the stricter
//! mean of per-channel RGB SSIM), the risk band, the local SSIM map, the regions where the two
//! differ, and the heatmap picture.

pub mod heatmap;
pub mod regions;
pub mod ssim;

use image::RgbImage;
use serde::Serialize;
use serde_json::json;

use crate::compliance::{Finding, Reason, Status};
use crate::policy::Policy;
pub use regions::Region;
pub use ssim::{Signal, SsimError, SsimMap};

/// Where a passing or failing SSIM sits relative to the platform's gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskBand {
    /// Luma SSIM and RGB SSIM both clear the gate by more than the margin.
    Pass,
    /// Luma SSIM passes, but luma or RGB SSIM is within the margin of the gate.
    AtRisk,
    /// Luma SSIM is below the gate: the platform rejects the pair.
    Fail,
}

/// How two images of slightly different size were aligned before comparing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Crop {
    /// Offset of the compared area inside the main image and inside the hidden image.
    pub main_offset: (u32, u32),
    pub hidden_offset: (u32, u32),
    /// Size of the compared area.
    pub size: (u32, u32),
}

/// SSIM of a hidden image against its main image.
#[derive(Debug, Clone, Serialize)]
pub struct Similarity {
    /// SSIM on BT.601 luma: the platform's gate.
    pub luma: f64,
    /// SSIM of R, G and B separately.
    pub rgb: [f64; 3],
    /// Mean of the three channel SSIMs.
    pub rgb_mean: f64,
    /// Set when the images differed by one pixel and were cropped to a common area.
    pub crop: Option<Crop>,
    #[serde(skip)]
    pub map: Option<SsimMap>,
}

impl Similarity {
    pub fn band(&self, policy: &Policy) -> RiskBand {
        if self.luma < policy.min_ssim {
            RiskBand::Fail
        } else if self.luma.min(self.rgb_mean) < policy.min_ssim + policy.ssim_risk_margin {
            RiskBand::AtRisk
        } else {
            RiskBand::Pass
        }
    }
}

fn crop(img: &RgbImage, x: u32, y: u32, w: u32, h: u32) -> RgbImage {
    image::imageops::crop_imm(img, x, y, w, h).to_image()
}

/// Compare `hidden` to `main`. Same size: compared as is (never resampled: a 1-px shift costs
/// 0.02–0.05 SSIM). Sizes differing by one pixel in width and/or height: both are cropped to the
/// common size at the offsets (0 or 1 px) that give the highest luma SSIM, and the crop is
/// reported. Larger differences are an error: resampling would invent a score.
pub fn compare(
    main: &RgbImage,
    hidden: &RgbImage,
    keep_map: bool,
) -> Result<Similarity, SsimError> {
    let (mw, mh) = main.dimensions();
    let (hw, hh) = hidden.dimensions();
    if (mw, mh) == (hw, hh) {
        return compare_same_size(main, hidden, keep_map, None);
    }
    if mw.abs_diff(hw) > 1 || mh.abs_diff(hh) > 1 {
        return Err(SsimError::SizeMismatch(mw, mh, hw, hh));
    }
    let (w, h) = (mw.min(hw), mh.min(hh));
    let offsets = |big: u32, small: u32| if big > small { vec![0, 1] } else { vec![0] };
    let mut best: Option<(f64, Crop)> = None;
    for &mx in &offsets(mw, hw) {
        for &my in &offsets(mh, hh) {
            for &hx in &offsets(hw, mw) {
                for &hy in &offsets(hh, mh) {
                    let a = crop(main, mx, my, w, h);
                    let b = crop(hidden, hx, hy, w, h);
                    let (s, _) = ssim::ssim(&a, &b, Signal::Luma, false)?;
                    if best.is_none_or(|(bs, _)| s > bs) {
                        best = Some((
                            s,
                            Crop {
                                main_offset: (mx, my),
                                hidden_offset: (hx, hy),
                                size: (w, h),
                            },
                        ));
                    }
                }
            }
        }
    }
    let Some((_, c)) = best else {
        return Err(SsimError::SizeMismatch(mw, mh, hw, hh));
    };
    let a = crop(main, c.main_offset.0, c.main_offset.1, w, h);
    let b = crop(hidden, c.hidden_offset.0, c.hidden_offset.1, w, h);
    compare_same_size(&a, &b, keep_map, Some(c))
}

fn compare_same_size(
    a: &RgbImage,
    b: &RgbImage,
    keep_map: bool,
    crop: Option<Crop>,
) -> Result<Similarity, SsimError> {
    let (luma, map) = ssim::ssim(a, b, Signal::Luma, keep_map)?;
    let mut rgb = [0.0; 3];
    for (c, v) in rgb.iter_mut().enumerate() {
        *v = ssim::ssim(a, b, Signal::Channel(c), false)?.0;
    }
    Ok(Similarity {
        luma,
        rgb,
        rgb_mean: (rgb[0] + rgb[1] + rgb[2]) / 3.0,
        crop,
        map,
    })
}

fn r6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Judge a similarity into the `ssim` finding.
pub fn finding(sim: &Similarity, policy: &Policy) -> Finding {
    let band = sim.band(policy);
    let margin = sim.luma - policy.min_ssim;
    let measured = json!({
        "luma": r6(sim.luma),
        "rgb_mean": r6(sim.rgb_mean),
        "rgb": [r6(sim.rgb[0]), r6(sim.rgb[1]), r6(sim.rgb[2])],
        "margin": r6(margin),
        "band": band,
        "crop": sim.crop,
    });
    let crop_note = match &sim.crop {
        Some(c) => format!(
            " (sizes differ by 1 px: compared the common {}×{} area)",
            c.size.0, c.size.1
        ),
        None => String::new(),
    };
    let limit = json!(policy.min_ssim);
    match band {
        RiskBand::Pass => Finding::new(
            "ssim",
            Status::Pass, Reason::SsimClear,
            measured,
            limit,
            format!("SSIM {:.4} (needs {}; margin +{:.4}){crop_note}", sim.luma, policy.min_ssim, margin),
        ),
        RiskBand::AtRisk => Finding::new(
            "ssim",
            Status::Warn, Reason::SsimWithinMargin,
            measured,
            limit,
            format!(
                "SSIM {:.4} passes by only {:.4} (RGB SSIM {:.4}); a small re-encode could tip it below {}{crop_note}",
                sim.luma, margin, sim.rgb_mean, policy.min_ssim
            ),
        )
        .with_fix("export the hidden image from the same original as the main image, at the same quality, without resizing"),
        RiskBand::Fail => Finding::new(
            "ssim",
            Status::Fail, Reason::SsimBelowGate,
            measured,
            limit,
            format!("SSIM {:.4} is below {} (short by {:.4}){crop_note}", sim.luma, policy.min_ssim, -margin),
        )
        .with_fix("the hidden image must be the main image's photo without overlays: see `regions` for where they differ"),
    }
}
