//! What was drawn on top of a photo: text, watermarks, banners, stickers, frames, QR codes,
//! barcodes and arrows. [`analyse`] runs every single-image detector and places each finding
//! relative to the product (on the background, across the product's outline, or on the
//! product), then decides whether it is an overlay or part of the product (printed text on a
//! box). The pair difference — what the main image added over the hidden image — is in
//! [`added`].
//!
//! Data flows one way: pixels → detector outputs (plain structs) → [`Detection`]s. Judging
//! them against the platform's rules happens in `compliance::clean`.

pub mod added;
pub mod blocks;
pub mod border;
pub mod codes;
pub mod product;
pub mod raster;
pub mod text;

use image::RgbImage;
use serde::Serialize;

use crate::compliance::background::{self, Background};
pub use product::{product_mask, ProductMask};
use raster::PxBox;

/// The kinds of overlay the platform forbids on the hidden image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Qr,
    Barcode,
    Frame,
    Banner,
    Sticker,
    Text,
    Watermark,
    Arrow,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Qr,
        Kind::Barcode,
        Kind::Frame,
        Kind::Banner,
        Kind::Sticker,
        Kind::Text,
        Kind::Watermark,
        Kind::Arrow,
    ];
    /// Stable name, as in rule ids (`hidden.clean.<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Qr => "qr",
            Kind::Barcode => "barcode",
            Kind::Frame => "frame",
            Kind::Banner => "banner",
            Kind::Sticker => "sticker",
            Kind::Text => "text",
            Kind::Watermark => "watermark",
            Kind::Arrow => "arrow",
        }
    }
    /// English words for messages.
    pub fn words(self) -> &'static str {
        match self {
            Kind::Qr => "a QR code",
            Kind::Barcode => "a barcode",
            Kind::Frame => "a frame around the picture",
            Kind::Banner => "a banner",
            Kind::Sticker => "a sticker, badge, price tag or logo",
            Kind::Text => "text",
            Kind::Watermark => "a watermark",
            Kind::Arrow => "an arrow or callout",
        }
    }
}

/// Where a finding lies relative to the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// On the plain background, clear of the product.
    Background,
    /// Partly on the product, partly on the background.
    AcrossProduct,
    /// Entirely on the product.
    OnProduct,
    /// No plain background, so no product outline (a scene photo).
    NoProductOutline,
}

/// What a finding is, once placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// Drawn on top of the photo.
    Overlay,
    /// Part of the product itself (print on a box, a label): not an overlay.
    ProductPrint,
}

/// Why a finding was judged as it was: a stable code a UI translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Finder patterns or the QR texture (busy both ways, square, near-binary, dark corners).
    QrPattern,
    /// Parallel bars that read the same along their length.
    BarPattern,
    /// A straight edge at the same depth along all four sides.
    StraightEdgesAllSides,
    /// A flat band along one side, ending in a straight line, carrying text.
    FlatBandWithText,
    /// A flat band along one side in a colour that is not the background's.
    FlatBandNotBackground,
    /// A flat circle, ellipse or rectangle with text or a symbol cut out of it.
    FlatShapeWithContent,
    /// A long stroke or ring of one flat colour off the product.
    FlatStrokeOffProduct,
    /// A row of glyphs on the background or across the product's outline.
    TextOffProduct,
    /// A row of glyphs on the product in one exact colour, level with the frame (not following
    /// the product's shading or perspective).
    FlatLevelTextOnProduct,
    /// A row of glyphs blended into what lies under it (semi-transparent).
    TranslucentText,
    /// A row of glyphs on the product that follows its shading or perspective: printed on it.
    PrintFollowsProduct,
}

/// One thing found on a picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    pub kind: Kind,
    #[serde(rename = "box")]
    pub bbox: PxBox,
    /// 0–1: how sure the detector is that this is what `kind` says.
    pub confidence: f32,
    pub placement: Placement,
    pub judgement: Judgement,
    pub evidence: Evidence,
    /// Side of the picture for frames and banners.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<border::Side>,
    /// Estimated opacity for translucent text (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opacity: Option<f32>,
}

/// Smallest thin stroke looked at as an arrow, half-resolution pixels: 20 px long and 1.5 px
/// wide there, a 40-px arrow drawn 3 px wide at full size (the shortest the acceptance
/// below takes).
const MIN_STROKE_AREA: u32 = 30;

/// Largest share of the picture a sticker (badge, tag, logo) covers.
const MAX_STICKER_SHARE: f32 = 0.25;

/// Why detectors could not run on a picture (reported in the finding, never a panic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotRun {
    /// Shorter side under 32 px: too small to hold a readable overlay.
    TooSmall,
}

