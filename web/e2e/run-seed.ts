import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startPageServer } from './seed/page-server';
import { runSeedScenario } from './seed/seed.e2e';

/**
 * `npm run e2e:seed` — the seed's client (a faithful stand-in, ./seed/page) on its own
 * origin against a running `natter serve` (console mailer, so /dev/mailbox.json exists).
 * natter must allow the page's origin: start it with
 * `NATTER_ALLOWED_ORIGINS=http://localhost:$SEED_PAGE_PORT` (3000 by default, the seed's).
 */
const apiUrl = (process.env.NATTER_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const port = Number(process.env.SEED_PAGE_PORT ?? 3000);
// The page and the API on one host, other ports: one site, as the seed runs (:3000 and
// the API on localhost). Media answers carry CORP same-site, so a page on another site
// could not show the images.
const host = process.env.SEED_PAGE_HOST ?? 'localhost';
const here = path.dirname(fileURLToPath(import.meta.url));

async function main() {
  const started = Date.now();
  const page = await startPageServer({ apiUrl, port, host });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    await runSeedScenario({
      browser,
      apiUrl,
      pageOrigin: page.origin,
      screenshotDir: path.join(here, 'screenshots'),
      log: (line) => console.log(`[e2e:seed +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`),
    });
    console.log(`e2e:seed passed in ${((Date.now() - started) / 1000).toFixed(1)} s: the seed's client on ${page.origin} against ${apiUrl}`);
  } finally {
    await browser.close();
    await page.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
