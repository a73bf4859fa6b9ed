//! JPEGs: big baseline and progressive photos, CMYK and YCCK, and frame headers of
//! kinds no camera writes (arithmetic, lossless) or with absurd dimensions.

use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use crate::{Result, Rng, photo_pixel};

fn rgb_photo(w: u32, h: u32) -> Vec<u8> {
    let mut rng = Rng::new(0x9E37_79B9);
    let mut data = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h {
        for x in 0..w {
            data.extend_from_slice(&photo_pixel(x, y, w, h, &mut rng));
        }
    }
    data
}

fn dims(w: u32, h: u32) -> Result<(u16, u16)> {
    Ok((u16::try_from(w)?, u16::try_from(h)?))
}

/// A baseline 4:2:0 photo-like JPEG.
pub fn jpeg(w: u32, h: u32, quality: u8) -> Result<Vec<u8>> {
    let (w16, h16) = dims(w, h)?;
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, quality);
    enc.set_sampling_factor(SamplingFactor::R_4_2_0);
    enc.encode(&rgb_photo(w, h), w16, h16, ColorType::Rgb)?;
    Ok(out)
}

/// A progressive JPEG, 4:2:0 or (`full_chroma`) 4:4:4, whose decoder must keep every
/// DCT coefficient of the image until its last scan.
pub fn progressive_jpeg(w: u32, h: u32, full_chroma: bool) -> Result<Vec<u8>> {
    let (w16, h16) = dims(w, h)?;
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, 80);
    enc.set_progressive(true);
    enc.set_sampling_factor(if full_chroma { SamplingFactor::R_4_4_4 } else { SamplingFactor::R_4_2_0 });
    enc.encode(&rgb_photo(w, h), w16, h16, ColorType::Rgb)?;
    Ok(out)
}

/// A CMYK JPEG (Adobe APP14), or YCCK with `ycck`.
pub fn cmyk_jpeg(w: u32, h: u32, ycck: bool) -> Result<Vec<u8>> {
    let (w16, h16) = dims(w, h)?;
    let mut data = Vec::with_capacity(w as usize * h as usize * 4);
    for y in 0..h {
        for x in 0..w {
            data.extend_from_slice(&[(x * 255 / w) as u8, (y * 255 / h) as u8, 60, ((x + y) % 64) as u8]);
        }
    }
    let mut out = Vec::new();
    let enc = Encoder::new(&mut out, 85);
    enc.encode(&data, w16, h16, if ycck { ColorType::CmykAsYcck } else { ColorType::Cmyk })?;
    Ok(out)
}

/// A JPEG with a COM segment holding `text` right after SOI.
pub fn with_comment(jpeg: &[u8], text: &[u8]) -> Result<Vec<u8>> {
    let len = u16::try_from(text.len() + 2)?;
    let mut out = jpeg.get(..2).unwrap_or_default().to_vec();
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(text);
    out.extend_from_slice(jpeg.get(2..).unwrap_or_default());
    Ok(out)
}

/// SOI, a frame header of `marker` (SOF0 C0, SOF2 C2, lossless C3, arithmetic C9)
/// for a 3-component `w x h` image, and EOI: no scan at all.
pub fn jpeg_sof_only(marker: u8, w: u16, h: u16) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, marker, 0x00, 17, 8];
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&w.to_be_bytes());
    b.push(3);
    for id in 1..=3u8 {
        b.extend_from_slice(&[id, if id == 1 { 0x22 } else { 0x11 }, u8::from(id != 1)]);
    }
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

/// A baseline frame header declaring `w x h` and nothing to decode.
pub fn jpeg_declaring(w: u16, h: u16) -> Vec<u8> {
    jpeg_sof_only(0xC0, w, h)
}
