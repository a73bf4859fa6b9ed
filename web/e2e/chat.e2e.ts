import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { assert, logIn, makePng, setDisplayName, until } from './helpers';
import { DESKTOP, MOBILE, composer, messages, rowFor, type ScenarioOptions } from './screen';

/**
 * Two people, two browser contexts, one real `natter serve`:
 * login with mailed codes, start a chat, live delivery, typing, read receipts, unseen
 * badges, an image, history after reload, delivery across a network cut, and presence.
 */

const messageWith = (page: Page, text: string) => messages(page).filter({ hasText: text });

async function messageTexts(page: Page): Promise<string[]> {
  return messages(page).evaluateAll((nodes) => nodes.map((n) => n.querySelector('p')?.textContent?.trim() ?? '[image]'));
}

async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

async function exactlyOnce(page: Page, text: string, who: string) {
  await messageWith(page, text).first().waitFor({ timeout: 15_000 });
  const n = await messageWith(page, text).count();
  assert(n === 1, `${who} shows "${text}" exactly once (saw ${n})`);
}

export async function runChatScenario({ browser, baseUrl, screenshotDir, log }: ScenarioOptions): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const alice = { email: `alice-${tag}@example.test`, name: `Alice ${tag}` };
  const bob = { email: `bob-${tag}@example.test`, name: `Bob ${tag}` };

  const ctxA: BrowserContext = await browser.newContext({ viewport: DESKTOP, baseURL: baseUrl });
  let ctxB: BrowserContext | null = await browser.newContext({ viewport: DESKTOP, baseURL: baseUrl });
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  const shotA = (name: string) => a.screenshot({ path: path.join(screenshotDir, `${name}-1280x800.png`) }).then(() => undefined);

  try {
    log('log in both users with mailed codes');
    await logIn(a, baseUrl, alice.email, shotA);
    await logIn(b, baseUrl, bob.email);
    const stored = await a.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    assert(!stored.includes('eyJ'), 'the client keeps no session token in web storage');

    log('set display names on /profile');
    await setDisplayName(a, baseUrl, alice.name, shotA);
    await setDisplayName(b, baseUrl, bob.name);

    log('A finds B and starts a chat');
    await a.getByLabel('Search people').fill(tag);
    await a.getByTestId('user-result').filter({ hasText: bob.name }).click();
    await a.waitForURL(/\/chat\/[^/]+$/);
    await a.getByText('Say hello 👋').waitFor();

    log('B sees an unseen badge that counts');
    await send(a, `Hello Bob ${tag}`);
    await until(async () => (await messageWith(a, `Hello Bob ${tag}`).getByTestId('delivery').getAttribute('data-state')) === 'sent', 'single tick on A');
    await until(async () => (await rowFor(b, alice.name).getByTestId('unseen-badge').textContent()) === '1', 'B badge 1');
    await send(a, 'Are you there?');
    await until(async () => (await rowFor(b, alice.name).getByTestId('unseen-badge').textContent()) === '2', 'B badge 2');
    const preview = await rowFor(a, bob.name).getByTestId('chat-preview').textContent();
    assert(preview?.startsWith('You: '), `A's row preview starts with "You: " (got "${preview}")`);

    log('B opens the chat: badge clears, A gets the double tick');
    await rowFor(b, alice.name).click();
    await exactlyOnce(b, 'Are you there?', 'B');
    await until(async () => (await rowFor(b, alice.name).getByTestId('unseen-badge').count()) === 0, 'B badge cleared');
    await until(async () => (await messageWith(a, 'Are you there?').getByTestId('delivery').getAttribute('data-state')) === 'seen', 'double tick on A');

    log('typing indicator, then live delivery into the open pane');
    await composer(a).click();
    await a.keyboard.type('typing test', { delay: 120 });
    await b.getByTestId('typing-indicator').waitFor({ timeout: 10_000 });
    await composer(a).press('Enter');
    await exactlyOnce(b, 'typing test', 'B');
    await exactlyOnce(a, 'typing test', 'A');
    await b.getByTestId('typing-indicator').waitFor({ state: 'detached', timeout: 10_000 });
    await until(async () => (await messageWith(a, 'typing test').getByTestId('delivery').getAttribute('data-state')) === 'seen', 'live read receipt');

    log('an image from A shows in B');
    await a.getByTestId('image-input').setInputFiles({ name: 'square.png', mimeType: 'image/png', buffer: makePng() });
    await a.getByTestId('image-preview').waitFor();
    await composer(a).fill('a picture');
    await a.getByRole('button', { name: 'Send message' }).click();
    const bImage = messageWith(b, 'a picture').locator('img');
    await bImage.waitFor({ timeout: 20_000 });
    await until(() => bImage.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'image loaded in B');
    await bImage.click();
    await b.getByRole('dialog', { name: 'Image' }).waitFor();
    await b.keyboard.press('Escape');
    await b.getByRole('dialog').waitFor({ state: 'detached' });

    await shotA('chat');
    log('history survives a reload, in order, without duplicates');
    await b.reload();
    await messageWith(b, 'a picture').waitFor();
    const expected = [`Hello Bob ${tag}`, 'Are you there?', 'typing test', 'a picture'];
    const texts = await messageTexts(b);
    assert(JSON.stringify(texts) === JSON.stringify(expected), `B history after reload is ${JSON.stringify(expected)} (got ${JSON.stringify(texts)})`);

    log('A edits a message and deletes another: B sees both live, and after a reload');
    const asked = messageWith(a, 'Are you there?');
    await asked.hover();
    await asked.getByRole('button', { name: 'Edit message' }).click();
    const box = a.getByRole('textbox', { name: 'Edit message' });
    await box.fill('Are you there, Bob?');
    await shotA('editing');
    await box.press('Enter');
    await messageWith(b, 'Are you there, Bob?').getByTestId('edited').waitFor({ timeout: 10_000 });
    await messageWith(a, 'Are you there, Bob?').getByTestId('edited').waitFor();
    const typed = messageWith(a, 'typing test');
    await typed.hover();
    await typed.getByRole('button', { name: 'Delete message' }).click();
    await a.getByTestId('confirm-delete').getByRole('button', { name: 'Delete', exact: true }).click();
    await b.getByText('This message was deleted').waitFor({ timeout: 10_000 });
    await a.getByText('You deleted this message').waitFor();
    assert((await messageWith(b, 'typing test').count()) === 0, 'the deleted text is gone from B');
    log('B reacts to a message: A sees the count live, and takes part');
    const hello = messageWith(b, `Hello Bob ${tag}`);
    await hello.hover();
    await hello.getByRole('button', { name: 'Add reaction' }).click();
    await b.getByTestId('reaction-picker').getByRole('button', { name: 'React with 🎉' }).click();
    const aChip = messageWith(a, `Hello Bob ${tag}`).getByTestId('reaction');
    await aChip.waitFor({ timeout: 10_000 });
    assert((await aChip.textContent())?.replace(/\s/g, '') === '🎉1', `A sees 🎉 1 (got ${await aChip.textContent()})`);
    await aChip.click();
    await until(async () => (await messageWith(b, `Hello Bob ${tag}`).getByTestId('reaction').textContent())?.replace(/\s/g, '') === '🎉2', 'B sees 🎉 2');
    // B may hear of the second 🎉 before A's own answer is back: wait for it, do not race it.
    await until(async () => (await aChip.getAttribute('aria-pressed')) === 'true', "A's own reaction shows as pressed");
    await shotA('edited-and-deleted');
    await b.reload();
    await messageWith(b, 'a picture').waitFor();
    const afterChanges = await messageTexts(b);
    // The tombstone has no text paragraph (messageTexts calls that "[image]").
    const wantAfterChanges = [`Hello Bob ${tag}`, 'Are you there, Bob?', '[image]', 'a picture'];
    assert(JSON.stringify(afterChanges) === JSON.stringify(wantAfterChanges), `B history after the edit and the delete: ${JSON.stringify(afterChanges)}`);
    await b.getByText('This message was deleted').waitFor();

    log('mobile layout screenshots');
    await b.setViewportSize(MOBILE);
    await b.screenshot({ path: path.join(screenshotDir, 'chat-390x844.png') });
    await b.getByRole('button', { name: 'Back to chats' }).click();
    await rowFor(b, alice.name).waitFor();
    await b.screenshot({ path: path.join(screenshotDir, 'chats-390x844.png') });
    await rowFor(b, alice.name).click();
    await b.setViewportSize(DESKTOP);
    await messageWith(b, 'a picture').waitFor();

    log('a message sent while B is offline arrives when B is back');
    await ctxB.setOffline(true);
    await send(a, `while you were away ${tag}`);
    await until(async () => (await messageWith(a, `while you were away ${tag}`).getByTestId('delivery').getAttribute('data-state')) !== 'pending', 'A send acked');
    await new Promise((r) => setTimeout(r, 1500));
    await ctxB.setOffline(false);
    await exactlyOnce(b, `while you were away ${tag}`, 'B after the network came back');

    log("B leaves: A sees B's dot go grey");
    await until(async () => (await rowFor(a, bob.name).getByTestId('online-dot').getAttribute('data-online')) === 'true', 'B online on A');
    await ctxB.close();
    ctxB = null;
    await until(async () => (await rowFor(a, bob.name).getByTestId('online-dot').getAttribute('data-online')) === 'false', 'B offline on A', 30_000);

    log('mobile screenshot of A, then log out');
    await a.setViewportSize(MOBILE);
    await a.goto(`${baseUrl}/chat`);
    await rowFor(a, bob.name).waitFor();
    await a.screenshot({ path: path.join(screenshotDir, 'chats-a-390x844.png') });
    await a.goto(`${baseUrl}/profile`);
    await a.getByRole('button', { name: 'Log out' }).click();
    await a.waitForURL(/\/login$/);
    await a.screenshot({ path: path.join(screenshotDir, 'login-390x844.png') });
  } finally {
    await ctxB?.close().catch(() => undefined);
    await ctxA.close().catch(() => undefined);
  }
}
