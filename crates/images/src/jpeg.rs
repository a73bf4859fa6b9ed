//! JPEG: the frame header is read by walking the markers, the decode cost is worked
//! out from it, and the pixels are decoded with a DCT scale (1/2, 1/4, 1/8) chosen so
//! the decode fits the budget and is no larger than the stored image needs.
//!
//! A baseline JPEG decoded at 1/2 scale never holds its full-size pixels. A
//! progressive one must hold every DCT coefficient of the full image until its last
//! scan (2 bytes a sample, whatever the scale), which is what its budget is made of.

use std::io::Cursor;

use image::DynamicImage;
use image::metadata::Orientation;
use jpeg_decoder::{Decoder, PixelFormat};

use super::shrink::{Shrink, fit_within, shrink_buffer};
use super::{Decoded, ImageError, ImageLimits, check_budget, check_dimensions};

/// What the frame header (SOFn) says, and whether the markers reach an EOI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JpegHeader {
    pub width: u32,
    pub height: u32,
    /// Sampling factors `(h, v)` of each component.
    pub components: Vec<(u8, u8)>,
    pub progressive: bool,
    /// Lossless, hierarchical or arithmetic-coded: nothing a camera or browser makes.
    pub exotic: bool,
    pub precision: u8,
    pub reaches_eoi: bool,
}

pub fn decode(bytes: &[u8], limits: &ImageLimits) -> Result<Decoded, ImageError> {
    let header = read_header(bytes).ok_or_else(|| ImageError::Corrupt("no JPEG frame header".into()))?;
    let (width, height) = (header.width, header.height);
    check_dimensions(width, height, limits)?;
    if header.exotic || header.precision != 8 || !matches!(header.components.len(), 1 | 3 | 4) {
        return Err(ImageError::UnsupportedType);
    }
    // zune-jpeg and jpeg-decoder both pad a truncated scan with grey: make sure the
    // JPEG actually reaches its end-of-image marker.
    if !header.reaches_eoi {
        return Err(ImageError::Corrupt("JPEG ends before its EOI marker".into()));
    }
    let target = fit_within(width, height, limits.max_side);
    let scale = choose_scale(&header, target, limits)?;
    let channels = if header.components.len() == 1 { 1 } else { 3 };

    let mut decoder = Decoder::new(Cursor::new(bytes));
    let max_buffer = usize::try_from(limits.max_alloc).unwrap_or(usize::MAX);
    decoder.set_max_decoding_buffer_size(max_buffer);
    let (sw, sh) = (scaled(width, scale), scaled(height, scale));
    let req = |v: u32| u16::try_from(v).map_err(|_| ImageError::TooManyPixels { width, height });
    let got = decoder.scale(req(sw)?, req(sh)?).map_err(corrupt)?;
    if (u32::from(got.0), u32::from(got.1)) != (sw, sh) {
        return Err(ImageError::Corrupt(format!("scaled to {got:?}, expected {sw}x{sh}")));
    }
    let mut pixels = decoder.decode().map_err(corrupt)?;
    let info = decoder.info().ok_or_else(|| ImageError::Corrupt("no frame".into()))?;
    match info.pixel_format {
        PixelFormat::L8 | PixelFormat::RGB24 => {}
        PixelFormat::CMYK32 => cmyk_to_rgb_in_place(&mut pixels),
        PixelFormat::L16 => return Err(ImageError::UnsupportedType),
    }
    let orientation =
        decoder.exif_data().and_then(Orientation::from_exif_chunk).unwrap_or(Orientation::NoTransforms);
    let dst = fit_within(sw, sh, limits.max_side);
    let image = if dst == (sw, sh) {
        wrap(pixels, dst, channels)?
    } else {
        shrink_buffer(&pixels, (sw, sh), dst, channels)?
    };
    Ok(Decoded { image, orientation })
}

/// Output length of `len` at an IDCT size of `k`/8 (jpeg-decoder's rounding).
fn scaled(len: u32, k: u32) -> u32 {
    (len * k).div_ceil(8)
}

/// The IDCT size (8 = full, 4 = half, 2 = quarter, 1 = eighth) to decode at: the
/// smallest output that is still at least `target`, or smaller if that one would
/// not fit the budget. Refuses when even an eighth does not fit.
fn choose_scale(header: &JpegHeader, target: (u32, u32), limits: &ImageLimits) -> Result<u32, ImageError> {
    let (w, h) = (header.width, header.height);
    let enough =
        [1, 2, 4, 8].into_iter().find(|&k| scaled(w, k) >= target.0 && scaled(h, k) >= target.1).unwrap_or(8);
    let mut k = enough;
    loop {
        let cost = decode_cost(header, k, limits.max_side);
        if cost <= limits.max_alloc {
            return Ok(k);
        }
        if k == 1 {
            return check_budget(cost, w, h, limits).map(|()| k);
        }
        k /= 2;
    }
}

