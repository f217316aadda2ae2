//! Builders for bad and unusual inputs (reliability.md rows 1–37), made in memory by encoding
//! with `image` and byte surgery. Nothing binary is committed for these.
#![allow(dead_code)]

use image::{Rgb, RgbImage};

pub fn sample(w: u32, h: u32) -> RgbImage {
    super::cases::product(w, h, 42)
}

pub fn jpeg(img: &RgbImage, q: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q)
        .encode_image(img)
        .expect("encode");
    out
}

pub fn png_of(img: &image::DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode");
    out
}

pub fn png(img: &RgbImage) -> Vec<u8> {
    png_of(&image::DynamicImage::ImageRgb8(img.clone()))
}

pub fn crc(kind: &[u8], data: &[u8]) -> u32 {
    let mut h = flate2::Crc::new();
    h.update(kind);
    h.update(data);
    h.sum()
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(data);
    v.extend_from_slice(&crc(kind, data).to_be_bytes());
    v
}

/// Insert a chunk right after IHDR (offset 8 + 25).
pub fn png_insert_after_ihdr(png: &[u8], chunk: &[u8]) -> Vec<u8> {
    let at = 8 + 25;
    let mut v = png[..at].to_vec();
    v.extend_from_slice(chunk);
    v.extend_from_slice(&png[at..]);
    v
}

/// Insert a JPEG segment right after SOI.
pub fn jpeg_insert_segment(jpeg: &[u8], marker: u8, body: &[u8]) -> Vec<u8> {
    let mut v = jpeg[..2].to_vec();
    v.extend_from_slice(&[0xFF, marker]);
    v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    v.extend_from_slice(body);
    v.extend_from_slice(&jpeg[2..]);
    v
}

/// Offset of the first SOFn marker (FF C0..CF except C4, C8, CC).
pub fn sof_offset(jpeg: &[u8]) -> usize {
    let mut p = 2;
    loop {
        let m = jpeg[p + 1];
        if (0xC0..=0xCF).contains(&m) && m != 0xC4 && m != 0xC8 && m != 0xCC {
            return p;
        }
        let len = u16::from_be_bytes([jpeg[p + 2], jpeg[p + 3]]) as usize;
        p += 2 + len;
    }
}

/// A big-endian TIFF block: IFD0 with the given ASCII/SHORT entries, optional IFD1 and GPS IFD.
/// Entries: (tag, value). Strings are written as ASCII with NUL.
pub fn tiff(ifd0: &[(u16, TiffVal)], ifd1: &[(u16, TiffVal)]) -> Vec<u8> {
    fn write_ifd(out: &mut Vec<u8>, entries: &[(u16, TiffVal)], next: u32) {
        let base = out.len();
        let data_start = base + 2 + entries.len() * 12 + 4;
        let mut data = Vec::new();
        out.extend_from_slice(&(entries.len() as u16).to_be_bytes());
        for (tag, val) in entries {
            out.extend_from_slice(&tag.to_be_bytes());
            match val {
                TiffVal::Short(s) => {
                    out.extend_from_slice(&[0, 3, 0, 0, 0, 1]);
                    out.extend_from_slice(&s.to_be_bytes());
                    out.extend_from_slice(&[0, 0]);
                }
                TiffVal::Ascii(t) => {
                    let mut b = t.as_bytes().to_vec();
                    b.push(0);
                    out.extend_from_slice(&[0, 2]);
                    out.extend_from_slice(&(b.len() as u32).to_be_bytes());
                    if b.len() <= 4 {
                        b.resize(4, 0);
                        out.extend_from_slice(&b);
                    } else {
                        out.extend_from_slice(&((data_start + data.len()) as u32).to_be_bytes());
                        data.extend_from_slice(&b);
                    }
                }
                TiffVal::Long(v) => {
                    out.extend_from_slice(&[0, 4, 0, 0, 0, 1]);
                    out.extend_from_slice(&v.to_be_bytes());
                }
            }
        }
        out.extend_from_slice(&next.to_be_bytes());
        out.extend_from_slice(&data);
    }
    let mut out = b"MM\0*\0\0\0\x08".to_vec();
    let mut probe = out.clone();
    write_ifd(&mut probe, ifd0, 0);
    let next = if ifd1.is_empty() {
        0
    } else {
        probe.len() as u32
    };
    write_ifd(&mut out, ifd0, next);
    if !ifd1.is_empty() {
        write_ifd(&mut out, ifd1, 0);
    }
    out
}

#[derive(Clone)]
pub enum TiffVal {
    Short(u16),
    Ascii(String),
    Long(u32),
}

/// TIFF whose IFD0 "next IFD" pointer points back at IFD0 (an IFD loop).
pub fn tiff_ifd_loop() -> Vec<u8> {
    let mut v = b"MM\0*\0\0\0\x08".to_vec();
    v.extend_from_slice(&[0, 1]);
    v.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 1, 0, 0]);
    v.extend_from_slice(&8u32.to_be_bytes()); // next IFD = itself
    v
}

pub fn rgb(w: u32, h: u32, c: [u8; 3]) -> RgbImage {
    RgbImage::from_pixel(w, h, Rgb(c))
}
