//! PNG: decoded row by row, 16-bit samples cut to 8 bits and palettes expanded by the
//! decoder as each row comes out, and every row folded straight into the shrunk
//! output. A 6000x6000 16-bit PNG (216 MB of pixels) is held as one 2560x2560 image
//! and a few rows. Interlaced (Adam7) PNGs deliver their rows out of order, so they
//! are decoded whole at 8 bits and must fit the budget that way.
//!
//! APNG: the default image (the first frame) only.

use std::io::Cursor;

use image::metadata::Orientation;
use png::{BitDepth, ColorType, Decoder, Transformations};

use super::shrink::{Shrink, fit_within, shrink_buffer};
use super::{Decoded, ImageError, ImageLimits, check_budget, check_dimensions};

pub fn decode(bytes: &[u8], limits: &ImageLimits) -> Result<Decoded, ImageError> {
    let png_limits = png::Limits { bytes: usize::try_from(limits.max_alloc).unwrap_or(usize::MAX) };
    let mut decoder = Decoder::new_with_limits(Cursor::new(bytes), png_limits);
    decoder.set_transformations(Transformations::normalize_to_color8());
    // Text and colour-profile chunks are dropped on re-encoding anyway.
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    let header = decoder.read_header_info().map_err(corrupt)?;
    let (width, height, interlaced) = (header.width, header.height, header.interlaced);
    check_dimensions(width, height, limits)?;
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let channels = match reader.output_color_type() {
        (ColorType::Grayscale, BitDepth::Eight) => 1,
        (ColorType::GrayscaleAlpha, BitDepth::Eight) => 2,
        (ColorType::Rgb, BitDepth::Eight) => 3,
        (ColorType::Rgba, BitDepth::Eight) => 4,
        other => return Err(ImageError::Corrupt(format!("unexpected PNG output {other:?}"))),
    };
    let dst = fit_within(width, height, limits.max_side);
    let row_bytes = u64::from(width) * 8 * 3; // raw rows at up to 8 bytes a pixel
    let full = u64::from(width) * u64::from(height) * channels as u64;
    let cost = Shrink::output_bytes(dst, channels) + row_bytes + if interlaced { full } else { 0 };
    check_budget(cost, width, height, limits)?;
    let orientation = reader
        .info()
        .exif_metadata
        .as_deref()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);

    let image = if interlaced {
        let size = reader.output_buffer_size().ok_or(ImageError::TooManyPixels { width, height })?;
        let mut buf = vec![0u8; size];
        let frame = reader.next_frame(&mut buf).map_err(corrupt)?;
        if (frame.width, frame.height) != (width, height) {
            return Err(ImageError::Corrupt("PNG frame size differs from its header".into()));
        }
        shrink_buffer(&buf, (width, height), dst, channels)?
    } else {
        let mut shrink = Shrink::new((width, height), dst, channels);
        for _ in 0..height {
            match reader.next_row().map_err(corrupt)? {
                Some(row) => shrink.push_row(row.data()),
                None => break,
            }
        }
        shrink.finish()?
    };
    // Up to IEND: a PNG cut after its last row (its checksum, its end) is damaged too.
    reader.finish().map_err(corrupt)?;
    Ok(Decoded { image, orientation })
}

fn corrupt(e: png::DecodingError) -> ImageError {
    ImageError::Corrupt(format!("png: {e}"))
}