/// Bytes a decode at IDCT size `k` holds at its peak: the component planes and the
/// interleaved output (both at the scaled size), our shrunk copy when it differs,
/// and for a progressive JPEG every coefficient of the full image plus, while it
/// renders a component, a copy of that component's (jpeg-decoder queues them to
/// its IDCT thread faster than they are consumed).
pub fn decode_cost(header: &JpegHeader, k: u32, max_side: u32) -> u64 {
    let (w, h) = (u64::from(header.width), u64::from(header.height));
    let hmax = u64::from(header.components.iter().map(|c| c.0).max().unwrap_or(1).max(1));
    let vmax = u64::from(header.components.iter().map(|c| c.1).max().unwrap_or(1).max(1));
    let (mut coefficients, mut largest, mut planes) = (0u64, 0u64, 0u64);
    for &(hs, vs) in &header.components {
        // Blocks cover whole MCUs.
        let blocks = w.div_ceil(8 * hmax) * u64::from(hs) * h.div_ceil(8 * vmax) * u64::from(vs);
        coefficients += blocks * 64 * 2;
        largest = largest.max(blocks * 64 * 2);
        planes += blocks * u64::from(k) * u64::from(k);
    }
    let (sw, sh) = (scaled(header.width, k), scaled(header.height, k));
    let out_channels = header.components.len() as u64;
    let channels = if header.components.len() == 1 { 1 } else { 3 };
    let dst = fit_within(sw, sh, max_side);
    let shrunk = if dst == (sw, sh) { 0 } else { Shrink::output_bytes(dst, channels) };
    let progressive = if header.progressive { coefficients + largest } else { 0 };
    progressive + planes + u64::from(sw) * u64::from(sh) * out_channels + shrunk
}

/// The decoded buffer as an image, without a copy.
fn wrap(pixels: Vec<u8>, (w, h): (u32, u32), channels: usize) -> Result<DynamicImage, ImageError> {
    let bad = || ImageError::Corrupt("decoded buffer has the wrong size".into());
    Ok(if channels == 1 {
        DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, pixels).ok_or_else(bad)?)
    } else {
        DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, pixels).ok_or_else(bad)?)
    })
}

fn corrupt(e: jpeg_decoder::Error) -> ImageError {
    ImageError::Corrupt(format!("jpeg: {e}"))
}

/// jpeg-decoder un-inverts Adobe CMYK, so 0 is no ink; converts CMYK (4 bytes a
/// pixel) to RGB (3) in the same buffer.
fn cmyk_to_rgb_in_place(buf: &mut Vec<u8>) {
    let n = buf.len() / 4;
    for i in 0..n {
        let [c, m, y, k] = [buf[i * 4], buf[i * 4 + 1], buf[i * 4 + 2], buf[i * 4 + 3]];
        let ink = |v: u8| ((u16::from(255 - v) * u16::from(255 - k) + 127) / 255) as u8;
        buf[i * 3] = ink(c);
        buf[i * 3 + 1] = ink(m);
        buf[i * 3 + 2] = ink(y);
    }
    buf.truncate(n * 3);
}

/// Walks the JPEG marker structure: the frame header, and whether an EOI marker is
/// reached. Entropy-coded data never contains `FF` followed by anything but `00`,
/// `FF` or a restart marker, so an EOI found this way is real and not, say, the end
/// of an embedded EXIF thumbnail.
pub fn read_header(b: &[u8]) -> Option<JpegHeader> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut header: Option<JpegHeader> = None;
    let mut i = 2;
    loop {
        // Skip anything up to the next marker prefix, then any fill bytes.
        while i < b.len() && b[i] != 0xFF {
            i += 1;
        }
        while i < b.len() && b[i] == 0xFF {
            i += 1;
        }
        let Some(&marker) = b.get(i) else {
            return header;
        };
        i += 1;
        match marker {
            0xD9 => {
                if let Some(h) = header.as_mut() {
                    h.reaches_eoi = true;
                }
                return header;
            }
            // Standalone markers without a length field.
            0x00 | 0x01 | 0xD0..=0xD8 => continue,
            _ => {}
        }
        let (Some(&hi), Some(&lo)) = (b.get(i), b.get(i + 1)) else {
            return header;
        };
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        if len < 2 {
            return header;
        }
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) && header.is_none() {
            header = Some(parse_sof(marker, b.get(i + 2..i + len)?)?);
        }
        i += len;
        if i > b.len() {
            return header;
        }
        if marker == 0xDA {
            // Start of scan: skip entropy-coded data up to the next marker.
            loop {
                let (Some(&x), Some(&y)) = (b.get(i), b.get(i + 1)) else {
                    return header;
                };
                if x == 0xFF && !matches!(y, 0x00 | 0xFF | 0xD0..=0xD7) {
                    break;
                }
                i += if x == 0xFF && y != 0xFF { 2 } else { 1 };
            }
        }
    }
}

fn parse_sof(marker: u8, s: &[u8]) -> Option<JpegHeader> {
    let precision = *s.first()?;
    let height = u32::from(u16::from_be_bytes([*s.get(1)?, *s.get(2)?]));
    let width = u32::from(u16::from_be_bytes([*s.get(3)?, *s.get(4)?]));
    let n = usize::from(*s.get(5)?);
    let mut components = Vec::with_capacity(n);
    for c in 0..n {
        let sampling = *s.get(6 + c * 3 + 1)?;
        let (hs, vs) = (sampling >> 4, sampling & 0x0F);
        if !(1..=4).contains(&hs) || !(1..=4).contains(&vs) {
            return None;
        }
        components.push((hs, vs));
    }
    Some(JpegHeader {
        width,
        height,
        components,
        progressive: matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE),
        exotic: !matches!(marker, 0xC0..=0xC2),
        precision,
        reaches_eoi: false,
    })
}
