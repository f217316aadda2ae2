//! What the verifier works on: one image's keypoints, descriptors and thumbnail, and their
//! compact catalogue encoding. Made by `super::local`, read by `super::verify`,
//! `super::region` and `super::match_simd`; a file of its own so those readers do not depend on
//! the extractor (and the extractor can re-export the verifier without a cycle).

/// Keypoints and descriptors of one image.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Features {
    /// Base-level size (long side 512).
    pub width: u32,
    pub height: u32,
    /// Keypoint positions in base-level pixel coordinates.
    pub points: Vec<[f32; 2]>,
    pub descriptors: Vec<[u64; 4]>,
    /// The base-level luma reduced by [`THUMB_STEP`] (box mean, rows of
    /// `thumb_width()`): what photometric verification compares once the features have
    /// found the transform. Empty when unknown.
    pub thumb: Vec<u8>,
}

/// Base-level pixels per thumbnail pixel (a 512-px side gives 64).
pub const THUMB_STEP: u32 = 8;

/// Sub-pixel step of stored keypoint positions.
pub(super) const POINT_STEP: f32 = 32.0;

impl Features {
    /// Bytes per stored feature: two u16 positions (1/32 px) and a 32-byte descriptor.
    pub const BYTES_PER_FEATURE: usize = 36;

    /// Thumbnail size for a base of `width × height`.
    pub fn thumb_size(width: u32, height: u32) -> (u32, u32) {
        (width.div_ceil(THUMB_STEP), height.div_ceil(THUMB_STEP))
    }

    /// Compact little-endian encoding for the catalogue: width, height (u16 each), the
    /// thumbnail (its size follows from width and height), then per feature x, y (u16,
    /// 1/32 px) and the descriptor. Exact: positions are quantised at extraction.
    pub fn encode(&self) -> Vec<u8> {
        let (tw, th) = Self::thumb_size(self.width, self.height);
        let mut out = Vec::with_capacity(
            4 + (tw * th) as usize + self.points.len() * Self::BYTES_PER_FEATURE,
        );
        out.extend((self.width as u16).to_le_bytes());
        out.extend((self.height as u16).to_le_bytes());
        let mut thumb = self.thumb.clone();
        thumb.resize((tw * th) as usize, 0);
        out.extend(thumb);
        for (p, d) in self.points.iter().zip(&self.descriptors) {
            out.extend(((p[0] * POINT_STEP) as u16).to_le_bytes());
            out.extend(((p[1] * POINT_STEP) as u16).to_le_bytes());
            for w in d {
                out.extend(w.to_le_bytes());
            }
        }
        out
    }

    /// Inverse of [`Features::encode`]; `None` for a malformed blob.
    pub fn decode(b: &[u8]) -> Option<Features> {
        if b.len() < 4 {
            return None;
        }
        let u16at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let (w, h) = (u16at(0) as u32, u16at(2) as u32);
        let (tw, th) = Self::thumb_size(w, h);
        let start = 4 + (tw * th) as usize;
        if b.len() < start || !(b.len() - start).is_multiple_of(Self::BYTES_PER_FEATURE) {
            return None;
        }
        let mut f = Features {
            width: w,
            height: h,
            points: vec![],
            descriptors: vec![],
            thumb: b[4..start].to_vec(),
        };
        for c in b[start..].chunks_exact(Self::BYTES_PER_FEATURE) {
            let u = |i: usize| u16::from_le_bytes([c[i], c[i + 1]]) as f32 / POINT_STEP;
            f.points.push([u(0), u(2)]);
            let mut d = [0u64; 4];
            for (k, w) in d.iter_mut().enumerate() {
                let mut x = [0u8; 8];
                x.copy_from_slice(&c[4 + 8 * k..12 + 8 * k]);
                *w = u64::from_le_bytes(x);
            }
            f.descriptors.push(d);
        }
        Some(f)
    }

    /// The features of the horizontally mirrored image (exact, no recomputation).
    pub fn mirrored(&self) -> Features {
        Features {
            width: self.width,
            height: self.height,
            points: self
                .points
                .iter()
                .map(|p| [self.width as f32 - 1.0 - p[0], p[1]])
                .collect(),
            descriptors: self
                .descriptors
                .iter()
                .map(|d| [d[2], d[3], d[0], d[1]])
                .collect(),
            thumb: {
                let tw = Self::thumb_size(self.width, self.height).0 as usize;
                if tw == 0 || !self.thumb.len().is_multiple_of(tw) {
                    self.thumb.clone()
                } else {
                    self.thumb
                        .chunks_exact(tw)
                        .flat_map(|r| r.iter().rev().copied())
                        .collect()
                }
            },
        }
    }
}
