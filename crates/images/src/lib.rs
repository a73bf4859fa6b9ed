//! Image upload hardening, within a memory budget.
//!
//! Every uploaded image goes through [`process`], which:
//!
//! 1. rejects empty and oversized uploads,
//! 2. decides the type from the magic bytes only ([`sniff`]), never from a
//!    declared MIME type or file name,
//! 3. reads the dimensions (and for JPEG the sampling, for PNG the interlacing)
//!    from the header, refuses images above the pixel cap, works out what the
//!    decode will hold in memory and refuses it when that exceeds
//!    [`ImageLimits::max_alloc`], all *before* any pixel buffer is allocated,
//! 4. decodes only what the stored image needs, never the full-size pixels of a
//!    large image: a JPEG at a DCT scale, a PNG row by row with 16-bit samples cut
//!    to 8 bits as they come, a GIF's (or animated WebP's) first frame only;
//!    everything lands directly in an image no larger than
//!    [`ImageLimits::max_side`] on its long side ([`shrink`]),
//! 5. re-encodes it from pixels, which drops EXIF/GPS/XMP/ICC metadata, text
//!    chunks and any bytes appended after the end of the image ([`encode`]),
//! 6. renders a thumbnail that fits within 320x320.
//!
//! The function never panics on any input. It does no I/O and spawns nothing: the
//! caller runs it where blocking work belongs (natter-app's `DecodeGate`, which caps
//! concurrent decodes and keeps each one's permit until its work ends).

mod encode;
mod gif;
mod jpeg;
mod kind;
mod png;
mod shrink;
mod webp;

#[cfg(test)]
mod tests;

use image::metadata::Orientation;
use image::{DynamicImage, Limits};

pub use kind::{ImageKind, sniff};

/// Longest side of a thumbnail, in pixels.
pub const THUMB_MAX_SIDE: u32 = 320;

/// Resource limits applied to every upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageLimits {
    /// Largest accepted upload, in bytes.
    pub max_bytes: usize,
    /// Largest accepted width, in pixels.
    pub max_width: u32,
    /// Largest accepted height, in pixels.
    pub max_height: u32,
    /// Largest accepted `width * height` (of the image, and of a GIF's first frame).
    pub max_pixels: u64,
    /// What one decode may hold at once, in bytes, as worked out from the header
    /// before decoding (pixel buffers, decoder planes, DCT coefficients). With two
    /// decodes at a time this bounds what decoding adds to the server's memory.
    pub max_alloc: u64,
    /// Longest side of the stored image: larger images are scaled down while they
    /// are decoded.
    pub max_side: u32,
}

impl Default for ImageLimits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_width: 16_384,
            max_height: 16_384,
            max_pixels: 40_000_000,
            max_alloc: 80 * 1024 * 1024,
            max_side: 2560,
        }
    }
}

/// A sanitised image, ready to be stored and served.
#[derive(Debug, Clone)]
pub struct ProcessedImage {
    /// Kind of `bytes`: the upload's sniffed kind, except that a GIF's first frame
    /// is stored as a PNG.
    pub kind: ImageKind,
    /// The re-encoded image, free of metadata and trailing data.
    pub bytes: Vec<u8>,
    /// Width of `bytes`, after scaling down and applying any EXIF orientation.
    pub width: u32,
    /// Height of `bytes`, after scaling down and applying any EXIF orientation.
    pub height: u32,
    /// Thumbnail fitting within 320x320 (never upscaled).
    pub thumb: Vec<u8>,
    /// JPEG for opaque images, PNG when the image has transparency.
    pub thumb_kind: ImageKind,
    pub thumb_width: u32,
    pub thumb_height: u32,
}

/// Why an upload was refused. The `Display` text is meant for end users; the
/// detail inside `Corrupt` is for logs (use `{:?}`).
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("the image is empty")]
    Empty,
    #[error("the image is larger than 10 MB")]
    TooLarge,
    #[error("only JPEG, PNG, WebP and GIF images are accepted")]
    UnsupportedType,
    /// Above the pixel cap, or a decode that would not fit the memory budget.
    #[error("the image is too large ({width}x{height} pixels); please upload a smaller image")]
    TooManyPixels { width: u32, height: u32 },
    #[error("the image appears to be damaged or incomplete")]
    Corrupt(String),
}

/// Pixels of one decode, already no larger than `max_side`, and the EXIF
/// orientation still to apply.
struct Decoded {
    image: DynamicImage,
    orientation: Orientation,
}

/// Validates, decodes, strips and re-encodes an uploaded image and renders
/// its thumbnail.
pub fn process(bytes: &[u8], limits: &ImageLimits) -> Result<ProcessedImage, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(ImageError::TooLarge);
    }
    let kind = sniff(bytes).ok_or(ImageError::UnsupportedType)?;
    let decoded = match kind {
        ImageKind::Jpeg => jpeg::decode(bytes, limits)?,
        ImageKind::Png => png::decode(bytes, limits)?,
        ImageKind::Gif => gif::decode(bytes, limits)?,
        ImageKind::Webp => webp::decode(bytes, limits)?,
    };
    let mut image = decoded.image;
    // Orientation comes from EXIF (JPEG, WebP, PNG eXIf); it is cheap to honour
    // and we are about to drop the EXIF block that carries it.
    image.apply_orientation(decoded.orientation);
    let stored_kind = if kind == ImageKind::Gif { ImageKind::Png } else { kind };
    let encoded = encode::still(&image, stored_kind)?;
    let thumb = encode::thumbnail(&image)?;
    Ok(ProcessedImage {
        kind: stored_kind,
        bytes: encoded,
        width: image.width(),
        height: image.height(),
        thumb: thumb.bytes,
        thumb_kind: thumb.kind,
        thumb_width: thumb.width,
        thumb_height: thumb.height,
    })
}

/// The pixel cap, on the dimensions from the header.
fn check_dimensions(width: u32, height: u32, limits: &ImageLimits) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt(format!("image has zero size ({width}x{height})")));
    }
    if width > limits.max_width
        || height > limits.max_height
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(ImageError::TooManyPixels { width, height });
    }
    Ok(())
}

/// The memory budget, on what a decode of a `width x height` image would hold.
fn check_budget(bytes: u64, width: u32, height: u32, limits: &ImageLimits) -> Result<(), ImageError> {
    if bytes > limits.max_alloc {
        tracing::info!(width, height, bytes, budget = limits.max_alloc, "refused a decode over budget");
        return Err(ImageError::TooManyPixels { width, height });
    }
    Ok(())
}

/// `image`'s own limits, for the decoders run through it (WebP): a second guard
/// behind `check_dimensions` and `check_budget`.
fn decoder_limits(limits: &ImageLimits) -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(limits.max_width);
    l.max_image_height = Some(limits.max_height);
    l.max_alloc = Some(limits.max_alloc);
    l
}
