//! Re-encoding from pixels, which is what drops EXIF/GPS/XMP/ICC metadata, text
//! chunks and any bytes appended after the end of the image, and the thumbnail.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageResult};

use super::shrink::{fit_within, shrink_buffer};
use super::{ImageError, ImageKind, THUMB_MAX_SIDE};

/// JPEG quality used when re-encoding uploaded JPEGs.
const JPEG_QUALITY: u8 = 85;
/// JPEG quality used for thumbnails.
const THUMB_JPEG_QUALITY: u8 = 80;

/// Encodes an 8-bit image as `kind` (never GIF: a GIF's first frame is stored as PNG).
pub fn still(img: &DynamicImage, kind: ImageKind) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    let res = match kind {
        ImageKind::Jpeg => jpeg(img, JPEG_QUALITY, &mut out),
        ImageKind::Png | ImageKind::Gif => png(img, &mut out),
        // The encoder is lossless and takes 8-bit RGB or RGBA.
        ImageKind::Webp if img.color().has_alpha() => {
            img.to_rgba8().write_with_encoder(WebPEncoder::new_lossless(&mut out))
        }
        ImageKind::Webp => img.to_rgb8().write_with_encoder(WebPEncoder::new_lossless(&mut out)),
    };
    res.map_err(|e| ImageError::Corrupt(format!("encoding failed: {e}")))?;
    Ok(out)
}

/// Every decoder hands over L, LA, RGB or RGBA at 8 bits, all of which PNG takes as
/// they are. Fast (fdeflate) compression: a 2560x2560 PNG in tens of milliseconds.
fn png(img: &DynamicImage, out: &mut Vec<u8>) -> ImageResult<()> {
    img.write_with_encoder(PngEncoder::new_with_quality(out, CompressionType::Fast, FilterType::Adaptive))
}

fn jpeg(img: &DynamicImage, quality: u8, out: &mut Vec<u8>) -> ImageResult<()> {
    let enc = JpegEncoder::new_with_quality(out, quality);
    match img {
        DynamicImage::ImageLuma8(gray) => gray.write_with_encoder(enc),
        DynamicImage::ImageLumaA8(_) => img.to_luma8().write_with_encoder(enc),
        DynamicImage::ImageRgb8(rgb) => rgb.write_with_encoder(enc),
        _ => img.to_rgb8().write_with_encoder(enc),
    }
}

/// A thumbnail fitting within `THUMB_MAX_SIDE` square, never upscaled.
pub struct Thumbnail {
    pub bytes: Vec<u8>,
    /// JPEG for opaque images, PNG when any pixel is not fully opaque.
    pub kind: ImageKind,
    pub width: u32,
    pub height: u32,
}

pub fn thumbnail(img: &DynamicImage) -> Result<Thumbnail, ImageError> {
    let (w, h) = (img.width(), img.height());
    let (tw, th) = fit_within(w, h, THUMB_MAX_SIDE);
    let thumb = match img {
        DynamicImage::ImageLuma8(i) => shrink_buffer(i.as_raw(), (w, h), (tw, th), 1)?,
        DynamicImage::ImageLumaA8(i) => shrink_buffer(i.as_raw(), (w, h), (tw, th), 2)?,
        DynamicImage::ImageRgb8(i) => shrink_buffer(i.as_raw(), (w, h), (tw, th), 3)?,
        DynamicImage::ImageRgba8(i) => shrink_buffer(i.as_raw(), (w, h), (tw, th), 4)?,
        other => shrink_buffer(other.to_rgba8().as_raw(), (w, h), (tw, th), 4)?,
    };
    let transparent = thumb.color().has_alpha() && thumb.to_rgba8().pixels().any(|p| p.0[3] != u8::MAX);
    let mut bytes = Vec::new();
    let kind = if transparent {
        thumb.to_rgba8().write_with_encoder(PngEncoder::new(&mut bytes)).map(|()| ImageKind::Png)
    } else {
        jpeg(&thumb, THUMB_JPEG_QUALITY, &mut bytes).map(|()| ImageKind::Jpeg)
    };
    let kind = kind.map_err(|e| ImageError::Corrupt(format!("thumbnail encoding failed: {e}")))?;
    Ok(Thumbnail { bytes, kind, width: thumb.width(), height: thumb.height() })
}
