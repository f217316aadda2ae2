//! What the main image added over the hidden image. The platform's own definition: the hidden
//! image is the main image's photo *without* text, logos, borders, price tags or arrows, so the
//! main may carry them. Everything here works on the pair difference at half resolution:
//! pixels where the two images differ clearly (more than JPEG noise), grouped into regions and
//! placed (along an edge, in a corner, over the product, on the background).

use image::RgbImage;
use serde::Serialize;

use super::raster::{self, PxBox};

/// A half-resolution pixel "changed" when some channel of the 2×2 means differs by more than
/// this: the foreground threshold, so that whatever makes the main's foreground larger than the
/// hidden's (a 30 %-opaque watermark on white is ~38 levels) is a change. JPEG q ≥ 55
/// re-encodes leave isolated speckles above it, removed by the 1-px opening and area filter.
const CHANGED: i32 = 24;

/// Where an added region sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// Along the whole of one edge (a banner or a bar).
    Top,
    Bottom,
    Left,
    Right,
    /// Along every edge (a frame).
    AllEdges,
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
    /// Over the product itself.
    OverProduct,
    /// On the background beside the product.
    Background,
}

impl Place {
    /// Along one or every edge of the picture (banners, bars, frames).
    pub fn is_edge(self) -> bool {
        matches!(
            self,
            Place::Top | Place::Bottom | Place::Left | Place::Right | Place::AllEdges
        )
    }
    /// What such an addition usually is, in English ("a banner", "a frame", "a badge or logo").
    pub fn thing(self) -> &'static str {
        match self {
            Place::Top | Place::Bottom | Place::Left | Place::Right => "a banner",
            Place::AllEdges => "a frame",
            Place::TopLeft | Place::TopRight | Place::BottomLeft | Place::BottomRight => {
                "a badge or logo"
            }
            Place::OverProduct => "a sticker or text",
            Place::Background => "text or a graphic",
        }
    }
    /// English words for messages ("a banner at the bottom").
    pub fn words(self) -> &'static str {
        match self {
            Place::Top => "along the top edge",
            Place::Bottom => "along the bottom edge",
            Place::Left => "along the left edge",
            Place::Right => "along the right edge",
            Place::AllEdges => "around the edges",
            Place::TopLeft => "in the top-left corner",
            Place::TopRight => "in the top-right corner",
            Place::BottomLeft => "in the bottom-left corner",
            Place::BottomRight => "in the bottom-right corner",
            Place::OverProduct => "over the product",
            Place::Background => "on the background",
        }
    }
}

/// One area the main image has and the hidden image does not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddedRegion {
    #[serde(rename = "box")]
    pub bbox: PxBox,
    /// Pixels that changed (full-resolution estimate).
    pub area_px: u64,
    pub place: Place,
    /// The region touches the hidden image's product (could be the product itself changed,
    /// rather than something laid over it).
    #[serde(skip)]
    pub touches_product: bool,
    /// Share of the hidden product's outline this region runs along: a moved or re-scaled
    /// product leaves a crescent or ring along much of the outline; an overlay touches it in
    /// one place.
    #[serde(skip)]
    pub outline_share: f32,
}

/// The pair difference.
pub struct Difference {
    /// Half-resolution size.
    pub w: usize,
    pub h: usize,
    /// Changed pixels (half resolution).
    pub changed: Vec<bool>,
    /// Changed pixels where the main is foreground and the hidden is background: added on the
    /// main over the hidden's background (half resolution).
    pub added_on_background: Vec<bool>,
    pub regions: Vec<AddedRegion>,
}

impl Difference {
    /// Was the full-resolution pixel (x, y) changed?
    pub fn changed_at(&self, x: u32, y: u32) -> bool {
        let (x, y) = ((x / 2) as usize, (y / 2) as usize);
        x < self.w && y < self.h && self.changed[y * self.w + x]
    }
}

fn fg(small: &RgbImage, bg: Option<[f64; 3]>, delta: u8) -> Vec<bool> {
    let d = delta as f64;
    match bg {
        Some(b) => small
            .as_raw()
            .chunks_exact(3)
            .map(|p| (0..3).any(|c| (p[c] as f64 - b[c]).abs() > d))
            .collect(),
        None => vec![true; (small.width() * small.height()) as usize],
    }
}

