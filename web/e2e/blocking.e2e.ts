import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { ScenarioOptions } from './screen';
import { assert, logIn, setDisplayName, until } from './helpers';
import { DESKTOP, MOBILE, composer } from './screen';

/**
 * Blocking, in two browsers: A blocks B from the chat header (with a confirm), sees the
 * banner instead of the composer, B's send is refused with the server's sentence, A
 * unblocks and B's next message arrives. Last seen shows in A's header once B is gone.
 */

const messageWith = (page: Page, text: string) => page.getByTestId('message-list').getByTestId('message').filter({ hasText: text });

async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

export async function runBlockingScenario({ browser, baseUrl, screenshotDir, log }: ScenarioOptions): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const alice = { email: `alice-b-${tag}@example.test`, name: `Alice ${tag}` };
  const bob = { email: `bob-b-${tag}@example.test`, name: `Bob ${tag}` };
  const ctxA = await browser.newContext({ viewport: DESKTOP, baseURL: baseUrl });
  const ctxB = await browser.newContext({ viewport: MOBILE, baseURL: baseUrl });
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  try {
    log('two users, one chat');
    await logIn(a, baseUrl, alice.email);
    await logIn(b, baseUrl, bob.email);
    await setDisplayName(a, baseUrl, alice.name);
    await setDisplayName(b, baseUrl, bob.name);
    await a.getByLabel('Search people').fill(tag);
    await a.getByTestId('user-result').filter({ hasText: bob.name }).click();
    await a.waitForURL(/\/chat\/[^/]+$/);
    const chatUrl = a.url();
    await send(a, `hi ${tag}`);
    await b.getByTestId('chat-row').filter({ hasText: alice.name }).click();
    await messageWith(b, `hi ${tag}`).waitFor();
    await until(async () => (await a.getByTestId('presence-text').textContent()) === 'online', 'A sees B online');

    log('A blocks B, with a confirm');
    await a.getByRole('button', { name: `Block ${bob.name}` }).click();
    await a.getByRole('dialog', { name: `Block ${bob.name}?` }).waitFor();
    await shot(a, 'block-confirm-1280x800');
    await a.getByRole('dialog').getByRole('button', { name: 'Block' }).click();
    await a.getByTestId('blocked-banner').waitFor();
    assert((await composer(a).count()) === 0, 'the composer is replaced by the banner');
    assert(((await a.getByTestId('chat-status').textContent()) ?? '').includes('blocked'), 'the header says blocked');
    await shot(a, 'blocked-banner-1280x800');

    log("B's send is refused with a clear error");
    await send(b, `let me in ${tag}`);
    await until(
      async () => ((await messageWith(b, `let me in ${tag}`).textContent()) ?? '').includes('blocked you'),
      "B's bubble says it was refused",
    );
    await shot(b, 'blocked-send-refused-390x844');
    assert((await messageWith(a, `let me in ${tag}`).count()) === 0, 'A never got it');

    log('A unblocks from the banner; B writes again');
    await a.getByTestId('blocked-banner').getByRole('button', { name: 'Unblock' }).click();
    await composer(a).waitFor();
    await send(b, `thanks ${tag}`);
    await messageWith(a, `thanks ${tag}`).waitFor({ timeout: 15_000 });

    log('B leaves: A sees "last seen"');
    await ctxB.close();
    await until(async () => ((await a.getByTestId('presence-text').textContent()) ?? '').startsWith('last seen'), 'A sees B last seen');
    await shot(a, 'last-seen-1280x800');
    await a.setViewportSize(MOBILE);
    await a.goto(chatUrl);
    await until(async () => ((await a.getByTestId('presence-text').textContent()) ?? '').startsWith('last seen'), 'last seen after a reload');
    await shot(a, 'last-seen-390x844');

    log('the settings page has the last-seen switch');
    await a.goto(`${baseUrl}/settings`);
    const toggle = a.getByRole('switch', { name: 'Show when I was last seen' });
    await toggle.waitFor();
    assert(await toggle.isChecked(), 'on by default');
    await toggle.click();
    await until(async () => !(await toggle.isChecked()) && (await toggle.isEnabled()), 'switched off and saved');
    await shot(a, 'profile-last-seen-390x844');
    await a.goto(chatUrl);
    await until(async () => (await a.getByTestId('presence-text').textContent()) === 'offline', 'hiding mine hides theirs');
  } finally {
    await ctxA.close();
    await ctxB.close().catch(() => undefined);
  }
}
