//! PNGs: 16-bit giants, zero-filled bombs, a zTXt bomb, APNG, and headers that lie.

use std::io::Write;

use png::{BitDepth, ColorType, Compression, Encoder};

use crate::{Result, Rng, photo_pixel};

fn encoder(
    out: &mut Vec<u8>,
    w: u32,
    h: u32,
    color: ColorType,
    depth: BitDepth,
) -> Encoder<'_, &mut Vec<u8>> {
    let mut enc = Encoder::new(out, w, h);
    enc.set_color(color);
    enc.set_depth(depth);
    enc.set_compression(Compression::Fast);
    enc
}

/// An 8-bit RGB photo-like PNG.
pub fn png8(w: u32, h: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut rng = Rng::new(7);
    let mut writer = encoder(&mut out, w, h, ColorType::Rgb, BitDepth::Eight).write_header()?;
    let data: Vec<u8> = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .flat_map(|(x, y)| photo_pixel(x, y, w, h, &mut rng))
        .collect();
    writer.write_image_data(&data)?;
    writer.finish()?;
    Ok(out)
}

/// A 16-bit RGB or RGBA PNG, written row by row (a 6000x6000 one is 216-288 MB of
/// samples but a few MB of file: smooth 16-bit gradients).
pub fn png16(w: u32, h: u32, alpha: bool) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let color = if alpha { ColorType::Rgba } else { ColorType::Rgb };
    let channels = if alpha { 4 } else { 3 };
    let mut writer = encoder(&mut out, w, h, color, BitDepth::Sixteen).write_header()?;
    {
        let mut stream = writer.stream_writer()?;
        let mut row = vec![0u8; w as usize * channels * 2];
        for y in 0..h {
            for x in 0..w {
                let r = (u64::from(x) * 65_535 / u64::from(w.max(1))) as u16;
                let g = (u64::from(y) * 65_535 / u64::from(h.max(1))) as u16;
                let b = 40_000u16;
                let a = 65_535u16 - (x % 256) as u16;
                let px = &mut row[x as usize * channels * 2..(x as usize + 1) * channels * 2];
                for (i, v) in [r, g, b, a].iter().take(channels).enumerate() {
                    px[i * 2..i * 2 + 2].copy_from_slice(&v.to_be_bytes());
                }
            }
            stream.write_all(&row)?;
        }
        stream.finish()?;
    }
    writer.finish()?;
    Ok(out)
}

/// A PNG whose pixels are all zero: tiny file, `w * h` pixels of real data (a
/// classic decompression bomb when the dimensions are allowed).
pub fn png_zeros(w: u32, h: u32, rgba16: bool) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let (color, depth, row_len) = if rgba16 {
        (ColorType::Rgba, BitDepth::Sixteen, w as usize * 8)
    } else {
        (ColorType::Grayscale, BitDepth::One, (w as usize).div_ceil(8))
    };
    let mut writer = encoder(&mut out, w, h, color, depth).write_header()?;
    {
        let mut stream = writer.stream_writer()?;
        let row = vec![0u8; row_len];
        for _ in 0..h {
            stream.write_all(&row)?;
        }
        stream.finish()?;
    }
    writer.finish()?;
    Ok(out)
}

/// An 8-bit greyscale PNG.
pub fn png_gray(w: u32, h: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut writer = encoder(&mut out, w, h, ColorType::Grayscale, BitDepth::Eight).write_header()?;
    {
        let mut stream = writer.stream_writer()?;
        let mut row = vec![0u8; w as usize];
        for y in 0..h {
            for (x, v) in row.iter_mut().enumerate() {
                *v = ((x as u32 / 8 + y / 8) & 0xFF) as u8;
            }
            stream.write_all(&row)?;
        }
        stream.finish()?;
    }
    writer.finish()?;
    Ok(out)
}

/// A small PNG with a zTXt chunk that inflates to `bytes` of text.
pub fn png_with_ztxt_bomb(bytes: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut writer = encoder(&mut out, 64, 64, ColorType::Rgb, BitDepth::Eight).write_header()?;
    let mut data = b"Comment\0\0".to_vec();
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b'A'; 1 << 20];
    for _ in 0..bytes.div_ceil(chunk.len()) {
        zlib.write_all(&chunk)?;
    }
    data.extend(zlib.finish()?);
    writer.write_chunk(png::chunk::ChunkType(*b"zTXt"), &data)?;
    writer.write_image_data(&vec![128u8; 64 * 64 * 3])?;
    writer.finish()?;
    Ok(out)
}

/// An animated PNG: a full first frame, then `frames - 1` small ones.
pub fn apng(w: u32, h: u32, frames: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut enc = encoder(&mut out, w, h, ColorType::Rgba, BitDepth::Eight);
    enc.set_animated(frames.max(1), 0)?;
    let mut writer = enc.write_header()?;
    let full: Vec<u8> = (0..w * h).flat_map(|i| [(i % 251) as u8, 90, 200, 255]).collect();
    writer.write_image_data(&full)?;
    for i in 1..frames.max(1) {
        let side = 64.min(w).min(h);
        writer.set_frame_dimension(side, side)?;
        writer.set_frame_position((i * 37) % (w - side + 1), (i * 53) % (h - side + 1))?;
        writer.write_image_data(&vec![(i * 5) as u8; (side * side * 4) as usize])?;
    }
    writer.finish()?;
    Ok(out)
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = Vec::with_capacity(data.len() + 12);
    c.extend_from_slice(&(data.len() as u32).to_be_bytes());
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut crc = crc32fast(kind);
    crc = crc32_update(crc, data);
    c.extend_from_slice(&(!crc).to_be_bytes());
    c
}

fn crc32fast(data: &[u8]) -> u32 {
    crc32_update(0xFFFF_FFFF, data)
}

fn crc32_update(mut crc: u32, data: &[u8]) -> u32 {
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    crc
}

/// A PNG whose header declares `w x h` RGBA pixels, followed by an almost empty
/// IDAT: a few hundred bytes that would cost `w * h * 4` bytes to decode.
pub fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    png.extend(chunk(b"IEND", &[]));
    png
}
