//! Payloads that are not images, and ways of damaging images.

use crate::Rng;

pub const SVG: &[u8] = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(document.domain)"><script>alert(1)</script></svg>"#;
pub const HTML: &[u8] = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>";
pub const PHP: &[u8] = b"<?php system($_GET['c']); ?>";

/// A small ZIP archive (one stored file), as appended to make image+zip polyglots.
pub fn zip() -> Vec<u8> {
    let name = b"payload.html";
    let data = HTML;
    let mut z = b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0".to_vec();
    z.extend_from_slice(&[0; 4]); // crc (unchecked by most readers of a polyglot)
    z.extend_from_slice(&(data.len() as u32).to_le_bytes());
    z.extend_from_slice(&(data.len() as u32).to_le_bytes());
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&[0, 0]);
    z.extend_from_slice(name);
    z.extend_from_slice(data);
    z.extend_from_slice(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    z
}

pub fn append(image: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut out = image.to_vec();
    out.extend_from_slice(tail);
    out
}

/// `image` with the byte at `at` flipped (inside the IHDR chunk of a PNG: a bad CRC).
pub fn flip_byte(image: &[u8], at: usize) -> Vec<u8> {
    let mut out = image.to_vec();
    if let Some(b) = out.get_mut(at) {
        *b ^= 0x55;
    }
    out
}

/// `image` followed by zeros up to `len` bytes.
pub fn padded(image: &[u8], len: usize) -> Vec<u8> {
    let mut out = image.to_vec();
    out.resize(len.max(image.len()), 0);
    out
}

/// `len` bytes of noise that start like a JPEG.
pub fn noise(len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0xDEAD_BEEF);
    let mut out: Vec<u8> = (0..len.div_ceil(4)).flat_map(|_| rng.next().to_le_bytes()).collect();
    out.truncate(len);
    if out.len() >= 3 {
        out[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    }
    out
}

/// A 24-bit BMP.
pub fn bmp(w: u32, h: u32) -> Vec<u8> {
    let row = (w * 3).div_ceil(4) * 4;
    let size = 54 + row * h;
    let mut b = b"BM".to_vec();
    b.extend_from_slice(&size.to_le_bytes());
    b.extend_from_slice(&[0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0]);
    b.extend_from_slice(&w.to_le_bytes());
    b.extend_from_slice(&h.to_le_bytes());
    b.extend_from_slice(&[1, 0, 24, 0]);
    b.extend_from_slice(&[0; 24]);
    b.resize(size as usize, 0x80);
    b
}

/// A GIF header and trailer, no frame.
pub fn gif_without_frames() -> Vec<u8> {
    let mut g = b"GIF89a\x10\x00\x10\x00\x80\x00\x00".to_vec();
    g.extend_from_slice(&[0, 0, 0, 255, 255, 255, 0x3B]);
    g
}
