//! GIFs: big canvases with hundreds of frames, a frame larger than its screen, a
//! screen that declares 65535x65535, and a GIF that is also JavaScript.

use std::borrow::Cow;

use gif::{Encoder, Frame, Repeat};

use crate::Result;

const PALETTE: [u8; 12] = [255, 0, 0, 0, 0, 255, 255, 255, 255, 0, 160, 0];

/// `frames` frames on a `screen` canvas: the first covers it all (one colour, so the
/// file stays small whatever the canvas), every later one is a `small` square
/// somewhere on it. Compositing them all is what a naive decoder pays for.
pub fn animated_gif(screen: (u16, u16), frames: u32, small: (u16, u16)) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = Encoder::new(&mut out, screen.0, screen.1, &PALETTE)?;
        enc.set_repeat(Repeat::Infinite)?;
        let full = screen.0 as usize * screen.1 as usize;
        let mut first = Frame { width: screen.0, height: screen.1, delay: 5, ..Frame::default() };
        first.buffer = Cow::Owned(vec![2u8; full]);
        enc.write_frame(&first)?;
        let (sw, sh) = (small.0.min(screen.0), small.1.min(screen.1));
        for i in 1..frames {
            let left = ((i * 97) % u32::from(screen.0 - sw + 1)) as u16;
            let top = ((i * 61) % u32::from(screen.1 - sh + 1)) as u16;
            let mut f = Frame { width: sw, height: sh, left, top, delay: 5, ..Frame::default() };
            f.buffer =
                Cow::Owned((0..sw as usize * sh as usize).map(|p| ((p + i as usize) % 4) as u8).collect());
            enc.write_frame(&f)?;
        }
    }
    Ok(out)
}

fn header(w: u16, h: u16) -> Vec<u8> {
    let mut g = b"GIF89a".to_vec();
    g.extend_from_slice(&w.to_le_bytes());
    g.extend_from_slice(&h.to_le_bytes());
    g.extend_from_slice(&[0x80, 0, 0]); // 2-colour global table
    g.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
    g
}

fn frame(left: u16, top: u16, w: u16, h: u16) -> Vec<u8> {
    let mut f = vec![0x2C];
    for v in [left, top, w, h] {
        f.extend_from_slice(&v.to_le_bytes());
    }
    f.push(0);
    // LZW minimum code size 2, one sub-block: clear, 0, end.
    f.extend_from_slice(&[2, 2, 0x4C, 0x01, 0]);
    f
}

/// A screen of `w x h` with a 1x1 frame.
pub fn gif_declaring(w: u16, h: u16) -> Vec<u8> {
    let mut g = header(w, h);
    g.extend(frame(0, 0, 1, 1));
    g.push(0x3B);
    g
}

/// A 10x10 screen whose first frame says it is 60000x60000.
pub fn gif_frame_larger_than_screen() -> Vec<u8> {
    let mut g = header(10, 10);
    g.extend(frame(0, 0, 60_000, 60_000));
    g.push(0x3B);
    g
}

/// A GIF that a browser also runs as a script: the screen width is the bytes `/*`,
/// and after the trailer comes `*/=alert(document.domain);`.
pub fn gif_js_polyglot() -> Result<Vec<u8>> {
    let mut g = b"GIF89a/*\x0A\x00".to_vec(); // 10799 x 10
    g.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
    g.extend(frame(0, 0, 1, 1));
    g.push(0x3B);
    g.extend_from_slice(b"*/=alert(document.domain);//");
    Ok(g)
}
