//! Box-filter downscaling fed one source row at a time, so a large image never has
//! to exist at full size: only one output image and one row of sums do.
//!
//! Every output pixel is the mean of the source pixels that map onto it (area
//! averaging). `image`'s own `resize` keeps a float buffer of `source width x output
//! height` per channel (184 MB for 6000 -> 2560 RGB), which is what this avoids.

use image::{DynamicImage, GrayAlphaImage, GrayImage, RgbImage, RgbaImage};

use super::ImageError;

/// Largest `(w, h)` that fits within `max x max`, keeping the aspect ratio, never
/// upscaling and never below one pixel.
pub fn fit_within(width: u32, height: u32, max: u32) -> (u32, u32) {
    if width <= max && height <= max {
        return (width, height);
    }
    let (w, h, m) = (u64::from(width), u64::from(height), u64::from(max));
    let (tw, th) = if w >= h { (m, (h * m + w / 2) / w) } else { ((w * m + h / 2) / h, m) };
    // Both values are <= max, so the conversions cannot fail.
    (u32::try_from(tw.max(1)).unwrap_or(max), u32::try_from(th.max(1)).unwrap_or(max))
}

pub struct Shrink {
    src_w: usize,
    src_h: u32,
    dst_w: usize,
    dst_h: u32,
    channels: usize,
    /// First source column and number of source columns of each output column.
    spans: Vec<(usize, usize)>,
    /// Channel sums of the output row being gathered.
    sums: Vec<u64>,
    /// Source rows gathered into `sums` so far.
    rows_in_sums: u32,
    /// Source rows received.
    rows: u32,
    out: Vec<u8>,
}

impl Shrink {
    /// `channels` is 1 (L), 2 (LA), 3 (RGB) or 4 (RGBA), 8 bits each.
    pub fn new(src: (u32, u32), dst: (u32, u32), channels: usize) -> Self {
        let (src_w, dst_w) = (src.0 as usize, dst.0.max(1) as usize);
        // Source column x lands in output column x * dst_w / src_w: contiguous runs.
        let mut spans = vec![(0usize, 0usize); dst_w];
        for x in 0..src_w {
            let d = (x * dst_w / src_w.max(1)).min(dst_w - 1);
            if spans[d].1 == 0 {
                spans[d].0 = x;
            }
            spans[d].1 += 1;
        }
        Self {
            src_w,
            src_h: src.1,
            dst_w,
            dst_h: dst.1.max(1),
            channels,
            spans,
            sums: vec![0; dst_w * channels],
            rows_in_sums: 0,
            rows: 0,
            out: Vec::with_capacity(dst_w * dst.1.max(1) as usize * channels),
        }
    }

    /// Bytes the output image will take: what a decode must budget for.
    pub fn output_bytes(dst: (u32, u32), channels: usize) -> u64 {
        u64::from(dst.0) * u64::from(dst.1) * channels as u64
    }

    fn dst_row_of(&self, y: u32) -> u32 {
        (u64::from(y) * u64::from(self.dst_h) / u64::from(self.src_h.max(1))) as u32
    }

    /// Takes the next source row (top to bottom), `src_w * channels` bytes.
    pub fn push_row(&mut self, row: &[u8]) {
        if self.rows >= self.src_h || row.len() < self.src_w * self.channels {
            return;
        }
        match self.channels {
            1 => self.accumulate::<1>(row),
            2 => self.accumulate::<2>(row),
            3 => self.accumulate::<3>(row),
            _ => self.accumulate::<4>(row),
        }
        self.rows_in_sums += 1;
        self.rows += 1;
        let this = self.dst_row_of(self.rows - 1);
        let last = self.rows == self.src_h;
        if last || self.dst_row_of(self.rows) != this {
            self.flush_row();
        }
    }

    /// Adds each output column's run of source pixels into its sums. The run sum
    /// fits a u32: at most 16384 pixels of 255.
    fn accumulate<const C: usize>(&mut self, row: &[u8]) {
        for (sums, &(start, len)) in self.sums.chunks_exact_mut(C).zip(&self.spans) {
            let mut acc = [0u32; C];
            for px in row[start * C..(start + len) * C].chunks_exact(C) {
                for i in 0..C {
                    acc[i] += u32::from(px[i]);
                }
            }
            for i in 0..C {
                sums[i] += u64::from(acc[i]);
            }
        }
    }

