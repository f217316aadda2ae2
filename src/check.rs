//! The pair check as one library call: decode main and hidden in parallel, evaluate every rule
//! (the foundation rules plus `ssim`), and, when asked or when SSIM does not clearly pass, the
//! local SSIM map and the regions where the images differ.

use std::path::Path;

use image::RgbImage;
use serde::Serialize;

use crate::compliance::{self, Finding, Reason, Status};
use crate::decode::{self, Decoded};
use crate::error::Error;
use crate::policy::{Limits, Policy};
use crate::report::{ErrorInfo, FileInfo, CHECK_SCHEMA};
use crate::similarity::{self, Region, RiskBand, Similarity, SsimError, SsimMap};

/// What to compute beyond the verdict.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// Keep the SSIM map (for a heatmap) and list regions even when SSIM passes clearly.
    pub keep_map: bool,
}

/// Overall verdict of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
    /// Something could not be evaluated (see `errors`).
    Error,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        crate::report::exit::code(self == Verdict::Fail, self == Verdict::Error)
    }
}

/// The `pairproof.check/1` document for one pair.
#[derive(Debug, Clone, Serialize)]
pub struct PairReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    /// Paths as given.
    pub main_path: std::path::PathBuf,
    pub hidden_path: std::path::PathBuf,
    pub verdict: Verdict,
    pub main: Option<FileInfo>,
    pub hidden: Option<FileInfo>,
    pub ssim: Option<Similarity>,
    pub band: Option<RiskBand>,
    pub findings: Vec<Finding>,
    /// Areas where the images differ (local SSIM below the policy threshold), largest first.
    pub regions: Option<Vec<Region>>,
    pub errors: Vec<ErrorInfo>,
    /// Set by the caller when a heatmap file was written.
    pub heatmap: Option<std::path::PathBuf>,
}

/// A pair check plus the pixels a heatmap needs (not serialised).
pub struct PairCheck {
    pub report: PairReport,
    pub map: Option<SsimMap>,
    pub main_pixels: Option<RgbImage>,
}

impl PairCheck {
    /// The local-SSIM heatmap for this pair (the compared area: the whole main image, or the
    /// crop SSIM was measured on), when the map was kept.
    pub fn heatmap(&self, style: crate::similarity::heatmap::HeatmapStyle) -> Option<RgbImage> {
        let (map, sim) = (self.map.as_ref()?, self.report.ssim.as_ref()?);
        let (w, h) = match sim.crop {
            Some(c) => c.size,
            None => self.main_pixels.as_ref()?.dimensions(),
        };
        Some(crate::similarity::heatmap::render(
            map,
            w,
            h,
            self.main_pixels.as_ref(),
            style,
        ))
    }
}

/// When SSIM fails because of the main image's overlays (the photos agree elsewhere), say so:
/// the fix is smaller overlays, not another photo. The local SSIM outside the overlay regions
/// (grown by the SSIM window) is what the pair would score without them.
fn explain_ssim_by_overlays(
    f: &mut Finding,
    sim: &Similarity,
    map: &SsimMap,
    m: &compliance::pair::PairMeasures,
    policy: &Policy,
) {
    let regions = compliance::overlap::overlay_regions(m);
    if regions.is_empty() || sim.crop.is_some() {
        return;
    }
    let r = crate::similarity::ssim::RADIUS as u32;
    let grown: Vec<_> = regions
        .iter()
        .map(|g| {
            (
                g.bbox.x.saturating_sub(r),
                g.bbox.y.saturating_sub(r),
                g.bbox.x1() + r,
                g.bbox.y1() + r,
            )
        })
        .collect();
    let (mut sum, mut n, mut covered) = (0f64, 0u64, 0u64);
    for y in 0..map.valid_height {
        for x in 0..map.valid_width {
            let (ix, iy) = (
                (x + crate::similarity::ssim::RADIUS) as u32,
                (y + crate::similarity::ssim::RADIUS) as u32,
            );
            if grown
                .iter()
                .any(|&(x0, y0, x1, y1)| ix >= x0 && ix < x1 && iy >= y0 && iy < y1)
            {
                covered += 1;
                continue;
            }
            sum += map.data[y * map.valid_width + x] as f64;
            n += 1;
        }
    }
    if n == 0 {
        return;
    }
    let outside = sum / n as f64;
    if outside < policy.min_ssim + policy.ssim_risk_margin {
        return;
    }
    let share = covered as f64 / (map.valid_width * map.valid_height) as f64;
    f.reason = Reason::SsimOverlaysOnMain;
    f.measured["ssim_outside_overlays"] = serde_json::json!((outside * 1e4).round() / 1e4);
    f.measured["overlay_share"] = serde_json::json!((share * 1e4).round() / 1e4);
    f.message = format!(
        "SSIM {:.4} is below {}: the main image's overlays cover {:.0} % of the picture and cost the pair its SSIM; the photos themselves agree (SSIM {:.4} outside the overlays)",
        sim.luma,
        policy.min_ssim,
        share * 100.0,
        outside
    );
    f.fix = Some("make the main image's overlays smaller or fewer (or move them off the product); the hidden image is fine".into());
    f.boxes = regions
        .iter()
        .map(|g| compliance::Marked::added(g))
        .collect();
}

