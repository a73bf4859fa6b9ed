//! GIF: the first frame only, as palette indices (one byte a pixel), placed on the
//! logical screen and folded row by row into the shrunk output. The rest of an
//! animation is never decoded, so a thousand-frame GIF costs what its first frame
//! does. The result is a still image: it is stored as a PNG.

use std::io::Cursor;
use std::num::NonZeroU64;

use gif::{ColorOutput, DecodeOptions, MemoryLimit};
use image::metadata::Orientation;

use super::shrink::{Shrink, fit_within};
use super::{Decoded, ImageError, ImageLimits, check_budget, check_dimensions};

pub fn decode(bytes: &[u8], limits: &ImageLimits) -> Result<Decoded, ImageError> {
    let mut options = DecodeOptions::new();
    options.set_color_output(ColorOutput::Indexed);
    if let Some(max) = NonZeroU64::new(limits.max_alloc) {
        options.set_memory_limit(MemoryLimit::Bytes(max));
    }
    let mut decoder = options.read_info(Cursor::new(bytes)).map_err(corrupt)?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    check_dimensions(width, height, limits)?;
    let global = decoder.global_palette().map(<[u8]>::to_vec);
    let frame = decoder
        .next_frame_info()
        .map_err(corrupt)?
        .ok_or_else(|| ImageError::Corrupt("GIF has no frames".into()))?;
    let (fw, fh) = (u32::from(frame.width), u32::from(frame.height));
    let (left, top) = (u32::from(frame.left), u32::from(frame.top));
    check_dimensions(fw, fh, limits)?;
    let transparent = frame.transparent;
    let palette = frame.palette.clone().or(global).ok_or_else(|| ImageError::Corrupt("no palette".into()))?;
    // Opaque when the first frame covers the screen without a transparent index.
    let covers = left == 0 && top == 0 && fw >= width && fh >= height;
    let channels = if covers && transparent.is_none() { 3 } else { 4 };
    let dst = fit_within(width, height, limits.max_side);
    let cost = u64::from(fw) * u64::from(fh) + u64::from(width) * 4 + Shrink::output_bytes(dst, channels);
    check_budget(cost, width, height, limits)?;

    let mut indices = vec![0u8; decoder.buffer_size()];
    decoder.read_into_buffer(&mut indices).map_err(corrupt)?;

    let mut shrink = Shrink::new((width, height), dst, channels);
    let mut row = vec![0u8; width as usize * channels];
    for y in 0..height {
        row.fill(0);
        if y >= top && y - top < fh {
            let line = (y - top) as usize * fw as usize;
            let src = indices.get(line..line + fw as usize).unwrap_or(&[]);
            for (fx, &index) in src.iter().enumerate() {
                let x = left as usize + fx;
                if x >= width as usize {
                    break;
                }
                if Some(index) == transparent {
                    continue;
                }
                let p = usize::from(index) * 3;
                let Some(rgb) = palette.get(p..p + 3) else { continue };
                let out = &mut row[x * channels..x * channels + channels];
                out[..3].copy_from_slice(rgb);
                if channels == 4 {
                    out[3] = u8::MAX;
                }
            }
        }
        shrink.push_row(&row);
    }
    Ok(Decoded { image: shrink.finish()?, orientation: Orientation::NoTransforms })
}

fn corrupt(e: gif::DecodingError) -> ImageError {
    ImageError::Corrupt(format!("gif: {e}"))
}
