/// <reference types="node" />
// Node's types for this test only (it reads a file); the app itself never sees them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { MINE, PANE, THEIRS } from './colors';

/** Tailwind's own palette (oklch), read from the theme the build uses. */
const theme = readFileSync(createRequire(import.meta.url).resolve('tailwindcss/theme.css'), 'utf8');

function color(className: string): [number, number, number] {
  const name = className.replace(/^(bg|text)-/, '');
  if (name === 'white') return [1, 1, 1];
  if (name === 'black') return [0, 0, 0];
  const m = theme.match(new RegExp(`--color-${name}:\\s*oklch\\(([\\d.]+)% ([\\d.]+) ([\\d.]+)\\)`));
  if (!m) throw new Error(`no colour ${name} in tailwindcss/theme.css`);
  const [L, C, h] = [Number(m[1]) / 100, Number(m[2]), Number(m[3])];
  // OKLCH -> OKLab -> linear sRGB (Björn Ottosson's matrices), clipped to the gamut.
  const a = C * Math.cos((h * Math.PI) / 180);
  const b = C * Math.sin((h * Math.PI) / 180);
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const mm = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const clip = (x: number) => Math.min(1, Math.max(0, x));
  return [
    clip(4.0767416621 * l - 3.3077115913 * mm + 0.2309699292 * s),
    clip(-1.2684380046 * l + 2.6097574011 * mm - 0.3413193965 * s),
    clip(-0.0041960863 * l - 0.7034186147 * mm + 1.707614701 * s),
  ];
}

/** WCAG 2 contrast ratio of two colours (linear sRGB already, so no gamma step). */
function contrast(fg: string, bg: string): number {
  const lum = ([r, g, b]: [number, number, number]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const [x, y] = [lum(color(fg)), lum(color(bg))].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

describe('message colours meet WCAG AA (4.5:1)', () => {
  it('reproduces the ratios the issue measured, so the method is right', () => {
    expect(contrast('text-blue-100', 'bg-blue-600')).toBeCloseTo(4.3, 1);
    expect(contrast('text-sky-300', 'bg-blue-600')).toBeCloseTo(3.15, 1);
  });

  it.each([
    ['my text', MINE.text, MINE.bg],
    ['my time and "edited"', MINE.meta, MINE.bg],
    ['my sent tick', MINE.tick, MINE.bg],
    ['my seen tick', MINE.seenTick, MINE.bg],
    ['a link in my message', MINE.link, MINE.bg],
    ['their text', THEIRS.text, THEIRS.bg],
    ['their time', THEIRS.meta, THEIRS.bg],
    ['a link in their message', THEIRS.link, THEIRS.bg],
    ['a day separator', PANE.day, PANE.bg],
    ['the unread line', PANE.unread, PANE.bg],
    ['a sender name', PANE.senderName, PANE.bg],
  ])('%s', (_what, fg, bg) => {
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });
});
