//! Image upload hardening.
//!
//! Every uploaded image goes through [`process`], which:
//!
//! 1. rejects empty and oversized uploads,
//! 2. decides the type from the magic bytes only ([`sniff`]), never from a
//!    declared MIME type or file name,
//! 3. reads the dimensions from the header and refuses huge images *before*
//!    any pixel buffer is allocated,
//! 4. decodes the image fully (with `image::Limits` as a second guard),
//! 5. re-encodes it from pixels, which drops EXIF/GPS/XMP/ICC metadata, text
//!    chunks and any bytes appended after the end of the image,
//! 6. renders a thumbnail that fits within 320x320.
//!
//! The function never panics on any input and is meant to be called from
//! `tokio::task::spawn_blocking`, since decoding and encoding are CPU-bound.

use std::io::Cursor;

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::metadata::{LoopCount, Orientation};
use image::{AnimationDecoder, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbaImage};

/// Longest side of a thumbnail, in pixels.
pub const THUMB_MAX_SIDE: u32 = 320;
/// JPEG quality used when re-encoding uploaded JPEGs.
const JPEG_QUALITY: u8 = 85;
/// JPEG quality used for thumbnails.
const THUMB_JPEG_QUALITY: u8 = 80;
/// GIF encoder speed (1 = best quality/slowest, 30 = fastest). Only matters
/// for frames with more than 256 colours after compositing.
const GIF_ENCODER_SPEED: i32 = 10;

/// Resource limits applied to every upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageLimits {
    /// Largest accepted upload, in bytes.
    pub max_bytes: usize,
    /// Largest accepted width, in pixels.
    pub max_width: u32,
    /// Largest accepted height, in pixels.
    pub max_height: u32,
    /// Largest accepted `width * height`.
    pub max_pixels: u64,
    /// Upper bound on the memory the decoder may allocate, in bytes. For
    /// animated GIFs this is also the budget for all decoded frames together.
    pub max_alloc: u64,
    /// Animated GIFs are cut after this many frames.
    pub max_gif_frames: usize,
}

impl Default for ImageLimits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_width: 8192,
            max_height: 8192,
            max_pixels: 40_000_000,
            max_alloc: 512 * 1024 * 1024,
            max_gif_frames: 200,
        }
    }
}

/// The accepted image types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl ImageKind {
    /// The MIME type to serve this kind with.
    pub fn mime(&self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
            ImageKind::Webp => "image/webp",
            ImageKind::Gif => "image/gif",
        }
    }

    /// The file extension (without a dot) to store this kind under.
    pub fn extension(&self) -> &'static str {
        match self {
            ImageKind::Jpeg => "jpg",
            ImageKind::Png => "png",
            ImageKind::Webp => "webp",
            ImageKind::Gif => "gif",
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            ImageKind::Jpeg => ImageFormat::Jpeg,
            ImageKind::Png => ImageFormat::Png,
            ImageKind::Webp => ImageFormat::WebP,
            ImageKind::Gif => ImageFormat::Gif,
        }
    }
}

/// A sanitised image, ready to be stored and served.
#[derive(Debug, Clone)]
pub struct ProcessedImage {
    /// Kind of `bytes` (always the same as the upload's sniffed kind).
    pub kind: ImageKind,
    /// The re-encoded image, free of metadata and trailing data.
    pub bytes: Vec<u8>,
    /// Width of `bytes`, after applying any EXIF orientation.
    pub width: u32,
    /// Height of `bytes`, after applying any EXIF orientation.
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
    #[error("the image is too large ({width}x{height} pixels); please upload a smaller image")]
    TooManyPixels { width: u32, height: u32 },
    #[error("the image appears to be damaged or incomplete")]
    Corrupt(String),
}

/// Identifies the image type from its magic bytes alone.
pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageKind::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageKind::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageKind::Gif)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageKind::Webp)
    } else {
        None
    }
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

    // 1. Header only: no pixel buffer is allocated here.
    let (width, height) = probe_dimensions(bytes, kind, limits)?;
    check_dimensions(width, height, limits)?;

    // zune-jpeg (used by `image`) silently pads truncated scans with grey,
    // so make sure the JPEG actually reaches its end-of-image marker.
    if kind == ImageKind::Jpeg && !jpeg_reaches_eoi(bytes) {
        return Err(ImageError::Corrupt("JPEG ends before its EOI marker".into()));
    }

    // 2. Decode and re-encode from pixels.
    let too_big = || ImageError::TooManyPixels { width, height };
    let (encoded, first) = if kind == ImageKind::Gif {
        reencode_gif(bytes, limits, (width, height))?
    } else {
        let img = decode_still(bytes, kind, limits, (width, height))?;
        let encoded = encode_still(&img, kind).map_err(|e| map_err(e, too_big))?;
        (encoded, img)
    };

    // 3. Thumbnail.
    let (out_w, out_h) = (first.width(), first.height());
    let thumb = make_thumbnail(&first);
    let (thumb_bytes, thumb_kind) = encode_thumbnail(thumb.clone())?;

    Ok(ProcessedImage {
        kind,
        bytes: encoded,
        width: out_w,
        height: out_h,
        thumb: thumb_bytes,
        thumb_kind,
        thumb_width: thumb.width(),
        thumb_height: thumb.height(),
    })
}