    fn flush_row(&mut self) {
        let c = self.channels;
        let rows = u64::from(self.rows_in_sums.max(1));
        for (x, sums) in self.sums.chunks_exact_mut(c).enumerate() {
            let n = self.spans[x].1.max(1) as u64 * rows;
            for s in sums.iter_mut() {
                self.out.push(((*s + n / 2) / n) as u8);
                *s = 0;
            }
        }
        self.rows_in_sums = 0;
    }

    /// The output image, once every source row was pushed.
    pub fn finish(self) -> Result<DynamicImage, ImageError> {
        let (w, h) = (self.dst_w as u32, self.dst_h);
        if self.rows != self.src_h {
            return Err(ImageError::Corrupt(format!("{} of {} rows decoded", self.rows, self.src_h)));
        }
        let bad = || ImageError::Corrupt("output buffer has the wrong size".into());
        Ok(match self.channels {
            1 => DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, self.out).ok_or_else(bad)?),
            2 => DynamicImage::ImageLumaA8(GrayAlphaImage::from_raw(w, h, self.out).ok_or_else(bad)?),
            3 => DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, self.out).ok_or_else(bad)?),
            _ => DynamicImage::ImageRgba8(RgbaImage::from_raw(w, h, self.out).ok_or_else(bad)?),
        })
    }
}

/// Shrinks a decoded 8-bit buffer of `src` size to `dst` (a plain copy when equal).
pub fn shrink_buffer(
    buf: &[u8],
    src: (u32, u32),
    dst: (u32, u32),
    channels: usize,
) -> Result<DynamicImage, ImageError> {
    let mut s = Shrink::new(src, dst, channels);
    let row_len = src.0 as usize * channels;
    if row_len == 0 || buf.len() < row_len * src.1 as usize {
        return Err(ImageError::Corrupt("decoded buffer is too short".into()));
    }
    for row in buf.chunks_exact(row_len).take(src.1 as usize) {
        s.push_row(row);
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_within_keeps_the_aspect_and_never_upscales() {
        assert_eq!(fit_within(8000, 1, 320), (320, 1));
        assert_eq!(fit_within(1, 8000, 320), (1, 320));
        assert_eq!(fit_within(640, 480, 320), (320, 240));
        assert_eq!(fit_within(200, 7, 320), (200, 7));
        assert_eq!(fit_within(6000, 6000, 2560), (2560, 2560));
    }

    #[test]
    fn shrinking_averages_each_box() {
        // 4x2 grey ramp -> 2x1: each output pixel is the mean of a 2x2 box.
        let src = [0u8, 10, 100, 110, 20, 30, 120, 130];
        let img = shrink_buffer(&src, (4, 2), (2, 1), 1).unwrap();
        assert_eq!(img.to_luma8().into_raw(), vec![15, 115]);
    }

    #[test]
    fn same_size_is_a_copy_and_missing_rows_are_corrupt() {
        let src: Vec<u8> = (0..5 * 3 * 3).map(|v| v as u8).collect();
        let img = shrink_buffer(&src, (5, 3), (5, 3), 3).unwrap();
        assert_eq!(img.to_rgb8().into_raw(), src);
        let mut s = Shrink::new((5, 3), (2, 2), 3);
        s.push_row(&src[..15]);
        assert!(matches!(s.finish(), Err(ImageError::Corrupt(_))));
    }

    #[test]
    fn uneven_ratios_cover_every_output_pixel() {
        let (w, h) = (3000u32, 17u32);
        let src = vec![200u8; (w * h * 4) as usize];
        let img = shrink_buffer(&src, (w, h), (2560, 14), 4).unwrap();
        assert_eq!((img.width(), img.height()), (2560, 14));
        assert!(img.to_rgba8().into_raw().iter().all(|&v| v == 200));
    }
}