/// Check `hidden` against `main`.
pub fn check_pair(
    main: &Path,
    hidden: &Path,
    policy: &Policy,
    limits: &Limits,
    opts: CheckOptions,
) -> PairCheck {
    let (m, h) = rayon::join(
        || decode::decode_path(main, limits),
        || decode::decode_path(hidden, limits),
    );
    check_decoded(main, hidden, m, h, policy, opts)
}

/// Check two decode results (either may have failed).
pub fn check_decoded(
    main_path: &Path,
    hidden_path: &Path,
    main: Result<Decoded, Error>,
    hidden: Result<Decoded, Error>,
    policy: &Policy,
    opts: CheckOptions,
) -> PairCheck {
    let mut report = PairReport {
        schema: CHECK_SCHEMA,
        tool_version: crate::VERSION,
        main_path: main_path.to_path_buf(),
        hidden_path: hidden_path.to_path_buf(),
        verdict: Verdict::Error,
        main: main.as_ref().ok().map(FileInfo::from),
        hidden: hidden.as_ref().ok().map(FileInfo::from),
        ssim: None,
        band: None,
        findings: vec![],
        regions: None,
        errors: vec![],
        heatmap: None,
    };
    let (m, h) = match (main, hidden) {
        (Ok(m), Ok(h)) => (m, h),
        (m, h) => {
            for e in [m.err(), h.err()].into_iter().flatten() {
                report.errors.push(ErrorInfo::from(&e));
            }
            return PairCheck {
                report,
                map: None,
                main_pixels: None,
            };
        }
    };
    // The rules' measurements and SSIM read the same decoded pixels and nothing of each other:
    // on two cores they run side by side. The luma map is always kept (writing it costs ~0.5 ms
    // per megapixel; recomputing it for a pair that needs explaining cost a whole luma SSIM).
    let (measures, compared) = rayon::join(
        || compliance::pair::measure(&m, &h, policy),
        || similarity::compare(&m.pixels, &h.pixels, true),
    );
    let mut map = None;
    let ssim_finding = match compared {
        Ok(mut sim) => {
            let band = sim.band(policy);
            if opts.keep_map || band != RiskBand::Pass {
                let full = sim.map.take();
                if let Some(mp) = &full {
                    let area = (mp.valid_width * mp.valid_height) as f64;
                    let min_area = ((area * policy.region_min_area_share).round() as u64).max(16);
                    report.regions = Some(similarity::regions::find(mp, policy.region_max_local_ssim, min_area));
                }
                map = full;
            }
            let mut f = similarity::finding(&sim, policy);
            if band == RiskBand::Fail {
                if let Some(mp) = &map {
                    explain_ssim_by_overlays(&mut f, &sim, mp, &measures, policy);
                }
            }
            report.band = Some(band);
            sim.map = None;
            report.ssim = Some(sim);
            Some(f)
        }
        Err(SsimError::SizeMismatch(..)) => {
            Some(Finding::new(
                "ssim",
                Status::Skipped, Reason::SizesDiffer,
                serde_json::Value::Null,
                serde_json::json!(policy.min_ssim),
                "not computed: the sizes differ by more than 1 px (resampling would invent a score); fix dims.equal first",
            ))
        }
        Err(SsimError::TooSmall(w, hh)) => {
            let e = Error::ImageTooSmall { path: hidden_path.to_path_buf(), width: w, height: hh };
            report.errors.push(ErrorInfo::from(&e));
            Some(Finding::new("ssim", Status::Skipped, Reason::ImageTooSmall, serde_json::Value::Null, serde_json::json!(policy.min_ssim), e.to_string()))
        }
    };
    let mut findings = compliance::pair::judge(&m, &h, &measures, report.band, policy);
    if let Some(f) = ssim_finding {
        findings.insert(0, f);
    }
    report.verdict = if !report.errors.is_empty() {
        Verdict::Error
    } else {
        match compliance::verdict(&findings) {
            Status::Pass | Status::Skipped => Verdict::Pass,
            Status::Warn => Verdict::Warn,
            Status::Fail => Verdict::Fail,
        }
    };
    report.findings = findings;
    let main_pixels = map.is_some().then_some(m.pixels);
    PairCheck {
        report,
        map,
        main_pixels,
    }
}
