//! Where two images differ: connected areas of the local SSIM map below a threshold, found on
//! a grid of 8×8-pixel cells so the letters of one promo text merge into one region.

use serde::Serialize;

use super::ssim::{SsimMap, RADIUS};

/// Side of a grid cell, in pixels.
pub const CELL_PX: usize = 8;

/// One differing area, in image pixel coordinates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// Pixels inside the region whose local SSIM is below the threshold.
    pub area_px: u64,
    /// Lowest local SSIM in the region.
    pub min_ssim: f32,
    /// Mean local SSIM over the region's below-threshold pixels.
    pub mean_ssim: f32,
}

/// Find regions whose local SSIM is below `threshold`, ignoring regions smaller than
/// `min_area_px` pixels. Sorted by area, largest first (ties by position).
pub fn find(map: &SsimMap, threshold: f32, min_area_px: u64) -> Vec<Region> {
    let (vw, vh) = (map.valid_width, map.valid_height);
    let (gw, gh) = (vw.div_ceil(CELL_PX), vh.div_ceil(CELL_PX));
    // Per cell: count and sum of below-threshold pixels, and the minimum.
    let mut count = vec![0u32; gw * gh];
    let mut sum = vec![0f64; gw * gh];
    let mut min = vec![f32::INFINITY; gw * gh];
    for y in 0..vh {
        let row = &map.data[y * vw..(y + 1) * vw];
        for (x, &v) in row.iter().enumerate() {
            if v < threshold {
                let c = (y / CELL_PX) * gw + x / CELL_PX;
                count[c] += 1;
                sum[c] += v as f64;
                min[c] = min[c].min(v);
            }
        }
    }
    let mut label = vec![usize::MAX; gw * gh];
    let mut regions = Vec::new();
    let mut stack = Vec::new();
    for start in 0..gw * gh {
        if count[start] == 0 || label[start] != usize::MAX {
            continue;
        }
        let id = regions.len();
        label[start] = id;
        stack.push(start);
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        let (mut area, mut s, mut mn) = (0u64, 0f64, f32::INFINITY);
        while let Some(c) = stack.pop() {
            let (cx, cy) = (c % gw, c / gw);
            x0 = x0.min(cx);
            y0 = y0.min(cy);
            x1 = x1.max(cx);
            y1 = y1.max(cy);
            area += count[c] as u64;
            s += sum[c];
            mn = mn.min(min[c]);
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (cx as i64 + dx, cy as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= gw as i64 || ny >= gh as i64 {
                        continue;
                    }
                    let n = ny as usize * gw + nx as usize;
                    if count[n] > 0 && label[n] == usize::MAX {
                        label[n] = id;
                        stack.push(n);
                    }
                }
            }
        }
        let px0 = x0 * CELL_PX;
        let py0 = y0 * CELL_PX;
        let px1 = ((x1 + 1) * CELL_PX).min(vw);
        let py1 = ((y1 + 1) * CELL_PX).min(vh);
        regions.push(Region {
            x: (px0 + RADIUS) as u32,
            y: (py0 + RADIUS) as u32,
            width: (px1 - px0) as u32,
            height: (py1 - py0) as u32,
            area_px: area,
            min_ssim: mn,
            mean_ssim: (s / area as f64) as f32,
        });
    }
    regions.retain(|r| r.area_px >= min_area_px);
    regions.sort_by(|a, b| {
        b.area_px
            .cmp(&a.area_px)
            .then(a.y.cmp(&b.y))
            .then(a.x.cmp(&b.x))
    });
    regions
}
