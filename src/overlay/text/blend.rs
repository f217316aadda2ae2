//! Translucent text over several surfaces: the second pass of the line finder, for the
//! glyphs the first pass left (see [`blended_rows`]).

use super::{geometry_linked, grow, ink_linked, judge_row, single_strokes, Glyph, TextLine};
use crate::overlay::raster::Plane;

/// Least ink-luma step between two glyphs, relative to the step of the surface beside them,
/// that a translucent overlay can make: `ink = (1 − a)·under + a·colour`, so the ink moves by
/// (1 − a) of the surface's move. Opacity 15–80 % gives 0.2–0.85.
pub(crate) const BLEND_SLOPE: std::ops::RangeInclusive<f32> = 0.2..=0.85;
/// The slopes a row's glyphs may show: a blend's, and up to 1.05 because each glyph's ink is
/// read at its extreme pixels, which on texture are the darkest (or lightest) of what shows
/// through, so the measured ink follows the surface more closely than the blend does.
const ROW_SLOPE: std::ops::RangeInclusive<f32> = 0.2..=1.05;

/// Can one translucent ink explain both glyphs' ink over the surfaces they lie on? Their ink
/// steps by a fixed share of the step of the surface beside them (within 8 levels of JPEG and
/// anti-aliasing noise); a step of under 10 levels says nothing.
fn blend_linked(a: &Glyph, b: &Glyph) -> bool {
    let (du, di) = (a.under - b.under, a.ink_luma - b.ink_luma);
    if du.abs() < 10.0 {
        return false;
    }
    let (du, di) = if du < 0.0 { (-du, -di) } else { (du, di) };
    di >= ROW_SLOPE.start() * du - 8.0 && di <= ROW_SLOPE.end() * du + 8.0
}

/// Translucent text over several surfaces: a watermark laid across a product's outline or
/// over a textured photo has no one ink (its ink follows what lies under it) and no plain
/// surface, so the line finder above leaves it. The glyphs left over are linked again,
/// letting the ink step where the surface beside the glyphs steps by a blend's share, and a
/// row counts only when one blend fits all its glyphs ([`blend_fit`]).
pub(super) fn blended_rows(gs: &[Glyph], used: &mut [bool], luma: &Plane, out: &mut Vec<TextLine>) {
    let left: Vec<bool> = used.iter().map(|u| !u).collect();
    let (nbrs, mut links) = super::neighbour_links(gs, luma, |g, h| {
        g.light == h.light && geometry_linked(g, h) && (ink_linked(g, h) || blend_linked(g, h))
    });
    links.retain(|&(_, a, b)| left[a] && left[b]);
    links.sort_by(|a, b| a.0.total_cmp(&b.0));
    for &(_, a, b) in &links {
        if used[a] || used[b] {
            continue;
        }
        let chain = grow(gs, &nbrs, used, a, b);
        if chain.len() < 4 || single_strokes(gs, &chain) {
            continue;
        }
        let Some(slope) = blend_fit(gs, &chain) else {
            continue;
        };
        if let Some(mut line) = judge_row(gs, &chain, luma, true) {
            line.blend_slope = BLEND_SLOPE.contains(&slope).then_some(slope);
            for &i in &chain {
                used[i] = true;
            }
            out.push(line);
        }
    }
}

/// The blend slope (1 − opacity) when one translucent ink explains every glyph of the row:
/// ink regressed on the surface beside the glyphs fits tightly (correlation ≥ 0.9, residual
/// ≤ 8 levels: JPEG, and glyphs that straddle two surfaces), the surface varies (σ ≥ 8
/// levels: on one surface the ink test of the line finder decides), and the slope is a
/// blend's ([`ROW_SLOPE`]). The colour the fit implies is not tested: on texture the slope
/// reads too steep (see `ROW_SLOPE`) for its intercept to mean anything.
fn blend_fit(gs: &[Glyph], row: &[usize]) -> Option<f32> {
    let n = row.len() as f32;
    let mu = row.iter().map(|&i| gs[i].under).sum::<f32>() / n;
    let mi = row.iter().map(|&i| gs[i].ink_luma).sum::<f32>() / n;
    let (mut suu, mut sii, mut sui) = (0.0f32, 0.0f32, 0.0f32);
    for &i in row {
        let (u, v) = (gs[i].under - mu, gs[i].ink_luma - mi);
        suu += u * u;
        sii += v * v;
        sui += u * v;
    }
    let (sd_u, sd_i) = ((suu / n).sqrt(), (sii / n).sqrt());
    if sd_u < 8.0 {
        return None;
    }
    let slope = sui / suu;
    let corr = sui / (suu.sqrt() * sii.sqrt()).max(1e-3);
    let residual = (sd_i * sd_i - slope * slope * sd_u * sd_u).max(0.0).sqrt();
    (corr >= 0.9 && residual <= 8.0 && ROW_SLOPE.contains(&slope)).then_some(slope)
}