/// The difference of two same-size images (`small`: their 2× reduced copies, main first).
/// `bg_*` are their background colours when the
/// background is plain; `delta` is the foreground threshold (levels).
pub fn difference(
    main: &RgbImage,
    hidden: &RgbImage,
    small: (&RgbImage, &RgbImage),
    bg_main: Option<[f64; 3]>,
    bg_hidden: Option<[f64; 3]>,
    delta: u8,
) -> Option<Difference> {
    if main.dimensions() != hidden.dimensions() || main.width() < 8 || main.height() < 8 {
        return None;
    }
    let (sm, sh) = small;
    let (w, h) = (sm.width() as usize, sm.height() as usize);
    let changed: Vec<bool> = sm
        .as_raw()
        .chunks_exact(3)
        .zip(sh.as_raw().chunks_exact(3))
        .map(|(a, b)| (0..3).any(|c| (a[c] as i32 - b[c] as i32).abs() > CHANGED))
        .collect();
    // JPEG blocks and anti-aliased outlines leave 1–2 px slivers: open by one pixel.
    let opened = raster::morph(&raster::morph(&changed, w, h, 1, false), w, h, 1, true);
    let fg_main = fg(sm, bg_main, delta);
    let fg_hidden = fg(sh, bg_hidden, delta);
    let have_product = bg_hidden.is_some();
    let added_on_background: Vec<bool> = (0..w * h)
        .map(|i| changed[i] && fg_main[i] && !(have_product && fg_hidden[i]))
        .collect();
    // Regions: components of the change mask, closed by 3 px so the letters of one banner
    // make one region. Raw changes, not the opened mask: a thin frame is 2–3 half-res pixels.
    let closed = raster::morph(&raster::morph(&changed, w, h, 3, true), w, h, 3, false);
    let (labels, comps) = raster::components(&closed, w, h);
    let min_area = ((w * h) as f32 * 0.0005).max(4.0) as u32;
    let mut over = vec![0u32; comps.len()];
    let mut solid = vec![0u32; comps.len()];
    for (i, &l) in labels.iter().enumerate() {
        if l == 0 {
            continue;
        }
        let k = (l - 1) as usize;
        solid[k] += opened[i] as u32;
        if have_product && fg_hidden[i] && opened[i] {
            over[k] += 1;
        }
    }
    // The hidden product's outline, and which regions run along it (within 2 px).
    let mut outline_total = 0u32;
    let mut along = vec![0u32; comps.len()];
    if have_product {
        let mut seen: Vec<u32> = Vec::with_capacity(4);
        for y in 1..h - 1 {
            for x in 1..w - 1 {
                let i = y * w + x;
                if !fg_hidden[i]
                    || (fg_hidden[i - 1]
                        && fg_hidden[i + 1]
                        && fg_hidden[i - w]
                        && fg_hidden[i + w])
                {
                    continue;
                }
                outline_total += 1;
                seen.clear();
                for yy in y.saturating_sub(2)..(y + 3).min(h) {
                    for xx in x.saturating_sub(2)..(x + 3).min(w) {
                        let l = labels[yy * w + xx];
                        if l != 0 && !fg_hidden[yy * w + xx] && !seen.contains(&l) {
                            seen.push(l);
                            along[(l - 1) as usize] += 1;
                        }
                    }
                }
            }
        }
    }
    let mut regions: Vec<AddedRegion> = comps
        .iter()
        .enumerate()
        .filter(|(_, c)| c.area >= min_area)
        .filter_map(|(k, c)| {
            let b = c.bbox();
            let over_product = have_product && over[k] as f32 >= 0.5 * c.area as f32;
            let place = place(&b, w, h, over_product);
            // more than JPEG speckle: a tenth of it survives the 1-px opening (thin frames and
            // bars along the edges excepted)
            if solid[k] * 10 < c.area && !place.is_edge() {
                return None;
            }
            Some(AddedRegion {
                bbox: b.scaled(2, main.width(), main.height()),
                area_px: 4 * c.area as u64,
                place,
                touches_product: along[k] > 0,
                outline_share: along[k] as f32 / outline_total.max(1) as f32,
            })
        })
        .collect();
    regions.sort_by(|a, b| b.area_px.cmp(&a.area_px).then(a.bbox.y.cmp(&b.bbox.y)));
    Some(Difference {
        w,
        h,
        changed,
        added_on_background,
        regions,
    })
}

fn place(b: &PxBox, w: usize, h: usize, over_product: bool) -> Place {
    let (x0, y0, x1, y1) = (b.x as usize, b.y as usize, b.x1() as usize, b.y1() as usize);
    let m = (w.min(h) / 50).max(1);
    let (top, bottom, left, right) = (y0 <= m, y1 + m >= h, x0 <= m, x1 + m >= w);
    let wide = (x1 - x0) as f32 >= 0.6 * w as f32;
    let tall = (y1 - y0) as f32 >= 0.6 * h as f32;
    if top && bottom && left && right && wide && tall {
        return Place::AllEdges;
    }
    if wide && top && !bottom {
        return Place::Top;
    }
    if wide && bottom && !top {
        return Place::Bottom;
    }
    if tall && left && !right {
        return Place::Left;
    }
    if tall && right && !left {
        return Place::Right;
    }
    if over_product {
        return Place::OverProduct;
    }
    let (cx, cy) = (
        (x0 + x1) as f32 / 2.0 / w as f32,
        (y0 + y1) as f32 / 2.0 / h as f32,
    );
    match (cx < 0.3, cx > 0.7, cy < 0.3, cy > 0.7) {
        (true, _, true, _) => Place::TopLeft,
        (_, true, true, _) => Place::TopRight,
        (true, _, _, true) => Place::BottomLeft,
        (_, true, _, true) => Place::BottomRight,
        _ => Place::Background,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn a_bottom_banner_and_a_corner_badge() {
        let hidden = RgbImage::from_fn(200, 200, |x, y| {
            if (60..140).contains(&x) && (50..150).contains(&y) {
                Rgb([40, 90, 160])
            } else {
                Rgb([255, 255, 255])
            }
        });
        let mut main = hidden.clone();
        for (x, y, p) in main.enumerate_pixels_mut() {
            if y >= 180 || (x >= 170 && y < 30 && x < 196) {
                *p = Rgb([220, 20, 30]);
            }
        }
        let white = Some([255.0, 255.0, 255.0]);
        let small = (raster::shrink_rgb(&main, 2), raster::shrink_rgb(&hidden, 2));
        let d = difference(&main, &hidden, (&small.0, &small.1), white, white, 24).unwrap();
        let places: Vec<Place> = d.regions.iter().map(|r| r.place).collect();
        assert_eq!(
            places,
            vec![Place::Bottom, Place::TopRight],
            "{:?}",
            d.regions
        );
        assert_eq!(
            d.regions[0].bbox,
            PxBox {
                x: 0,
                y: 180,
                width: 200,
                height: 20
            }
        );
        assert!(!d.regions[0].touches_product);
    }
}
