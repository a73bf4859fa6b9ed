//! Hostile image uploads, generated: decompression bombs, huge and 16-bit images,
//! CMYK and progressive JPEGs, animations with big canvases and many frames,
//! polyglots, truncated and mislabelled files. `natter-bench corpus` writes them
//! to a folder and `natter-bench uploads` sends them through the real API; the API
//! tests use some of them one by one.
//!
//! Everything is deterministic (no randomness but a fixed xorshift) and built in
//! memory row by row where the pixels would be large, so making the corpus costs
//! far less memory than decoding it naively would.

mod gif;
mod jpeg;
mod other;
mod png;
mod webp;

pub use self::gif::{animated_gif, gif_declaring, gif_frame_larger_than_screen, gif_js_polyglot};
pub use self::jpeg::{cmyk_jpeg, jpeg, jpeg_declaring, jpeg_sof_only, progressive_jpeg};
pub use self::png::{apng, png_declaring, png_gray, png_with_ztxt_bomb, png_zeros, png16};
pub use self::webp::{animated_webp, webp, webp_declaring};

pub type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

/// What natter must answer for a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// 201: stored (re-encoded, maybe scaled down).
    Stored,
    /// Refused with this status and error code.
    Refused(u16, &'static str),
}

const INVALID: Expect = Expect::Refused(400, "invalid_image");
const TOO_BIG: Expect = Expect::Refused(422, "image_too_large");
const TOO_LARGE: Expect = Expect::Refused(413, "too_large");

/// One upload: a file name and MIME type as a client would send them (often lies),
/// the bytes, and what natter must answer.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: &'static str,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

fn s(name: &'static str, mime: &'static str, bytes: Vec<u8>, expect: Expect) -> Sample {
    Sample { name, mime, bytes, expect }
}

