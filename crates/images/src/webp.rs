//! WebP: no decoder here can scale or stream, so the whole first frame is decoded (an
//! animation's later frames never are) and a WebP must fit the budget at full size:
//! the RGBA frame, the decoder's own planes and the shrunk copy.

use std::io::Cursor;

use image::codecs::webp::WebPDecoder;
use image::{DynamicImage, ImageDecoder};

use super::shrink::{Shrink, fit_within, shrink_buffer};
use super::{Decoded, ImageError, ImageLimits, check_budget, check_dimensions, decoder_limits};

/// Bytes a pixel costs at its peak: the frame (3 or 4) plus what the decoder keeps
/// beside it (a lossless image without alpha is decoded as RGBA then copied out; an
/// animation's first frame is composited onto a canvas).
const BYTES_PER_PIXEL: u64 = 8;

pub fn decode(bytes: &[u8], limits: &ImageLimits) -> Result<Decoded, ImageError> {
    let mut decoder = WebPDecoder::new(Cursor::new(bytes)).map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, limits)?;
    let channels = if decoder.color_type().has_alpha() { 4 } else { 3 };
    let dst = fit_within(width, height, limits.max_side);
    let cost = u64::from(width) * u64::from(height) * BYTES_PER_PIXEL + Shrink::output_bytes(dst, channels);
    check_budget(cost, width, height, limits)?;
    decoder.set_limits(decoder_limits(limits)).map_err(|e| limit(e, width, height))?;
    let orientation = decoder.orientation().map_err(corrupt)?;
    // For an animation, `read_image` is its first frame.
    let full = DynamicImage::from_decoder(decoder).map_err(|e| limit(e, width, height))?;
    let image = match full {
        DynamicImage::ImageRgb8(rgb) => shrink_buffer(rgb.as_raw(), (width, height), dst, 3)?,
        DynamicImage::ImageRgba8(rgba) => shrink_buffer(rgba.as_raw(), (width, height), dst, 4)?,
        other => {
            let rgba = other.to_rgba8();
            shrink_buffer(rgba.as_raw(), (width, height), dst, 4)?
        }
    };
    Ok(Decoded { image, orientation })
}

fn corrupt(e: image::ImageError) -> ImageError {
    ImageError::Corrupt(format!("webp: {e}"))
}

fn limit(e: image::ImageError, width: u32, height: u32) -> ImageError {
    match e {
        image::ImageError::Limits(_) => ImageError::TooManyPixels { width, height },
        other => corrupt(other),
    }
}
