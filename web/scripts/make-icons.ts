/**
 * `npx tsx scripts/make-icons.ts` — renders the PWA icons in public/icons/ from the
 * favicon's shapes with Debian's Chromium (the PNGs are committed; run this again only
 * when the logo changes).
 *
 * - icon-192/512: the favicon as it is (rounded square, transparent corners);
 * - maskable-192/512: full-bleed background, the bubble inside the 80 % safe zone;
 * - apple-touch-icon (180): full-bleed, iOS rounds the corners itself;
 * - badge-96: the bubble alone in white on transparent (Android draws badges from alpha).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');
const BUBBLE = 'M18 20h28a6 6 0 0 1 6 6v12a6 6 0 0 1-6 6H30l-9 7v-7h-3a6 6 0 0 1-6-6V26a6 6 0 0 1 6-6z';
const DOTS = [25, 32, 39].map((cx) => `<circle cx="${cx}" cy="32" r="3" fill="#2563eb"/>`).join('');
const logo = `<path d="${BUBBLE}" fill="#fff"/>${DOTS}`;

const svg = {
  any: `<rect width="64" height="64" rx="16" fill="#2563eb"/>${logo}`,
  // Scaled to 80 % around the centre: the maskable safe zone is a circle of 40 % radius.
  maskable: `<rect width="64" height="64" fill="#2563eb"/><g transform="translate(32 33.5) scale(0.8) translate(-32 -35.5)">${logo}</g>`,
  badge: `<g transform="translate(32 33.5) scale(1.25) translate(-32 -35.5)"><path d="${BUBBLE}" fill="#fff"/>${[25, 32, 39].map((cx) => `<circle cx="${cx}" cy="32" r="3" fill="#000"/>`).join('')}</g>`,
};

const targets: Array<{ file: string; size: number; art: string; knockout?: boolean }> = [
  { file: 'icon-192.png', size: 192, art: svg.any },
  { file: 'icon-512.png', size: 512, art: svg.any },
  { file: 'maskable-192.png', size: 192, art: svg.maskable },
  { file: 'maskable-512.png', size: 512, art: svg.maskable },
  { file: 'apple-touch-icon.png', size: 180, art: svg.maskable },
  { file: 'badge-96.png', size: 96, art: svg.badge, knockout: true },
];

async function main() {
  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    for (const t of targets) {
      await page.setViewportSize({ width: t.size, height: t.size });
      // The badge's dots are cut out of the bubble (a mask), so they are transparent too.
      const body = t.knockout
        ? `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="${t.size}" height="${t.size}"><mask id="m"><rect width="64" height="64" fill="#000"/>${t.art}</mask><rect width="64" height="64" fill="#fff" mask="url(#m)"/></svg>`
        : `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="${t.size}" height="${t.size}">${t.art}</svg>`;
      await page.setContent(`<html><body style="margin:0;background:transparent">${body}</body></html>`);
      await page.locator('svg').screenshot({ path: path.join(out, t.file), omitBackground: true });
      console.log(`wrote ${t.file}`);
    }
  } finally {
    await browser.close();
  }
}

void main();