/// The hostile corpus: 49 files, about 60 MB in all (one of them 30 MB).
pub fn hostile() -> Result<Vec<Sample>> {
    use Expect::Stored;
    let jpeg_small = jpeg(640, 480, 85)?;
    let png_small = png::png8(320, 240)?;
    let gif_small = animated_gif((200, 150), 3, (50, 50))?;
    let webp_small = webp(400, 300)?;
    let mut out = vec![
        // Decompression bombs and pixel caps.
        s("png-60000x60000-declared.png", "image/png", png_declaring(60_000, 60_000), TOO_BIG),
        s("png-100000x1-declared.png", "image/png", png_declaring(100_000, 1), TOO_BIG),
        s("png-20000x20000-zeros.png", "image/png", png_zeros(20_000, 20_000, false)?, TOO_BIG),
        s("png-6400x6250-rgba16-zeros.png", "image/png", png_zeros(6400, 6250, true)?, Stored),
        s("png-6000x6000-rgba16.png", "image/png", png16(6000, 6000, true)?, Stored),
        s("png-6000x6000-rgb16.png", "image/png", png16(6000, 6000, false)?, Stored),
        s("png-8000x5000-gray.png", "image/png", png_gray(8000, 5000)?, Stored),
        s("png-ztxt-100mb-bomb.png", "image/png", png_with_ztxt_bomb(100 << 20)?, Stored),
        s("apng-2000x2000-40-frames.png", "image/png", apng(2000, 2000, 40)?, Stored),
        s("jpeg-65000x65000-declared.jpg", "image/jpeg", jpeg_declaring(65_000, 65_000), TOO_BIG),
        s("jpeg-6000x6000-baseline.jpg", "image/jpeg", jpeg(6000, 6000, 80)?, Stored),
        s("jpeg-4000x3000-progressive.jpg", "image/jpeg", progressive_jpeg(4000, 3000, false)?, Stored),
        s("jpeg-6000x6000-progressive-444.jpg", "image/jpeg", progressive_jpeg(6000, 6000, true)?, TOO_BIG),
        s("jpeg-3000x2000-cmyk.jpg", "image/jpeg", cmyk_jpeg(3000, 2000, false)?, Stored),
        s("jpeg-2000x2000-ycck.jpg", "image/jpeg", cmyk_jpeg(2000, 2000, true)?, Stored),
        s("jpeg-arithmetic.jpg", "image/jpeg", jpeg_sof_only(0xC9, 640, 480), INVALID),
        s("jpeg-lossless.jpg", "image/jpeg", jpeg_sof_only(0xC3, 640, 480), INVALID),
        s("gif-4000x4000-300-frames.gif", "image/gif", animated_gif((4000, 4000), 300, (120, 120))?, Stored),
        s("gif-16000x2500-canvas.gif", "image/gif", animated_gif((16_000, 2500), 2, (64, 64))?, Stored),
        s("gif-65535x65535-declared.gif", "image/gif", gif_declaring(65_535, 65_535), TOO_BIG),
        s("gif-frame-larger-than-screen.gif", "image/gif", gif_frame_larger_than_screen(), TOO_BIG),
        s("webp-animated-2000x2000-30-frames.webp", "image/webp", animated_webp(2000, 2000, 30)?, Stored),
        s("webp-2500x2500.webp", "image/webp", webp(2500, 2500)?, Stored),
        s("webp-4000x4000.webp", "image/webp", webp(4000, 4000)?, TOO_BIG),
        s("webp-16383x16383-declared.webp", "image/webp", webp_declaring(16_383, 16_383), TOO_BIG),
        // Polyglots: valid images carrying something else, which must not survive.
        s("png-zip-polyglot.png", "image/png", other::append(&png_small, &other::zip()), Stored),
        s("jpeg-zip-polyglot.jpg", "image/jpeg", other::append(&jpeg_small, &other::zip()), Stored),
        s("jpeg-html-comment.jpg", "image/jpeg", jpeg::with_comment(&jpeg_small, other::HTML)?, Stored),
        s("gif-js-polyglot.gif", "image/gif", gif_js_polyglot()?, Stored),
        s("png-php-after-iend.png", "image/png", other::append(&png_small, other::PHP), Stored),
        // Not images at all, whatever they are called.
        s("svg-named.png", "image/png", other::SVG.to_vec(), INVALID),
        s("html-named.png", "image/png", other::HTML.to_vec(), INVALID),
        s("svg.svg", "image/svg+xml", other::SVG.to_vec(), INVALID),
        s("bmp-named.jpg", "image/jpeg", other::bmp(64, 64), INVALID),
        s("pdf-named.gif", "image/gif", b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n".to_vec(), INVALID),
        s("tiff-named.webp", "image/webp", b"II*\0\x08\0\0\0\0\0".to_vec(), INVALID),
        s("zero-bytes.png", "image/png", Vec::new(), INVALID),
        s("riff-wave.webp", "image/webp", b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0".to_vec(), INVALID),
        // Real images with the wrong name or type: the bytes decide.
        s("jpeg-named.png", "image/png", jpeg_small.clone(), Stored),
        s("png-as-octet-stream.bin", "application/octet-stream", png_small.clone(), Stored),
        s("gif-named.jpg", "image/jpeg", gif_small.clone(), Stored),
        // Damaged.
        s("png-truncated.png", "image/png", png_small[..png_small.len() / 2].to_vec(), INVALID),
        s("png-bad-crc.png", "image/png", other::flip_byte(&png_small, 30), INVALID),
        s("jpeg-truncated.jpg", "image/jpeg", jpeg_small[..jpeg_small.len() * 2 / 3].to_vec(), INVALID),
        s("gif-truncated.gif", "image/gif", gif_small[..gif_small.len() / 3].to_vec(), INVALID),
        s("webp-truncated.webp", "image/webp", webp_small[..webp_small.len() / 2].to_vec(), INVALID),
        s("gif-no-frames.gif", "image/gif", other::gif_without_frames(), INVALID),
        // Size limits.
        s("png-11mb.png", "image/png", other::padded(&png_small, 11 << 20), TOO_LARGE),
        s("random-30mb.jpg", "image/jpeg", other::noise(30 << 20), TOO_LARGE),
    ];
    out.shrink_to_fit();
    Ok(out)
}

/// A fixed xorshift, for noise that is the same on every run.
pub(crate) struct Rng(u32);

impl Rng {
    pub fn new(seed: u32) -> Self {
        Self(seed.max(1))
    }
    pub fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }
}

/// A photo-like 8-bit RGB pixel: smooth gradients with a little grain.
pub(crate) fn photo_pixel(x: u32, y: u32, w: u32, h: u32, rng: &mut Rng) -> [u8; 3] {
    let n = rng.next() & 7;
    [
        ((x * 255 / w.max(1) + n) & 0xFF) as u8,
        ((y * 255 / h.max(1) + n) & 0xFF) as u8,
        (((x + y) / 16 + n) & 0xFF) as u8,
    ]
}
