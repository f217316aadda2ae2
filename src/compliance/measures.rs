//! What a pair check measures before judging (SSIM aside): both backgrounds, the pair
//! difference and the overlays. Kept apart from the rules so that every rule family
//! (`pair`, `clean`, `overlap`) reads the same measures without needing each other.

use super::background::{self, Background};
use crate::decode::Decoded;
use crate::overlay::{self, added::Difference, Analysis};
use crate::policy::Policy;

/// Everything measured on a pair before judging (SSIM aside).
pub struct PairMeasures {
    /// The main image's background, measured without its overlays.
    pub bg_main: Option<Background>,
    /// The hidden image's background, measured on the same ring pixels as the main's (without
    /// the places of the main's overlays), so a textured border is compared like with like.
    pub bg_hidden: Option<Background>,
    /// What the main image added over the hidden image (same-size pairs).
    pub diff: Option<Difference>,
    /// Overlays found on the hidden image (must be none).
    pub hidden_overlays: Analysis,
    /// Overlays found on the main image, when an added region touches the product and must be
    /// told apart from a changed product.
    pub main_overlays: Option<Analysis>,
}

/// Measure a pair: backgrounds, the pair difference, overlays on the hidden image.
pub fn measure(main: &Decoded, hidden: &Decoded, policy: &Policy) -> PairMeasures {
    let settings = policy.overlay_settings();
    let (tol, agree) = (
        policy.background_tolerance_rgb,
        policy.min_background_agreement,
    );
    let bg_hidden = background::measure(&hidden.pixels, tol, agree);
    let small_hidden = overlay::raster::shrink_rgb(&hidden.pixels, 2);
    let small_main = overlay::raster::shrink_rgb(&main.pixels, 2);
    let hidden_overlays =
        overlay::analyse_with(&hidden.pixels, &small_hidden, bg_hidden.as_ref(), &settings);
    let bg_main_all = background::measure(&main.pixels, tol, agree);
    let flat = |b: &Option<Background>| b.as_ref().filter(|b| b.flat).map(|b| b.rgb);
    let diff = overlay::added::difference(
        &main.pixels,
        &hidden.pixels,
        (&small_main, &small_hidden),
        flat(&bg_main_all),
        flat(&bg_hidden),
        policy.foreground_delta_rgb,
    );
    // The hidden image's background is read on the main's ring: at the main's inset (a frame
    // on the main is skipped on both) and without the places of the main's overlays (a banner
    // along an edge). On a plain background that changes nothing; on a textured one the
    // dominant colours of two different sets of pixels differ by more than the 5-level limit
    // (a framed gravel photo: 7.8 levels between one picture's rings at depths 0–19 and 5–19).
    let changed = diff
        .as_ref()
        .filter(|d| d.regions.iter().any(|r| r.area_px > 0));
    let skip = |x: u32, y: u32| changed.is_some_and(|d| d.changed_at(x, y));
    let skip = changed.map(|_| &skip as background::Skip);
    let bg_main = match skip {
        Some(_) => background::measure_skipping(&main.pixels, tol, agree, skip),
        None => bg_main_all.clone(),
    };
    let bg_hidden = match &bg_main {
        Some(m) => background::measure_like(&hidden.pixels, m, tol, agree, skip).or(bg_hidden),
        None => bg_hidden,
    };
    let main_overlays = diff
        .as_ref()
        .filter(|d| {
            d.regions
                .iter()
                .any(|r| r.touches_product && !r.place.is_edge())
        })
        .map(|_| overlay::analyse_with(&main.pixels, &small_main, bg_main_all.as_ref(), &settings));
    PairMeasures {
        bg_main,
        bg_hidden,
        diff,
        hidden_overlays,
        main_overlays,
    }
}
