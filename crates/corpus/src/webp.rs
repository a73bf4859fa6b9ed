//! WebPs: lossless stills, an animation (RIFF assembled by hand: the encoders here
//! write stills only) and an extended header that declares a huge canvas.

use image::codecs::webp::WebPEncoder;
use image::{ImageEncoder, RgbaImage};

use crate::Result;

/// A lossless RGBA WebP.
pub fn webp(w: u32, h: u32) -> Result<Vec<u8>> {
    let img =
        RgbaImage::from_fn(w, h, |x, y| image::Rgba([(x / 4 % 256) as u8, (y / 4 % 256) as u8, 90, 255]));
    encode(&img)
}

fn encode(img: &RgbaImage) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out).write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        image::ExtendedColorType::Rgba8,
    )?;
    Ok(out)
}

/// The VP8L chunk (header included) of a lossless WebP file.
fn vp8l_chunk(file: &[u8]) -> Result<Vec<u8>> {
    let at = file.windows(4).position(|w| w == b"VP8L").ok_or("no VP8L chunk")?;
    Ok(file[at..].to_vec())
}

fn u24(v: u32) -> [u8; 3] {
    let b = v.to_le_bytes();
    [b[0], b[1], b[2]]
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = kind.to_vec();
    c.extend_from_slice(&(data.len() as u32).to_le_bytes());
    c.extend_from_slice(data);
    if data.len() % 2 == 1 {
        c.push(0);
    }
    c
}

fn riff(body: &[u8]) -> Vec<u8> {
    let mut f = b"RIFF".to_vec();
    f.extend_from_slice(&(body.len() as u32 + 4).to_le_bytes());
    f.extend_from_slice(b"WEBP");
    f.extend_from_slice(body);
    f
}

fn vp8x(flags: u8, w: u32, h: u32) -> Vec<u8> {
    let mut d = vec![flags, 0, 0, 0];
    d.extend_from_slice(&u24(w - 1));
    d.extend_from_slice(&u24(h - 1));
    chunk(b"VP8X", &d)
}

/// An animated WebP: a full first frame, then `frames - 1` small ones at even
/// offsets, each a lossless bitstream of its own.
pub fn animated_webp(w: u32, h: u32, frames: u32) -> Result<Vec<u8>> {
    let mut body = vp8x(0x12, w, h); // animation + alpha
    body.extend(chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]));
    let first = RgbaImage::from_pixel(w, h, image::Rgba([30, 120, 220, 255]));
    let mut sizes = vec![(0, 0, first)];
    let side = 100.min(w).min(h);
    for i in 1..frames.max(1) {
        let x = (i * 74) % (w - side + 1) / 2 * 2;
        let y = (i * 38) % (h - side + 1) / 2 * 2;
        sizes.push((x, y, RgbaImage::from_pixel(side, side, image::Rgba([(i * 8) as u8, 200, 40, 255]))));
    }
    for (x, y, img) in sizes {
        let mut d = Vec::new();
        d.extend_from_slice(&u24(x / 2));
        d.extend_from_slice(&u24(y / 2));
        d.extend_from_slice(&u24(img.width() - 1));
        d.extend_from_slice(&u24(img.height() - 1));
        d.extend_from_slice(&u24(80));
        d.push(0);
        d.extend(vp8l_chunk(&encode(&img)?)?);
        body.extend(chunk(b"ANMF", &d));
    }
    Ok(riff(&body))
}

/// An extended WebP whose canvas is `w x h`, holding a 1x1 image.
pub fn webp_declaring(w: u32, h: u32) -> Vec<u8> {
    let one = RgbaImage::from_pixel(1, 1, image::Rgba([0, 0, 0, 255]));
    let mut body = vp8x(0x10, w, h);
    if let Ok(chunk) = encode(&one).and_then(|f| vp8l_chunk(&f)) {
        body.extend(chunk);
    }
    riff(&body)
}