/// Everything the detectors found on one picture.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Analysis {
    pub detections: Vec<Detection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_run: Option<NotRun>,
}

impl Analysis {
    pub fn overlays(&self) -> impl Iterator<Item = &Detection> {
        self.detections
            .iter()
            .filter(|d| d.judgement == Judgement::Overlay)
    }
}

/// Parameters of the placement decisions (detector internals are constants in each module).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub background_tolerance_rgb: u8,
    pub min_background_agreement: f64,
    pub foreground_delta_rgb: u8,
}

/// Run every detector on one picture.
pub fn analyse(img: &RgbImage, s: &Settings) -> Analysis {
    let bg = background::measure(img, s.background_tolerance_rgb, s.min_background_agreement);
    analyse_with(img, &raster::shrink_rgb(img, 2), bg.as_ref(), s)
}

/// [`analyse`] with the picture's 2× reduced copy and its background already measured (the
/// pair check shares both with the pair difference and the background rule).
pub fn analyse_with(
    img: &RgbImage,
    small: &RgbImage,
    bg: Option<&Background>,
    s: &Settings,
) -> Analysis {
    let (w, h) = img.dimensions();
    if w.min(h) < 32 {
        return Analysis {
            detections: vec![],
            not_run: Some(NotRun::TooSmall),
        };
    }
    let luma = raster::luma(img);
    let means = raster::local_means(&luma, text::WINDOW_R);
    let bg = bg.filter(|b| b.flat).cloned();

    // 1. Along the edges: frames and banners (decided with the text found inside them).
    // edges down to 0.4 of a side's length: dashed frames (bands still ask 0.7)
    let edges = border::edge_lines(img, 0.3, 0.4);
    let frame = border::frame(&edges, w, h);

    let glyphs = text::glyph_candidates(img, &luma, &means);
    let lines = text::lines(&glyphs, &luma);
    let mut out: Vec<Detection> = Vec::new();
    let mut edge_boxes = Vec::new();
    if let Some(f) = &frame {
        edge_boxes.extend(frame_boxes(f, w, h));
        out.push(Detection {
            kind: Kind::Frame,
            bbox: PxBox::from_bounds(0, 0, w as usize, h as usize),
            confidence: (0.5 + f.coverage / 2.0).min(0.99),
            placement: Placement::Background,
            judgement: Judgement::Overlay,
            evidence: Evidence::StraightEdgesAllSides,
            side: None,
            opacity: None,
        });
    }
    for band in border::bands(img, &edges) {
        if frame.is_some() {
            break;
        }
        let with_text = lines.iter().any(|l| l.bbox.inside(&band.bbox, 0.8));
        // On a plain background a banner is a band of another colour; on a scene photo only
        // a flat band carrying text is taken for one.
        let evidence = match &bg {
            Some(b) => {
                if (0..3).all(|c| (band.rgb[c] as f64 - b.rgb[c]).abs() <= 45.0) {
                    continue;
                }
                if with_text && band.flat_share >= 0.4 {
                    Evidence::FlatBandWithText
                } else if band.flat_share >= 0.6 {
                    Evidence::FlatBandNotBackground
                } else {
                    continue;
                }
            }
            None if with_text && band.flat_share >= 0.5 => Evidence::FlatBandWithText,
            None => continue,
        };
        edge_boxes.push(band.bbox);
        out.push(Detection {
            kind: Kind::Banner,
            bbox: band.bbox,
            confidence: (0.4 + band.coverage * 0.3 + band.flat_share * 0.3).min(0.99),
            placement: Placement::Background,
            judgement: Judgement::Overlay,
            evidence,
            side: Some(band.side),
            opacity: None,
        });
    }

    // 2. The product's outline, without what lies along the edges.
    // Glyphs of text that reads as drawn (one ink, or on a plain surface) are not product:
    // left out before the product's outline is traced, or large letters touching the product
    // would join it.
    // Share of each line's glyphs that stand on the background: the ring just outside the
    // glyph's box is background-coloured. Those glyphs are not product (big letters touching
    // the product would otherwise join its outline).
    let on_bg: Vec<f32> = lines
        .iter()
        .map(|l| match &bg {
            Some(b) => {
                let n = l
                    .glyphs
                    .iter()
                    .filter(|g| ring_on_background(img, g, b.rgb, s.background_tolerance_rgb))
                    .count();
                n as f32 / l.glyphs.len().max(1) as f32
            }
            None => 0.0,
        })
        .collect();
    let mut drawn = Vec::new();
    for (l, &share) in lines.iter().zip(&on_bg) {
        if share >= 0.5 {
            drawn.extend(l.glyphs.iter().copied());
        }
    }
    let product = bg
        .as_ref()
        .map(|b| product_mask(small, b, s.foreground_delta_rgb, &edge_boxes, &drawn));
    let place = |b: &PxBox| match &product {
        Some(p) => p.place(b),
        None => Placement::NoProductOutline,
    };
    // 3. Codes.
    for c in codes::find(&luma, &means) {
        if edge_boxes.iter().any(|e| c.bbox.inside(e, 0.8)) && c.kind == codes::CodeKind::Barcode {
            continue;
        }
        let placement = place(&c.bbox);
        let (kind, evidence) = match c.kind {
            codes::CodeKind::Qr => (Kind::Qr, Evidence::QrPattern),
            codes::CodeKind::Barcode => (Kind::Barcode, Evidence::BarPattern),
        };
        out.push(Detection {
            kind,
            bbox: c.bbox,
            confidence: c.confidence,
            placement,
            judgement: Judgement::Overlay,
            evidence,
            side: None,
            opacity: None,
        });
    }
    // 4. Flat graphics: stickers (with content), arrows and rings (off the product).
    let min_area = ((small.width() * small.height()) as f32 * 0.0008) as u32;
    let pm = product.as_ref().map(|p| p.mask.as_slice());
    let bg_rgb = bg.as_ref().map(|b| b.rgb);
    // Thin arrows (a few pixels wide) come from a pass of their own; one the flat pass found
    // already is skipped below as lying inside that detection.
    let nb = blocks::Neighbours::count(small);
    let strokes = blocks::find_strokes(&nb, bg_rgb, pm, MIN_STROKE_AREA);
    let flat = blocks::find_blocks(&nb, bg_rgb, pm, min_area.max(60));
    for b in flat.into_iter().chain(strokes) {
        if edge_boxes.iter().any(|e| b.bbox.inside(e, 0.7))
            || out
                .iter()
                .any(|d| b.bbox.inside(&d.bbox, 0.7) && d.kind != Kind::Frame)
        {
            continue;
        }
        // A shape that is a foreground piece of its own beside a larger product (a badge on
        // the background) is not on the product, though the mask holds it.
        let detached = product.as_ref().is_some_and(|p| p.detached(&b.bbox));
        let placement = if detached {
            Placement::Background
        } else {
            place(&b.bbox)
        };
        // On the product, a flat shape counts only with text that reads as drawn on it: one
        // ink, level with the frame, four glyphs or more (a price sticker); a label's own
        // pattern, a sole's stitching or a clock face are the product's.
        let on_product = b.on_product >= 0.9 && !detached;
        let has_text = lines.iter().any(|l| {
            l.bbox.inside(&b.bbox, 0.7)
                && (!on_product || (l.one_ink && l.angle_deg.abs() <= 1.5 && l.glyphs.len() >= 3))
        }) || blocks::lettered(&b, &glyphs);
        // On the product a flat shape with a pattern inside may be the product's own (a ball,
        // a clock face); only one carrying text is a sticker there.
        let content = (0.03..=0.75).contains(&b.content_share) && (!on_product || has_text);
        let off_product = product.is_some() && (b.on_product <= 0.3 || detached);
        // a sticker is a small part of the picture (badges are up to ~25 % of the short side)
        let area_share = b.bbox.area() as f32 / (w as f32 * h as f32);
        let small_enough = area_share <= 0.12;
        // A flat ellipse or rectangle over a quarter of the picture is the picture's own
        // subject or surface (a sky, a wall, a ladybird's back, a painted egg), not something
        // pasted on it: the largest pasted badge or tag of the verdict benchmark is 5 %.
        let sticker_sized = area_share <= MAX_STICKER_SHARE;
        let (kind, evidence, conf) = match b.shape {
            blocks::Shape::Ellipse | blocks::Shape::Rectangle
                if sticker_sized && (content || has_text) =>
            {
                (
                    Kind::Sticker,
                    Evidence::FlatShapeWithContent,
                    0.5 + 0.3 * b.fit + if has_text { 0.15 } else { 0.0 },
                )
            }
            // any flat shape off the product carrying text (a star-shaped discount badge)
            _ if small_enough && has_text && off_product => {
                (Kind::Sticker, Evidence::FlatShapeWithContent, 0.8)
            }
            blocks::Shape::Arrow
                if i32::from(b.chroma) >= blocks::VIVID
                    && b.bbox.width.max(b.bbox.height) >= 40 =>
            {
                (Kind::Arrow, Evidence::FlatStrokeOffProduct, 0.7)
            }
            blocks::Shape::Ring if off_product && b.chroma >= 60 => {
                (Kind::Arrow, Evidence::FlatStrokeOffProduct, 0.7)
            }
            _ => continue,
        };
        out.push(Detection {
            kind,
            bbox: b.bbox,
            confidence: conf.min(0.99),
            placement,
            judgement: Judgement::Overlay,
            evidence,
            side: None,
            opacity: None,
        });
    }
    // 5. Text lines not already part of a banner, sticker or code.
    for (l, &share_on_bg) in lines.iter().zip(&on_bg) {
        if out
            .iter()
            .any(|d| d.kind != Kind::Frame && l.bbox.inside(&d.bbox, 0.6))
        {
            continue;
        }
        let placement = place(&l.bbox);
        let opacity = l
            .blend_slope
            .filter(|s| text::BLEND_SLOPE.contains(s))
            .map(|s| 1.0 - s);
        // Share of the glyphs standing on the background rather than on the product. In a
        // short row (3–5 marks) a glyph drawn with foreground that joins the product's body
        // is a thin part of the product (legs, antlers, a string, a stem), not a letter beside
        // it; a row of six or more letter-like marks is writing even where it touches the
        // product (a watermark laid across a thin product).
        let short = l.glyphs.len() < 6;
        let off = match &product {
            Some(p) => {
                let outside = l
                    .glyphs
                    .iter()
                    .filter(|g| p.share(g) <= 0.5 && !(short && p.attached(g)))
                    .count() as f32
                    / l.glyphs.len() as f32;
                outside.min(share_on_bg)
            }
            None => 0.0,
        };
        let level = l.angle_deg.abs() <= 1.5;
        let n = l.glyphs.len();
        // A row whose ink follows the surfaces under it is a translucent overlay only where
        // it crosses the product's outline: print on a shaded product follows the shading the
        // same way (ink and paper darken together), but it stays inside the product.
        let crosses = off > 0.0 && off < 1.0;
        let translucent = opacity.is_some() && !l.blended || l.blended && crosses;
        let (judgement, evidence) = if translucent {
            (Judgement::Overlay, Evidence::TranslucentText)
        } else if product.is_some() && off >= 0.5 && (l.plain || l.one_ink) {
            // most glyphs stand on the background
            (Judgement::Overlay, Evidence::TextOffProduct)
        } else if product.is_some() && off > 0.0 && l.one_ink {
            // one ink across the product's outline: print stays inside the product
            (Judgement::Overlay, Evidence::TextOffProduct)
        } else if product.is_none() && l.plain && l.contrast >= 60.0 && n >= 4 {
            (Judgement::Overlay, Evidence::TextOffProduct)
        } else if l.one_ink && level && n >= 5 {
            (Judgement::Overlay, Evidence::FlatLevelTextOnProduct)
        } else if placement == Placement::OnProduct || placement == Placement::NoProductOutline {
            (Judgement::ProductPrint, Evidence::PrintFollowsProduct)
        } else {
            continue;
        };
        let kind = if translucent || (l.angle_deg.abs() >= 10.0 && l.contrast < 80.0) {
            Kind::Watermark
        } else {
            Kind::Text
        };
        out.push(Detection {
            kind,
            bbox: l.bbox,
            confidence: l.confidence,
            placement,
            judgement,
            evidence,
            side: None,
            opacity,
        });
    }
    out.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then(a.bbox.y.cmp(&b.bbox.y))
            .then(a.bbox.x.cmp(&b.bbox.x))
    });
    Analysis {
        detections: out,
        not_run: None,
    }
}

