//! Header-only facts about GIF and WebP files: frame counts and the animation flag, read
//! without decoding, so `max_frames` is enforced before any frame is allocated.

/// Count GIF image descriptors by walking blocks; stops counting at `cap + 1`.
/// Returns `None` when the block structure is broken (the decoder will then report it).
pub fn gif_frame_count(b: &[u8], cap: u64) -> Option<u64> {
    if b.len() < 13 {
        return None;
    }
    let flags = b[10];
    let mut pos = 13usize;
    if flags & 0x80 != 0 {
        pos += 3 * (1usize << ((flags & 7) + 1));
    }
    let mut frames = 0u64;
    let skip_sub_blocks = |mut p: usize| -> Option<usize> {
        loop {
            let n = *b.get(p)? as usize;
            p += 1;
            if n == 0 {
                return Some(p);
            }
            p += n;
        }
    };
    loop {
        match *b.get(pos)? {
            0x3B => return Some(frames),
            0x21 => pos = skip_sub_blocks(pos + 2)?,
            0x2C => {
                frames += 1;
                if frames > cap {
                    return Some(frames);
                }
                let lflags = *b.get(pos + 9)?;
                pos += 10;
                if lflags & 0x80 != 0 {
                    pos += 3 * (1usize << ((lflags & 7) + 1));
                }
                pos = skip_sub_blocks(pos + 1)?; // +1: LZW minimum code size
            }
            _ => return Some(frames),
        }
    }
}

/// WebP: (animated, frame count) from the VP8X flags and ANMF chunks.
pub fn webp_animation(b: &[u8]) -> (bool, u64) {
    let mut pos = 12usize;
    let mut animated = false;
    let mut frames = 0u64;
    while let Some(h) = b.get(pos..pos + 8) {
        let len = u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as usize;
        match &h[..4] {
            b"VP8X" => animated |= b.get(pos + 8).is_some_and(|f| f & 0x02 != 0),
            b"ANMF" => frames += 1,
            _ => {}
        }
        pos = pos.saturating_add(8).saturating_add(len + (len & 1));
    }
    (animated, frames.max(1))
}
