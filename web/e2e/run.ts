import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { runBlockingScenario } from './blocking.e2e';
import { runChatScenario } from './chat.e2e';
import { runDayScenario } from './day.e2e';
import { runGroupsScenario } from './groups.e2e';
import { runReadingScenario } from './reading.e2e';
import { runNotificationsScenario } from './notifications.e2e';
import { runRepliesSearchScenario } from './replies-search.e2e';

/**
 * `npm run e2e` — drives Debian's Chromium against a running `natter serve`
 * (console mailer, so /dev/mailbox.json exists). NATTER_URL defaults to the dev address.
 */
const baseUrl = (process.env.NATTER_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const here = path.dirname(fileURLToPath(import.meta.url));

async function main() {
  const started = Date.now();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const options = {
      browser,
      baseUrl,
      screenshotDir: path.join(here, 'screenshots'),
      log: (line: string) => console.log(`[e2e +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`),
    };
    // `NATTER_E2E_ONLY=blocking` runs one scenario (see README).
    const only = process.env.NATTER_E2E_ONLY;
    if (!only || only === 'chat') await runChatScenario(options);
    if (!only || only === 'blocking') await runBlockingScenario(options);
    if (!only || only === 'groups') await runGroupsScenario(options);
    if (!only || only === 'replies-search') await runRepliesSearchScenario(options);
    if (!only || only === 'reading') await runReadingScenario(options);
    if (!only || only === 'notifications') await runNotificationsScenario(options);
    if (!only || only === 'day') await runDayScenario(options);
    console.log(`e2e passed in ${((Date.now() - started) / 1000).toFixed(1)} s against ${baseUrl}`);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