/// Is the 3-px ring around a glyph's box at least 70 % background colour?
fn ring_on_background(img: &RgbImage, g: &PxBox, bg: [f64; 3], tol: u8) -> bool {
    let (w, h) = img.dimensions();
    let (x0, y0) = (g.x.saturating_sub(3), g.y.saturating_sub(3));
    let (x1, y1) = ((g.x1() + 3).min(w), (g.y1() + 3).min(h));
    let (mut n, mut near) = (0u32, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            if x >= g.x && x < g.x1() && y >= g.y && y < g.y1() {
                continue;
            }
            let p = img.get_pixel(x, y).0;
            n += 1;
            near += (0..3).all(|c| (p[c] as f64 - bg[c]).abs() <= tol as f64 * 2.0) as u32;
        }
    }
    n > 0 && near * 10 >= n * 7
}

fn frame_boxes(f: &border::Frame, w: u32, h: u32) -> Vec<PxBox> {
    let [t, r, b, l] = f.thickness_px;
    vec![
        PxBox::from_bounds(0, 0, w as usize, t as usize),
        PxBox::from_bounds((w - r) as usize, 0, w as usize, h as usize),
        PxBox::from_bounds(0, (h - b) as usize, w as usize, h as usize),
        PxBox::from_bounds(0, 0, l as usize, h as usize),
    ]
}