/// Limits for the decoding reader: the second guard behind `check_dimensions`.
fn decoder_limits(limits: &ImageLimits) -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(limits.max_width);
    l.max_image_height = Some(limits.max_height);
    l.max_alloc = Some(limits.max_alloc);
    l
}

fn probe_dimensions(bytes: &[u8], kind: ImageKind, limits: &ImageLimits) -> Result<(u32, u32), ImageError> {
    // A fresh reader without width/height limits so that we learn the real
    // dimensions and can report them; the allocation limit still applies.
    let mut probe_limits = Limits::default();
    probe_limits.max_alloc = Some(limits.max_alloc);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(probe_limits);
    reader.into_dimensions().map_err(|e| map_err(e, || ImageError::Corrupt("image header too large".into())))
}

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

/// Maps an `image` error; limit errors become `too_big()`.
fn map_err(e: image::ImageError, too_big: impl FnOnce() -> ImageError) -> ImageError {
    match e {
        image::ImageError::Limits(_) => too_big(),
        other => ImageError::Corrupt(other.to_string()),
    }
}

fn decode_still(
    bytes: &[u8],
    kind: ImageKind,
    limits: &ImageLimits,
    (width, height): (u32, u32),
) -> Result<DynamicImage, ImageError> {
    let too_big = || ImageError::TooManyPixels { width, height };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(decoder_limits(limits));
    let mut decoder = reader.into_decoder().map_err(|e| map_err(e, too_big))?;
    if decoder.dimensions() != (width, height) {
        return Err(ImageError::Corrupt("dimensions changed between reads".into()));
    }
    // `into_decoder` does not reserve the output buffer against max_alloc
    // (only `ImageReader::decode` does), so check it here.
    if decoder.total_bytes() > limits.max_alloc {
        return Err(too_big());
    }
    // Orientation comes from EXIF (JPEG, WebP, PNG eXIf); it is cheap to
    // honour and we are about to drop the EXIF block that carries it.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| map_err(e, too_big))?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// Re-encodes a still image in its own format. Only pixels are written, so
/// no metadata survives.
fn encode_still(img: &DynamicImage, kind: ImageKind) -> image::ImageResult<Vec<u8>> {
    let mut out = Vec::new();
    match kind {
        ImageKind::Jpeg => encode_jpeg(img, JPEG_QUALITY, &mut out)?,
        ImageKind::Png => {
            // PNG supports every colour type the decoders produce (8/16 bit
            // L, LA, RGB, RGBA); only 32-bit float needs converting.
            let img = match img {
                DynamicImage::ImageRgb32F(_) => DynamicImage::ImageRgb16(img.to_rgb16()),
                DynamicImage::ImageRgba32F(_) => DynamicImage::ImageRgba16(img.to_rgba16()),
                other => other.clone(),
            };
            img.write_with_encoder(PngEncoder::new(&mut out))?;
        }
        ImageKind::Webp => {
            // The encoder is lossless and takes 8-bit RGB or RGBA.
            if img.color().has_alpha() {
                img.to_rgba8().write_with_encoder(WebPEncoder::new_lossless(&mut out))?;
            } else {
                img.to_rgb8().write_with_encoder(WebPEncoder::new_lossless(&mut out))?;
            }
        }
        ImageKind::Gif => {
            let mut enc = GifEncoder::new_with_speed(&mut out, GIF_ENCODER_SPEED);
            enc.encode_frame(image::Frame::new(img.to_rgba8()))?;
        }
    }
    Ok(out)
}

fn encode_jpeg(img: &DynamicImage, quality: u8, out: &mut Vec<u8>) -> image::ImageResult<()> {
    let enc = JpegEncoder::new_with_quality(out, quality);
    match img {
        DynamicImage::ImageLuma8(gray) => gray.write_with_encoder(enc),
        DynamicImage::ImageLumaA8(_) | DynamicImage::ImageLuma16(_) => img.to_luma8().write_with_encoder(enc),
        _ => img.to_rgb8().write_with_encoder(enc),
    }
}

/// Decodes up to `max_gif_frames` frames (and at most `max_alloc` bytes of
/// decoded frames in total) and re-encodes them as an animated GIF, frame by
/// frame so only one decoded frame is held at a time. Returns the new GIF
/// and its first frame.
fn reencode_gif(
    bytes: &[u8],
    limits: &ImageLimits,
    (width, height): (u32, u32),
) -> Result<(Vec<u8>, DynamicImage), ImageError> {
    let too_big = || ImageError::TooManyPixels { width, height };
    let mut decoder = GifDecoder::new(Cursor::new(bytes)).map_err(|e| map_err(e, too_big))?;
    decoder.set_limits(decoder_limits(limits)).map_err(|e| map_err(e, too_big))?;
    let repeat = match decoder.loop_count() {
        LoopCount::Infinite => Repeat::Infinite,
        LoopCount::Finite(n) => Repeat::Finite(u16::try_from(n.get()).unwrap_or(u16::MAX)),
    };
    let frame_bytes = u64::from(width) * u64::from(height) * 4;

    let mut out = Vec::new();
    let mut first: Option<RgbaImage> = None;
    {
        let mut enc = GifEncoder::new_with_speed(&mut out, GIF_ENCODER_SPEED);
        enc.set_repeat(repeat).map_err(|e| map_err(e, too_big))?;
        let mut decoded_bytes = 0u64;
        for frame in decoder.into_frames().take(limits.max_gif_frames.max(1)) {
            decoded_bytes = decoded_bytes.saturating_add(frame_bytes);
            if first.is_some() && decoded_bytes > limits.max_alloc {
                break;
            }
            let frame = frame.map_err(|e| map_err(e, too_big))?;
            if first.is_none() {
                first = Some(frame.buffer().clone());
            }
            enc.encode_frame(frame).map_err(|e| map_err(e, too_big))?;
        }
        // Dropping the encoder writes the GIF trailer.
    }
    let first = first.ok_or_else(|| ImageError::Corrupt("GIF has no frames".into()))?;
    Ok((out, DynamicImage::ImageRgba8(first)))
}

/// Scales to fit within `THUMB_MAX_SIDE` square, keeping the aspect ratio and
/// never upscaling.
fn thumb_dimensions(width: u32, height: u32) -> (u32, u32) {
    if width <= THUMB_MAX_SIDE && height <= THUMB_MAX_SIDE {
        return (width, height);
    }
    let (w, h) = (u64::from(width), u64::from(height));
    let max = u64::from(THUMB_MAX_SIDE);
    let (tw, th) = if w >= h { (max, (h * max + w / 2) / w) } else { ((w * max + h / 2) / h, max) };
    // Both values are <= 320, so the conversions cannot fail.
    (u32::try_from(tw.max(1)).unwrap_or(THUMB_MAX_SIDE), u32::try_from(th.max(1)).unwrap_or(THUMB_MAX_SIDE))
}

fn make_thumbnail(img: &DynamicImage) -> DynamicImage {
    let (tw, th) = thumb_dimensions(img.width(), img.height());
    if (tw, th) == (img.width(), img.height()) {
        return img.clone();
    }
    img.resize_exact(tw, th, FilterType::Triangle)
}

/// JPEG (q80) for opaque thumbnails, PNG when any pixel is not fully opaque.
fn encode_thumbnail(thumb: DynamicImage) -> Result<(Vec<u8>, ImageKind), ImageError> {
    let mut out = Vec::new();
    let transparent = thumb.color().has_alpha() && thumb.to_rgba8().pixels().any(|p| p.0[3] != u8::MAX);
    let kind = if transparent {
        thumb.to_rgba8().write_with_encoder(PngEncoder::new(&mut out)).map(|()| ImageKind::Png)
    } else {
        encode_jpeg(&thumb, THUMB_JPEG_QUALITY, &mut out).map(|()| ImageKind::Jpeg)
    };
    let kind = kind.map_err(|e| ImageError::Corrupt(format!("thumbnail encoding failed: {e}")))?;
    Ok((out, kind))
}

/// Walks the JPEG marker structure and reports whether an EOI marker is
/// reached. Entropy-coded data never contains `FF` followed by anything but
/// `00`, `FF` or a restart marker, so an EOI found this way is real and not,
/// say, the end of an embedded EXIF thumbnail.
fn jpeg_reaches_eoi(b: &[u8]) -> bool {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
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
            return false;
        };
        i += 1;
        match marker {
            0xD9 => return true,
            // Standalone markers without a length field.
            0x00 | 0x01 | 0xD0..=0xD8 => continue,
            _ => {}
        }
        let (Some(&hi), Some(&lo)) = (b.get(i), b.get(i + 1)) else {
            return false;
        };
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        if len < 2 {
            return false;
        }
        i += len;
        if i > b.len() {
            return false;
        }
        if marker == 0xDA {
            // Start of scan: skip entropy-coded data up to the next marker.
            loop {
                let (Some(&x), Some(&y)) = (b.get(i), b.get(i + 1)) else {
                    return false;
                };
                if x == 0xFF && !matches!(y, 0x00 | 0xFF | 0xD0..=0xD7) {
                    break;
                }
                i += if x == 0xFF && y != 0xFF { 2 } else { 1 };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Rgb, RgbImage, Rgba};
    use std::time::{Duration, Instant};

    // ---------- fixture generation ----------

    fn gradient_rgb(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            Rgb([(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, ((x + y) % 256) as u8])
        })
    }

    fn gradient_rgba(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| Rgba([(x % 256) as u8, (y % 256) as u8, 128, ((x + y) % 256) as u8]))
    }

    fn make_jpeg(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        gradient_rgb(w, h).write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90)).unwrap();
        out
    }

    fn make_png(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        gradient_rgb(w, h).write_with_encoder(PngEncoder::new(&mut out)).unwrap();
        out
    }

    fn make_png_rgba(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        gradient_rgba(w, h).write_with_encoder(PngEncoder::new(&mut out)).unwrap();
        out
    }

    fn make_webp(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        gradient_rgb(w, h).write_with_encoder(WebPEncoder::new_lossless(&mut out)).unwrap();
        out
    }

    fn make_gif(w: u32, h: u32, frames: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = GifEncoder::new(&mut out);
            enc.set_repeat(Repeat::Infinite).unwrap();
            for i in 0..frames {
                let buf = RgbaImage::from_fn(w, h, |x, y| {
                    let on = (x / 4 + y / 4 + i) % 2 == 0;
                    if on { Rgba([255, 0, 0, 255]) } else { Rgba([0, 0, 255, 255]) }
                });
                let delay = image::Delay::from_numer_denom_ms(100, 1);
                enc.encode_frame(image::Frame::from_parts(buf, 0, 0, delay)).unwrap();
            }
        }
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                let mask = (crc & 1).wrapping_neg();
                crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
            }
        }
        !crc
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = Vec::new();
        c.extend_from_slice(&(data.len() as u32).to_be_bytes());
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        c
    }

    /// Builds an EXIF APP1 segment (marker included) with an optional
    /// orientation tag and a GPS IFD holding latitude 51deg 30' 12.34" N.
    /// Returns the segment and the bytes of the GPS latitude rationals.
    fn exif_app1(orientation: Option<u16>) -> (Vec<u8>, Vec<u8>) {
        let mut ifd0: Vec<(u16, u16, u32, [u8; 4])> = Vec::new();
        if let Some(o) = orientation {
            let v = o.to_le_bytes();
            ifd0.push((0x0112, 3, 1, [v[0], v[1], 0, 0]));
        }
        let n0 = ifd0.len() as u32 + 1;
        let gps_ifd_offset = 8 + 2 + 12 * n0 + 4;
        ifd0.push((0x8825, 4, 1, gps_ifd_offset.to_le_bytes()));
        let gps_data_offset = gps_ifd_offset + 2 + 12 * 2 + 4;

        let mut rationals = Vec::new();
        for (num, den) in [(51u32, 1u32), (30, 1), (1234, 100)] {
            rationals.extend_from_slice(&num.to_le_bytes());
            rationals.extend_from_slice(&den.to_le_bytes());
        }

        let mut tiff = b"II*\0".to_vec();
        tiff.extend_from_slice(&8u32.to_le_bytes());
        let write_ifd = |tiff: &mut Vec<u8>, entries: &[(u16, u16, u32, [u8; 4])]| {
            tiff.extend_from_slice(&(entries.len() as u16).to_le_bytes());
            for (tag, ty, count, value) in entries {
                tiff.extend_from_slice(&tag.to_le_bytes());
                tiff.extend_from_slice(&ty.to_le_bytes());
                tiff.extend_from_slice(&count.to_le_bytes());
                tiff.extend_from_slice(value);
            }
            tiff.extend_from_slice(&0u32.to_le_bytes());
        };
        write_ifd(&mut tiff, &ifd0);
        assert_eq!(tiff.len() as u32, gps_ifd_offset);
        write_ifd(&mut tiff, &[(0x0001, 2, 2, *b"N\0\0\0"), (0x0002, 5, 3, gps_data_offset.to_le_bytes())]);
        assert_eq!(tiff.len() as u32, gps_data_offset);
        tiff.extend_from_slice(&rationals);

        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        let mut seg = vec![0xFF, 0xE1];
        seg.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        seg.extend_from_slice(&payload);
        (seg, rationals)
    }

    fn insert_after_soi(jpeg: &[u8], segment: &[u8]) -> Vec<u8> {
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(segment);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    /// Markers of all segments before the first SOS.
    fn jpeg_header_markers(b: &[u8]) -> Vec<u8> {
        let mut markers = Vec::new();
        let mut i = 2;
        while i + 4 <= b.len() && b[i] == 0xFF {
            let m = b[i + 1];
            markers.push(m);
            if m == 0xDA {
                break;
            }
            i += 2 + usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        }
        markers
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn limits() -> ImageLimits {
        ImageLimits::default()
    }

    fn check_thumb(p: &ProcessedImage) {
        assert!(p.thumb_width <= THUMB_MAX_SIDE && p.thumb_height <= THUMB_MAX_SIDE);
        assert!(p.thumb_width <= p.width && p.thumb_height <= p.height);
        assert_eq!(sniff(&p.thumb), Some(p.thumb_kind));
        let t = image::load_from_memory_with_format(&p.thumb, p.thumb_kind.format()).unwrap();
        assert_eq!((t.width(), t.height()), (p.thumb_width, p.thumb_height));
    }

    fn decode(p: &ProcessedImage) -> DynamicImage {
        assert_eq!(sniff(&p.bytes), Some(p.kind));
        let img = image::load_from_memory_with_format(&p.bytes, p.kind.format()).unwrap();
        assert_eq!((img.width(), img.height()), (p.width, p.height));
        img
    }

    // ---------- sniffing and refusals ----------

    #[test]
    fn sniff_uses_magic_bytes_only() {
        assert_eq!(sniff(&make_jpeg(8, 8)), Some(ImageKind::Jpeg));
        assert_eq!(sniff(&make_png(8, 8)), Some(ImageKind::Png));
        assert_eq!(sniff(&make_webp(8, 8)), Some(ImageKind::Webp));
        assert_eq!(sniff(&make_gif(8, 8, 1)), Some(ImageKind::Gif));
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(b"BM\0\0\0\0"), None);
        assert_eq!(sniff(b"image.png"), None);
    }

    #[test]
    fn kind_mime_and_extension() {
        assert_eq!(ImageKind::Jpeg.mime(), "image/jpeg");
        assert_eq!(ImageKind::Jpeg.extension(), "jpg");
        assert_eq!(ImageKind::Png.mime(), "image/png");
        assert_eq!(ImageKind::Png.extension(), "png");
        assert_eq!(ImageKind::Webp.mime(), "image/webp");
        assert_eq!(ImageKind::Webp.extension(), "webp");
        assert_eq!(ImageKind::Gif.mime(), "image/gif");
        assert_eq!(ImageKind::Gif.extension(), "gif");
    }

    #[test]
    fn zero_bytes_is_empty() {
        assert!(matches!(process(&[], &limits()), Err(ImageError::Empty)));
    }

    #[test]
    fn eleven_megabytes_is_too_large() {
        let mut big = make_png(16, 16);
        big.resize(11 * 1024 * 1024, 0);
        assert!(matches!(process(&big, &limits()), Err(ImageError::TooLarge)));
    }

    #[test]
    fn html_renamed_png_is_unsupported() {
        let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";
        assert!(matches!(process(html, &limits()), Err(ImageError::UnsupportedType)));
    }

    #[test]
    fn svg_is_unsupported() {
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>"#;
        assert!(matches!(process(svg, &limits()), Err(ImageError::UnsupportedType)));
        assert!(matches!(process(b"<svg/onload=alert(1)>", &limits()), Err(ImageError::UnsupportedType)));
    }

    #[test]
    fn text_and_other_formats_are_unsupported() {
        for bytes in [
            &b"hello world"[..],
            b"BM\x36\0\0\0\0\0\0\0\x36\0\0\0",
            b"II*\0\x08\0\0\0",
            b"%PDF-1.7\n",
            b"\x89PN",
        ] {
            assert!(matches!(process(bytes, &limits()), Err(ImageError::UnsupportedType)));
        }
    }

    #[test]
    fn png_declaring_60000x60000_is_refused_quickly() {
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&60000u32.to_be_bytes());
        ihdr.extend_from_slice(&60000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(png_chunk(b"IHDR", &ihdr));
        // A tiny, valid zlib stream (no real pixel data).
        png.extend(png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
        png.extend(png_chunk(b"IEND", &[]));

        let start = Instant::now();
        let res = process(&png, &limits());
        let elapsed = start.elapsed();
        assert!(matches!(res, Err(ImageError::TooManyPixels { width: 60000, height: 60000 })), "{res:?}");
        assert!(elapsed < Duration::from_millis(100), "took {elapsed:?}");
    }

    #[test]
    fn too_many_pixels_respects_each_limit() {
        let png = make_png(100, 50);
        let l = ImageLimits { max_width: 99, ..limits() };
        assert!(matches!(process(&png, &l), Err(ImageError::TooManyPixels { width: 100, height: 50 })));
        let l = ImageLimits { max_height: 49, ..limits() };
        assert!(matches!(process(&png, &l), Err(ImageError::TooManyPixels { .. })));
        let l = ImageLimits { max_pixels: 4999, ..limits() };
        assert!(matches!(process(&make_jpeg(100, 50), &l), Err(ImageError::TooManyPixels { .. })));
        let l = ImageLimits { max_pixels: 4999, ..limits() };
        assert!(matches!(process(&make_gif(100, 50, 2), &l), Err(ImageError::TooManyPixels { .. })));
        assert!(matches!(process(&make_webp(100, 50), &l), Err(ImageError::TooManyPixels { .. })));
    }

    #[test]
    fn gif_frame_larger_than_screen_is_refused_without_allocating() {
        let mut gif = b"GIF89a".to_vec();
        gif.extend_from_slice(&[10, 0, 10, 0, 0x80, 0, 0]); // 10x10, 2-colour GCT
        gif.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
        gif.push(0x2C); // image descriptor: 60000x60000 at (0, 0)
        gif.extend_from_slice(&[0, 0, 0, 0]);
        gif.extend_from_slice(&60000u16.to_le_bytes());
        gif.extend_from_slice(&60000u16.to_le_bytes());
        gif.push(0);
        gif.extend_from_slice(&[2, 2, 0x4C, 0x01, 0, 0x3B]);
        let start = Instant::now();
        let res = process(&gif, &limits());
        assert!(matches!(res, Err(ImageError::TooManyPixels { .. } | ImageError::Corrupt(_))), "{res:?}");
        assert!(start.elapsed() < Duration::from_millis(100));
    }

    #[test]
    fn truncated_png_is_corrupt() {
        let png = make_png(64, 64);
        for cut in [png.len() / 2, png.len() - 13, 40] {
            let res = process(&png[..cut], &limits());
            assert!(matches!(res, Err(ImageError::Corrupt(_))), "cut {cut}: {res:?}");
        }
    }

    #[test]
    fn truncated_jpeg_is_corrupt() {
        let jpeg = make_jpeg(64, 64);
        for cut in [jpeg.len() / 2, jpeg.len() - 2, 30] {
            let res = process(&jpeg[..cut], &limits());
            assert!(matches!(res, Err(ImageError::Corrupt(_))), "cut {cut}: {res:?}");
        }
    }

    #[test]
    fn truncated_webp_and_gif_are_corrupt() {
        let webp = make_webp(64, 64);
        let res = process(&webp[..webp.len() / 2], &limits());
        assert!(matches!(res, Err(ImageError::Corrupt(_))), "{res:?}");
        let gif = make_gif(64, 64, 1);
        let res = process(&gif[..gif.len() / 2], &limits());
        assert!(matches!(res, Err(ImageError::Corrupt(_))), "{res:?}");
    }

    #[test]
    fn garbage_after_magic_is_corrupt_not_panic() {
        for magic in [&b"\xFF\xD8\xFF"[..], b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\x10\0\0\0WEBP"] {
            for tail in [&b""[..], &[0u8; 64], &[0xFFu8; 64], b"VP8 \x04\0\0\0abcd"] {
                let mut bytes = magic.to_vec();
                bytes.extend_from_slice(tail);
                let res = process(&bytes, &limits());
                // Garbage may happen to spell out huge header dimensions.
                assert!(
                    matches!(res, Err(ImageError::Corrupt(_) | ImageError::TooManyPixels { .. })),
                    "{magic:?}+{}: {res:?}",
                    tail.len()
                );
            }
        }
    }

    #[test]
    fn bit_flipped_inputs_never_panic() {
        let samples = [make_jpeg(40, 30), make_png_rgba(40, 30), make_webp(40, 30), make_gif(40, 30, 2)];
        let mut seed = 0x1234_5678u32;
        for sample in &samples {
            for _ in 0..150 {
                let mut bytes = sample.clone();
                for _ in 0..4 {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    let pos = 4 + (seed as usize) % (bytes.len() - 4);
                    bytes[pos] ^= (seed >> 24) as u8 | 1;
                }
                // Any Ok/Err is fine; a panic fails the test.
                let _ = process(&bytes, &limits());
            }
        }
    }

    #[test]
    fn error_messages_are_readable() {
        assert_eq!(ImageError::TooLarge.to_string(), "the image is larger than 10 MB");
        assert_eq!(
            ImageError::UnsupportedType.to_string(),
            "only JPEG, PNG, WebP and GIF images are accepted"
        );
        assert_eq!(ImageError::Empty.to_string(), "the image is empty");
        assert!(
            ImageError::TooManyPixels { width: 60000, height: 60000 }.to_string().contains("60000x60000")
        );
        let corrupt = ImageError::Corrupt("zune: premature EOF".into()).to_string();
        assert_eq!(corrupt, "the image appears to be damaged or incomplete");
    }

    // ---------- metadata stripping ----------

    #[test]
    fn jpeg_exif_gps_is_stripped() {
        let (app1, gps_rationals) = exif_app1(None);
        let jpeg = insert_after_soi(&make_jpeg(64, 48), &app1);
        assert!(jpeg_header_markers(&jpeg).contains(&0xE1));
        assert!(contains(&jpeg, &gps_rationals));
        // Sanity: the decoder does see the EXIF block we built.
        let mut dec = image::codecs::jpeg::JpegDecoder::new(Cursor::new(&jpeg)).unwrap();
        assert!(dec.exif_metadata().unwrap().is_some());

        let p = process(&jpeg, &limits()).unwrap();
        assert_eq!(p.kind, ImageKind::Jpeg);
        assert_eq!((p.width, p.height), (64, 48));
        let markers = jpeg_header_markers(&p.bytes);
        assert!(!markers.contains(&0xE1), "markers: {markers:x?}");
        assert!(!contains(&p.bytes, b"Exif"));
        assert!(!contains(&p.bytes, &gps_rationals));
        assert!(!contains(&p.thumb, b"Exif"));
        assert!(!contains(&p.thumb, &gps_rationals));
        let mut dec = image::codecs::jpeg::JpegDecoder::new(Cursor::new(&p.bytes)).unwrap();
        assert!(dec.exif_metadata().unwrap().is_none());
    }

    #[test]
    fn jpeg_exif_orientation_is_applied() {
        // Orientation 6 = rotate 90 degrees clockwise to display.
        let (app1, _) = exif_app1(Some(6));
        let jpeg = insert_after_soi(&make_jpeg(64, 32), &app1);
        let p = process(&jpeg, &limits()).unwrap();
        assert_eq!((p.width, p.height), (32, 64));
        decode(&p);
        assert!(!jpeg_header_markers(&p.bytes).contains(&0xE1));
    }

    #[test]
    fn png_trailing_payload_after_iend_is_removed() {
        let mut png = make_png(20, 10);
        let payload = b"<?php system($_GET['c']); ?>PAYLOAD-AFTER-IEND";
        png.extend_from_slice(payload);
        let p = process(&png, &limits()).unwrap();
        assert!(!contains(&p.bytes, b"PAYLOAD-AFTER-IEND"));
        assert!(p.bytes.ends_with(&png_chunk(b"IEND", &[])));
        decode(&p);
    }

    #[test]
    fn png_text_chunks_are_removed() {
        let png = make_png(20, 10);
        // Insert a tEXt chunk right after IHDR (8 signature + 25 IHDR bytes).
        let mut with_text = png[..33].to_vec();
        with_text.extend(png_chunk(b"tEXt", b"Comment\0SECRET-LOCATION"));
        with_text.extend_from_slice(&png[33..]);
        let p = process(&with_text, &limits()).unwrap();
        assert!(!contains(&p.bytes, b"SECRET-LOCATION"));
    }

    #[test]
    fn jpeg_trailing_payload_after_eoi_is_removed() {
        let mut jpeg = make_jpeg(32, 32);
        jpeg.extend_from_slice(b"PK\x03\x04ZIP-POLYGLOT-PAYLOAD");
        let p = process(&jpeg, &limits()).unwrap();
        assert!(!contains(&p.bytes, b"ZIP-POLYGLOT-PAYLOAD"));
        assert!(p.bytes.ends_with(&[0xFF, 0xD9]));
    }

    // ---------- round trips ----------

    #[test]
    fn jpeg_round_trips_with_thumbnail() {
        let p = process(&make_jpeg(800, 600), &limits()).unwrap();
        assert_eq!(p.kind, ImageKind::Jpeg);
        assert_eq!((p.width, p.height), (800, 600));
        assert_eq!(p.thumb_kind, ImageKind::Jpeg);
        assert_eq!((p.thumb_width, p.thumb_height), (320, 240));
        decode(&p);
        check_thumb(&p);
    }

    #[test]
    fn png_round_trips_with_thumbnail() {
        let p = process(&make_png(300, 900), &limits()).unwrap();
        assert_eq!(p.kind, ImageKind::Png);
        assert_eq!((p.width, p.height), (300, 900));
        // Opaque RGB PNG -> JPEG thumbnail.
        assert_eq!(p.thumb_kind, ImageKind::Jpeg);
        assert_eq!((p.thumb_width, p.thumb_height), (107, 320));
        let img = decode(&p);
        // PNG is lossless: pixels survive exactly.
        assert_eq!(img.to_rgb8(), gradient_rgb(300, 900));
        check_thumb(&p);
    }

    #[test]
    fn png_with_alpha_gets_png_thumbnail() {
        let p = process(&make_png_rgba(640, 480), &limits()).unwrap();
        assert_eq!(p.kind, ImageKind::Png);
        assert_eq!(p.thumb_kind, ImageKind::Png);
        assert_eq!((p.thumb_width, p.thumb_height), (320, 240));
        let img = decode(&p);
        assert_eq!(img.to_rgba8(), gradient_rgba(640, 480));
        check_thumb(&p);
    }

    #[test]
    fn webp_round_trips_with_thumbnail() {
        let p = process(&make_webp(500, 400), &limits()).unwrap();
        assert_eq!(p.kind, ImageKind::Webp);
        assert_eq!((p.width, p.height), (500, 400));
        assert_eq!((p.thumb_width, p.thumb_height), (320, 256));
        let img = decode(&p);
        assert_eq!(img.to_rgb8(), gradient_rgb(500, 400));
        check_thumb(&p);
    }

    #[test]
    fn gif_round_trips_keeping_animation() {
        let gif = make_gif(400, 100, 3);
        let p = process(&gif, &limits()).unwrap();
        assert_eq!(p.kind, ImageKind::Gif);
        assert_eq!((p.width, p.height), (400, 100));
        assert_eq!((p.thumb_width, p.thumb_height), (320, 80));
        decode(&p);
        check_thumb(&p);
        let frames = GifDecoder::new(Cursor::new(&p.bytes)).unwrap().into_frames().collect_frames().unwrap();
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].delay().numer_denom_ms(), (100, 1));
        assert_ne!(frames[0].buffer(), frames[1].buffer());
    }

    #[test]
    fn gif_frames_are_capped() {
        let gif = make_gif(16, 16, 5);
        let l = ImageLimits { max_gif_frames: 2, ..limits() };
        let p = process(&gif, &l).unwrap();
        let frames = GifDecoder::new(Cursor::new(&p.bytes)).unwrap().into_frames().collect_frames().unwrap();
        assert_eq!(frames.len(), 2);

        // Total decoded-frame budget: 16*16*4 = 1024 bytes per frame.
        let l = ImageLimits { max_alloc: 3 * 1024, ..limits() };
        let p = process(&gif, &l).unwrap();
        let n = GifDecoder::new(Cursor::new(&p.bytes)).unwrap().into_frames().count();
        assert_eq!(n, 3);
    }

    #[test]
    fn one_pixel_images_work() {
        for (bytes, kind) in [
            (make_jpeg(1, 1), ImageKind::Jpeg),
            (make_png(1, 1), ImageKind::Png),
            (make_png_rgba(1, 1), ImageKind::Png),
            (make_webp(1, 1), ImageKind::Webp),
            (make_gif(1, 1, 1), ImageKind::Gif),
        ] {
            let p = process(&bytes, &limits()).unwrap();
            assert_eq!(p.kind, kind);
            assert_eq!((p.width, p.height), (1, 1));
            assert_eq!((p.thumb_width, p.thumb_height), (1, 1));
            decode(&p);
            check_thumb(&p);
        }
    }

    #[test]
    fn small_images_are_not_upscaled() {
        let p = process(&make_png(200, 7), &limits()).unwrap();
        assert_eq!((p.thumb_width, p.thumb_height), (200, 7));
        let p = process(&make_jpeg(320, 320), &limits()).unwrap();
        assert_eq!((p.thumb_width, p.thumb_height), (320, 320));
    }

    #[test]
    fn extreme_aspect_ratio_thumbnail_is_at_least_one_pixel() {
        assert_eq!(thumb_dimensions(8000, 1), (320, 1));
        assert_eq!(thumb_dimensions(1, 8000), (1, 320));
        assert_eq!(thumb_dimensions(640, 480), (320, 240));
        let p = process(&make_png(4000, 2), &limits()).unwrap();
        assert_eq!((p.thumb_width, p.thumb_height), (320, 1));
        check_thumb(&p);
    }

    #[test]
    fn grayscale_and_16_bit_pngs_work() {
        let mut out = Vec::new();
        let gray = image::GrayImage::from_fn(50, 40, |x, _| image::Luma([x as u8 * 5]));
        PngEncoder::new(&mut out).write_image(gray.as_raw(), 50, 40, image::ExtendedColorType::L8).unwrap();
        let p = process(&out, &limits()).unwrap();
        assert_eq!(decode(&p).to_luma8(), gray);
        check_thumb(&p);

        let img16 = DynamicImage::ImageRgba8(gradient_rgba(30, 20)).to_rgba16();
        let mut out = Vec::new();
        img16.write_with_encoder(PngEncoder::new(&mut out)).unwrap();
        let p = process(&out, &limits()).unwrap();
        assert_eq!(decode(&p).to_rgba16(), img16);
        assert_eq!(p.thumb_kind, ImageKind::Png);
        check_thumb(&p);
    }

    /// Timing of `process` on a 12-megapixel photo-like JPEG. Run with
    /// `cargo test --release -- --ignored --nocapture bench_`.
    #[test]
    #[ignore]
    fn bench_process_4000x3000_jpeg() {
        let mut seed = 0x9E37_79B9u32;
        let img = RgbImage::from_fn(4000, 3000, |x, y| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let n = seed & 0x1F;
            Rgb([((x / 16 + n) % 256) as u8, ((y / 12 + n) % 256) as u8, (((x + y) / 28 + n) % 256) as u8])
        });
        let mut jpeg = Vec::new();
        img.write_with_encoder(JpegEncoder::new_with_quality(&mut jpeg, 90)).unwrap();
        let (app1, _) = exif_app1(Some(1));
        let jpeg = insert_after_soi(&jpeg, &app1);
        let runs = 5;
        let mut times = Vec::new();
        for _ in 0..runs {
            let start = Instant::now();
            let p = process(&jpeg, &limits()).unwrap();
            times.push(start.elapsed());
            assert_eq!((p.width, p.height), (4000, 3000));
        }
        times.sort();
        println!(
            "4000x3000 JPEG, input {} bytes: min {:?}, median {:?}, max {:?}",
            jpeg.len(),
            times[0],
            times[runs / 2],
            times[runs - 1]
        );
    }

    #[test]
    fn jpeg_eoi_walker() {
        let jpeg = make_jpeg(16, 16);
        assert!(jpeg_reaches_eoi(&jpeg));
        let (app1, _) = exif_app1(Some(1));
        assert!(jpeg_reaches_eoi(&insert_after_soi(&jpeg, &app1)));
        assert!(!jpeg_reaches_eoi(&jpeg[..jpeg.len() - 1]));
        assert!(!jpeg_reaches_eoi(&[0xFF, 0xD8]));
        assert!(!jpeg_reaches_eoi(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00]));
        // An EOI inside an APPn segment (e.g. an EXIF thumbnail) does not count.
        let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x06, 0xFF, 0xD9, 0x00, 0x00];
        assert!(!jpeg_reaches_eoi(&fake));
        fake.extend_from_slice(&[0xFF, 0xD9]);
        assert!(jpeg_reaches_eoi(&fake));
    }
}
