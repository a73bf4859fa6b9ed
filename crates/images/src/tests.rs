use std::io::Cursor;
use std::time::{Duration, Instant};

use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ImageDecoder, ImageEncoder, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

use super::jpeg::read_header;
use super::shrink::fit_within;
use super::*;

fn format(kind: ImageKind) -> ImageFormat {
    match kind {
        ImageKind::Jpeg => ImageFormat::Jpeg,
        ImageKind::Png => ImageFormat::Png,
        ImageKind::Webp => ImageFormat::WebP,
        ImageKind::Gif => ImageFormat::Gif,
    }
}

fn jpeg_reaches_eoi(b: &[u8]) -> bool {
    read_header(b).is_some_and(|h| h.reaches_eoi)
}

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
    let t = image::load_from_memory_with_format(&p.thumb, format(p.thumb_kind)).unwrap();
    assert_eq!((t.width(), t.height()), (p.thumb_width, p.thumb_height));
}

fn decode(p: &ProcessedImage) -> DynamicImage {
    assert_eq!(sniff(&p.bytes), Some(p.kind));
    let img = image::load_from_memory_with_format(&p.bytes, format(p.kind)).unwrap();
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
    for bytes in
        [&b"hello world"[..], b"BM\x36\0\0\0\0\0\0\0\x36\0\0\0", b"II*\0\x08\0\0\0", b"%PDF-1.7\n", b"\x89PN"]
    {
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
    assert_eq!(ImageError::UnsupportedType.to_string(), "only JPEG, PNG, WebP and GIF images are accepted");
    assert_eq!(ImageError::Empty.to_string(), "the image is empty");
    assert!(ImageError::TooManyPixels { width: 60000, height: 60000 }.to_string().contains("60000x60000"));
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
fn an_animated_gif_is_stored_as_its_first_frame() {
    let gif = make_gif(400, 100, 3);
    let p = process(&gif, &limits()).unwrap();
    assert_eq!(p.kind, ImageKind::Png, "a still image now");
    assert_eq!((p.width, p.height), (400, 100));
    assert_eq!((p.thumb_width, p.thumb_height), (320, 80));
    check_thumb(&p);
    let first = image::load_from_memory_with_format(&gif, ImageFormat::Gif).unwrap().to_rgba8();
    assert_eq!(decode(&p).to_rgba8(), first);
}

#[test]
fn only_the_first_gif_frame_is_decoded() {
    // Frame 2 is cut off mid-stream: a decoder that went past frame 1 would fail.
    let gif = make_gif(64, 64, 3);
    let second = gif.windows(2).enumerate().filter(|(_, w)| w == &[0x21, 0xF9]).nth(1).unwrap().0;
    let mut cut = gif[..second + 40].to_vec();
    cut.push(0x3B);
    let p = process(&cut, &limits()).unwrap();
    assert_eq!((p.width, p.height), (64, 64));
}

#[test]
fn a_gif_frame_smaller_than_its_screen_sits_on_transparency() {
    let mut out = Vec::new();
    {
        let mut enc = ::gif::Encoder::new(&mut out, 8, 6, &[255, 0, 0, 0, 0, 255]).unwrap();
        let mut frame = ::gif::Frame { width: 2, height: 2, left: 3, top: 2, ..::gif::Frame::default() };
        frame.buffer = std::borrow::Cow::Owned(vec![0, 1, 1, 0]);
        enc.write_frame(&frame).unwrap();
    }
    let p = process(&out, &limits()).unwrap();
    let img = decode(&p).to_rgba8();
    assert_eq!((img.width(), img.height()), (8, 6));
    assert_eq!(img.get_pixel(0, 0).0, [0, 0, 0, 0]);
    assert_eq!(img.get_pixel(3, 2).0, [255, 0, 0, 255]);
    assert_eq!(img.get_pixel(4, 2).0, [0, 0, 255, 255]);
    assert_eq!(p.thumb_kind, ImageKind::Png);
}

#[test]
fn one_pixel_images_work() {
    for (bytes, kind) in [
        (make_jpeg(1, 1), ImageKind::Jpeg),
        (make_png(1, 1), ImageKind::Png),
        (make_png_rgba(1, 1), ImageKind::Png),
        (make_webp(1, 1), ImageKind::Webp),
        (make_gif(1, 1, 1), ImageKind::Png),
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
    assert_eq!(fit_within(8000, 1, THUMB_MAX_SIDE), (320, 1));
    assert_eq!(fit_within(1, 8000, THUMB_MAX_SIDE), (1, 320));
    assert_eq!(fit_within(640, 480, THUMB_MAX_SIDE), (320, 240));
    let p = process(&make_png(4000, 2), &limits()).unwrap();
    assert_eq!((p.thumb_width, p.thumb_height), (320, 1));
    check_thumb(&p);
}

#[test]
fn grayscale_and_16_bit_pngs_work_and_16_bits_become_8() {
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
    let back = decode(&p);
    assert_eq!(back.color(), image::ColorType::Rgba8);
    assert_eq!(back.to_rgba8(), DynamicImage::ImageRgba16(img16).to_rgba8());
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
        assert_eq!((p.width, p.height), (2560, 1920));
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
    let sof = [0xFF, 0xC0, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0];
    let mut fake = vec![0xFF, 0xD8];
    fake.extend_from_slice(&sof);
    fake.extend_from_slice(&[0xFF, 0xE1, 0x00, 0x06, 0xFF, 0xD9, 0x00, 0x00]);
    assert!(!jpeg_reaches_eoi(&fake));
    fake.extend_from_slice(&[0xFF, 0xD9]);
    assert!(jpeg_reaches_eoi(&fake));
}

// ---------- decoding within the memory budget ----------

fn encode_jpeg_with(
    w: u16,
    h: u16,
    data: &[u8],
    color: jpeg_encoder::ColorType,
    progressive: bool,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 85);
    enc.set_progressive(progressive);
    enc.encode(data, w, h, color).unwrap();
    out
}

#[test]
fn a_large_16_bit_png_is_decoded_row_by_row_into_a_smaller_8_bit_image() {
    let img16 = DynamicImage::ImageRgb8(gradient_rgb(300, 200)).to_rgb16();
    let mut png = Vec::new();
    img16.write_with_encoder(PngEncoder::new(&mut png)).unwrap();
    // The full 16-bit image is 360 kB; the budget holds the 64x43 result and rows.
    let l = ImageLimits { max_side: 64, max_alloc: 64 * 43 * 3 + 300 * 24 + 1, ..limits() };
    let p = process(&png, &l).unwrap();
    assert_eq!((p.width, p.height), (64, 43));
    let back = decode(&p);
    assert_eq!(back.color(), image::ColorType::Rgb8);
    // Box-averaged, so close to the source's colour at the same place.
    let src = gradient_rgb(300, 200);
    let (a, b) = (back.to_rgb8().get_pixel(32, 21).0, src.get_pixel(152, 98).0);
    assert!(a.iter().zip(b).all(|(x, y)| x.abs_diff(y) < 12), "{a:?} vs {b:?}");
}

#[test]
fn a_large_jpeg_is_decoded_at_a_dct_scale() {
    let jpeg = make_jpeg(1024, 768);
    let header = read_header(&jpeg).unwrap();
    assert!(!header.progressive);
    // Full size costs more than an eighth of it...
    let full = jpeg::decode_cost(&header, 8, 128);
    let eighth = jpeg::decode_cost(&header, 1, 128);
    assert!(eighth * 10 < full, "{eighth} vs {full}");
    // ... and a budget below the full-size decode still gets the 128 px image.
    let l = ImageLimits { max_side: 128, max_alloc: full / 4, ..limits() };
    let p = process(&jpeg, &l).unwrap();
    assert_eq!((p.width, p.height), (128, 96));
    decode(&p);
}

#[test]
fn a_6000_square_baseline_jpeg_fits_the_default_budget_at_half_scale() {
    let mut header = read_header(&make_jpeg(16, 16)).unwrap();
    (header.width, header.height) = (6000, 6000);
    header.components = vec![(2, 2), (1, 1), (1, 1)];
    let l = limits();
    assert!(jpeg::decode_cost(&header, 8, l.max_side) > l.max_alloc);
    assert!(jpeg::decode_cost(&header, 4, l.max_side) <= l.max_alloc);
    // Progressive: every coefficient of the full image, whatever the scale.
    header.progressive = true;
    assert!(jpeg::decode_cost(&header, 1, l.max_side) > l.max_alloc);
}

#[test]
fn a_progressive_jpeg_over_the_budget_is_refused_before_decoding() {
    let (w, h) = (640u16, 480u16);
    let rgb = gradient_rgb(640, 480).into_raw();
    let progressive = encode_jpeg_with(w, h, &rgb, jpeg_encoder::ColorType::Rgb, true);
    let baseline = encode_jpeg_with(w, h, &rgb, jpeg_encoder::ColorType::Rgb, false);
    assert!(read_header(&progressive).unwrap().progressive);
    let l = ImageLimits { max_alloc: 1024 * 1024, ..limits() };
    assert!(matches!(process(&progressive, &l), Err(ImageError::TooManyPixels { width: 640, height: 480 })));
    // The same picture as a baseline JPEG is decoded at a smaller scale instead.
    let p = process(&baseline, &l).unwrap();
    assert!(p.width < 640 && p.width >= 160, "{}", p.width);
    // With room, the progressive one decodes in full.
    let p = process(&progressive, &limits()).unwrap();
    assert_eq!((p.width, p.height), (640, 480));
}

#[test]
fn a_cmyk_jpeg_comes_out_as_rgb_with_its_colours() {
    // Pure red in CMYK: no cyan, full magenta and yellow, no black.
    let (w, h) = (32u16, 16u16);
    let cmyk: Vec<u8> = (0..usize::from(w) * usize::from(h)).flat_map(|_| [0u8, 255, 255, 0]).collect();
    for color in [jpeg_encoder::ColorType::Cmyk, jpeg_encoder::ColorType::CmykAsYcck] {
        let jpeg = encode_jpeg_with(w, h, &cmyk, color, false);
        let p = process(&jpeg, &limits()).unwrap();
        let px = decode(&p).to_rgb8().get_pixel(8, 8).0;
        assert!(px[0] > 200 && px[1] < 60 && px[2] < 60, "{color:?}: {px:?}");
    }
}

#[test]
fn a_webp_over_the_budget_is_refused_before_decoding() {
    let webp = make_webp(600, 400);
    let l = ImageLimits { max_alloc: 600 * 400 * 4, ..limits() };
    assert!(matches!(process(&webp, &l), Err(ImageError::TooManyPixels { width: 600, height: 400 })));
    let l = ImageLimits { max_side: 100, ..limits() };
    let p = process(&webp, &l).unwrap();
    assert_eq!((p.kind, p.width, p.height), (ImageKind::Webp, 100, 67));
}

#[test]
fn a_gif_canvas_is_shrunk_as_it_is_built() {
    let gif = make_gif(2000, 1000, 2);
    let l = ImageLimits { max_side: 200, max_alloc: 2000 * 1000 + 2000 * 4 + 200 * 100 * 3 + 1, ..limits() };
    let p = process(&gif, &l).unwrap();
    assert_eq!((p.width, p.height), (200, 100));
    let l = ImageLimits { max_alloc: 2000 * 1000, ..l };
    assert!(matches!(process(&gif, &l), Err(ImageError::TooManyPixels { .. })));
}

/// Peak RSS and time of `process` on one file, in a process of its own: run with
/// `NATTER_IMAGE=path cargo test --release -p natter-app --lib -- --ignored --nocapture measure_one_file`.
#[test]
#[ignore]
fn measure_one_file() {
    let Ok(path) = std::env::var("NATTER_IMAGE") else { return };
    let bytes = std::fs::read(&path).unwrap();
    let hwm = || {
        let s = std::fs::read_to_string("/proc/self/status").unwrap();
        s.lines().find_map(|l| l.strip_prefix("VmHWM:")).unwrap().trim().to_owned()
    };
    let before = hwm();
    let start = Instant::now();
    let res = process(&bytes, &limits());
    let took = start.elapsed();
    let outcome = match &res {
        Ok(p) => format!("{:?} {}x{}", p.kind, p.width, p.height),
        Err(e) => format!("{e}"),
    };
    println!("MEASURE {path} {:?} hwm {before} -> {} : {outcome}", took, hwm());
}
