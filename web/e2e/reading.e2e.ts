import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { assert, logIn, setDisplayName, until } from './helpers';
import type { ChatListResponse, Message, SendMessageResponse } from '../src/lib/wire';
import { DESKTOP, MOBILE, composer, messageList, messageWith, messages, rowFor, type ScenarioOptions } from './screen';

/**
 * Reading and writing (issue 14, points 1–3), two people in one chat: long words and
 * URLs stay inside the pane, own times and ticks measure 4.5:1, day separators (the
 * browser's clock moved a day), runs by sender, a 200-message backlog that opens at the
 * "New messages" line with a scroll-to-bottom button that counts, a draft that survives
 * a reload, a pasted and a dropped image, safe links, the emoji picker, Up to edit,
 * copy from the hover actions and a long press on a phone.
 */

const BACKLOG = 200;
const DAY_MS = 24 * 3600 * 1000;

async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await messageWith(page, text.slice(0, 60)).last().waitFor();
}

/** Wholly inside the message list's visible part. */
const inView = (target: Locator) =>
  target.evaluate((el) => {
    const box = el.closest('[data-testid="message-list"]')?.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    return box !== undefined && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  });

/** A send through the API with the page's session, waiting out the send rate as a client would. */
async function post(page: Page, baseUrl: string, body: Record<string, unknown>): Promise<Message> {
  for (;;) {
    const res = await page.request.post(`${baseUrl}/api/v1/message`, { data: body, headers: { Origin: baseUrl } });
    if (res.status() === 429) {
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers()['retry-after'] ?? 1)));
      continue;
    }
    assert(res.status() === 201, `send answered ${res.status()}: ${await res.text()}`);
    return ((await res.json()) as SendMessageResponse).message;
  }
}

/** Nothing in the pane is wider than it, and every bubble starts and ends inside it. */
async function assertFits(page: Page, who: string) {
  const m = await messageList(page).evaluate((el) => {
    const box = el.getBoundingClientRect();
    const bubbles = Array.from(el.querySelectorAll("[data-testid=\"bubble\"]")).map((b) => b.getBoundingClientRect());
    return {
      scrollWidth: el.scrollWidth,
      clientWidth: el.clientWidth,
      outside: bubbles.filter((r) => r.left < box.left - 0.5 || r.right > box.right + 0.5).length,
      // What sticks out, to name it when the check fails.
      wide: Array.from(el.querySelectorAll('*'))
        .filter((d) => d.getBoundingClientRect().right > box.right + 0.5)
        .slice(0, 5)
        .map((d) => `${d.tagName.toLowerCase()}.${String(d.getAttribute('class') ?? '').slice(0, 80)} [${d.getAttribute('data-testid') ?? ''}] right=${d.getBoundingClientRect().right.toFixed(1)} of ${box.right.toFixed(1)}`),
    };
  });
  // scrollWidth and clientWidth are whole pixels of fractional layout widths (390 px
  // phone, rem paddings): one pixel between them is rounding, a long word is hundreds.
  assert(m.scrollWidth <= m.clientWidth + 1, `${who}: the pane does not scroll sideways (scrollWidth ${m.scrollWidth} > clientWidth ${m.clientWidth}): ${m.wide.join('; ')}`);
  assert(m.outside === 0, `${who}: every bubble is inside the pane (${m.outside} are not)`);
}

// Page-side helpers are strings: tsx (esbuild keepNames) would wrap named functions
// inside an evaluate callback in a `__name` the page does not have.

/** WCAG contrast of an element's text colour on its bubble, from the rendered colours (a canvas turns oklch into sRGB bytes). */
const CONTRAST_ON_BUBBLE = `(el) => {
  const bubble = el.closest('[data-testid="bubble"]');
  const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  const rgb = (css) => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1); return [...ctx.getImageData(0, 0, 1, 1).data.slice(0, 3)]; };
  const lum = (c) => c.map((v) => v / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const fg = lum(rgb(getComputedStyle(el).color));
  const bg = lum(rgb(getComputedStyle(bubble).backgroundColor));
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}`;

async function contrastOn(target: Locator): Promise<number> {
  return target.evaluate((el, src) => (0, eval)(src)(el) as number, CONTRAST_ON_BUBBLE);
}

/** Draws a text in the page's font: true when some pixel has colour (an emoji, not an outline glyph). */
const DRAWS_IN_COLOUR = `async (t) => {
  await document.fonts.ready;
  const family = getComputedStyle(document.body).fontFamily;
  await document.fonts.load('40px ' + family, t); // a local() face loads on first use
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 64;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.font = '40px ' + family;
  ctx.fillStyle = '#000';
  ctx.textBaseline = 'top';
  ctx.fillText(t, 4, 4);
  const px = ctx.getImageData(0, 0, 64, 64).data;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] > 200 && Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 40) return true;
  }
  return false;
}`;

async function rendersInColour(page: Page, text: string): Promise<boolean> {
  return page.evaluate(([src, t]) => (0, eval)(src)(t) as Promise<boolean>, [DRAWS_IN_COLOUR, text] as const);
}

/** A PNG made in the page (a canvas), as a screenshot on the clipboard would be. */
const MAKE_FILE = `(async () => {
  const c = document.createElement('canvas');
  c.width = 120; c.height = 80;
  const g = c.getContext('2d');
  g.fillStyle = '#2563eb'; g.fillRect(0, 0, 120, 80);
  g.fillStyle = '#fbbf24'; g.fillRect(20, 20, 80, 40);
  const blob = await new Promise((r) => c.toBlob(r, 'image/png'));
  return new File([blob], 'clip.png', { type: 'image/png' });
})()`;

export async function runReadingScenario({ browser, baseUrl, screenshotDir, log }: ScenarioOptions): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const ada = { email: `ada-${tag}@example.test`, name: `Ada ${tag}` };
  const bob = { email: `bob-${tag}@example.test`, name: `Bob ${tag}` };
  const ctxA = await browser.newContext({ viewport: DESKTOP, baseURL: baseUrl });
  await ctxA.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const ctxB = await browser.newContext({ viewport: DESKTOP, baseURL: baseUrl });
  const a = await ctxA.newPage();
  a.on('pageerror', (e) => console.log('A pageerror:', e.message.slice(0, 600)));
  const b = await ctxB.newPage();
  b.on('pageerror', (e) => console.log('B pageerror:', e.message.slice(0, 600)));
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshotDir, `reading-${name}.png`) });
  const extra: { close: () => Promise<void> }[] = [];

  try {
    log('reading: two people, one chat');
    await logIn(a, baseUrl, ada.email);
    await logIn(b, baseUrl, bob.email);
    await setDisplayName(a, baseUrl, ada.name);
    await setDisplayName(b, baseUrl, bob.name);
    await a.getByLabel('Search people').fill(tag);
    await a.getByTestId('user-result').filter({ hasText: bob.name }).click();
    await a.waitForURL(/\/chat\/[^/]+$/);
    const chatId = a.url().split('/').pop() ?? '';

    log('emoji come from the colour emoji font, not an outline glyph of the text font');
    for (const emoji of ['😀', '❤️', '✨', '☕']) assert(await rendersInColour(a, emoji), `${emoji} renders in colour`);

    log('a run of three from Ada, grouped; Bob answers: a second run');
    await send(a, `Morning Bob ${tag}`);
    await send(a, 'Did the deploy go out?');
    await send(a, 'No rush.');
    await rowFor(b, ada.name).click();
    await messageWith(b, 'No rush.').waitFor();
    await send(b, 'It did, all green');
    const firsts = await messages(b).evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-first-of-run') === 'true'));
    assert(JSON.stringify(firsts) === JSON.stringify([true, false, false, true]), `runs start at Ada's first and Bob's answer: ${JSON.stringify(firsts)}`);
    const gaps = await messageList(b).locator('li:has([data-testid="message"])').evaluateAll((lis) =>
      lis.slice(1).map((li, i) => li.getBoundingClientRect().top - lis[i]!.getBoundingClientRect().bottom),
    );
    assert(gaps[0]! < 6 && gaps[1]! < 6 && gaps[2]! >= 10, `tight inside a run, more room between runs: ${JSON.stringify(gaps)}`);
    await b.getByTestId('conversation-start').waitFor();
    assert((await b.getByTestId('day-separator').allTextContents()).join() === 'Today', 'one separator: Today');
    const stamp = messageWith(b, 'No rush.').locator('time');
    const label = (await stamp.getAttribute('aria-label')) ?? '';
    assert(/^\w+day, \d{1,2} \w+ \d{4} at \d\d:\d\d$/.test(label) && (await stamp.getAttribute('title')) === label, `the full time for hover and screen readers: "${label}"`);
    assert((await stamp.getAttribute('datetime'))?.endsWith('Z'), 'the time carries its machine-readable datetime');

    log('own time and ticks measure at least 4.5:1 on the bubble');
    await until(async () => (await messageWith(a, 'No rush.').getByTestId('delivery').getAttribute('data-state')) === 'seen', 'seen tick on A');
    const ownTime = await contrastOn(messageWith(a, 'No rush.').locator('time'));
    const seenTick = await contrastOn(messageWith(a, 'No rush.').getByTestId('delivery').locator('svg'));
    assert(ownTime >= 4.5 && seenTick >= 4.5, `own time ${ownTime.toFixed(2)}:1, seen tick ${seenTick.toFixed(2)}:1`);
    log(`  own time ${ownTime.toFixed(2)}:1, seen tick ${seenTick.toFixed(2)}:1`);

    log('a day later (the browser clock moved), the same messages say "Yesterday"');
    // The clock belongs to a context: Bob's session in a context of its own.
    const later = await browser.newContext({ viewport: DESKTOP, baseURL: baseUrl, storageState: await ctxB.storageState() });
    extra.push(later);
    const tomorrow = await later.newPage();
    await tomorrow.clock.setFixedTime(new Date(Date.now() + DAY_MS));
    await tomorrow.goto(`${baseUrl}/chat/${chatId}`);
    await messageWith(tomorrow, 'No rush.').waitFor();
    await until(async () => (await tomorrow.getByTestId('day-separator').allTextContents()).join() === 'Yesterday', 'the separator says Yesterday');
    await until(async () => (await rowFor(tomorrow, ada.name).getByTestId('chat-time').textContent()) === 'Yesterday', 'the chat list says Yesterday');
    await tomorrow.clock.setFixedTime(new Date(Date.now() + 3 * DAY_MS));
    await tomorrow.reload();
    await messageWith(tomorrow, 'No rush.').waitFor();
    const weekday = await tomorrow.getByTestId('day-separator').textContent();
    assert(/^(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day$/.test(weekday ?? ''), `three days on, the weekday: ${weekday}`);
    await later.close();
    extra.pop();

    log('a 400-character word and a long URL stay inside the pane, on both sides');
    const word = 'x'.repeat(400);
    const url = `https://example.com/${'very-long-path-segment/'.repeat(12)}?q=${tag}`;
    await send(a, word);
    await send(a, `read this ${url} please`);
    await messageWith(b, `read this`).waitFor();
    await assertFits(a, 'A desktop');
    await assertFits(b, 'B desktop');
    await shot(a, 'overflow-desktop-1280x800');

    log('the URL is a link that opens a new tab without opener or referrer; javascript: stays text');
    const link = messageWith(b, 'read this').getByTestId('message-link');
    assert((await link.getAttribute('href')) === url, `href is the URL: ${await link.getAttribute('href')}`);
    assert((await link.getAttribute('target')) === '_blank', 'opens a new tab');
    assert((await link.getAttribute('rel')) === 'noopener noreferrer', 'rel="noopener noreferrer"');
    await send(a, 'try javascript:alert(1) or data:text/html,hi or www.natter.chat');
    const hostile = messageWith(b, 'try javascript:');
    await hostile.waitFor();
    const hrefs = await hostile.getByTestId('message-link').evaluateAll((as) => as.map((x) => x.getAttribute('href')));
    assert(JSON.stringify(hrefs) === JSON.stringify(['https://www.natter.chat/']), `only the www address is a link: ${JSON.stringify(hrefs)}`);

    log('the emoji picker: keyboard in, an emoji into the composer, focus back');
    await composer(a).fill('Ship it ');
    await a.getByRole('button', { name: 'Insert emoji' }).click();
    const picker = a.getByTestId('emoji-picker');
    await picker.waitFor();
    await shot(a, 'emoji-picker-1280x800');
    await a.keyboard.press('ArrowRight');
    await a.keyboard.press('ArrowDown');
    const chosen = (await a.evaluate(() => document.activeElement?.textContent)) ?? '';
    await a.keyboard.press('Enter');
    await picker.waitFor({ state: 'detached' });
    assert((await composer(a).inputValue()) === `Ship it ${chosen}`, `the composer has the emoji: ${await composer(a).inputValue()}`);
    assert(await composer(a).evaluate((el) => el === document.activeElement), 'the focus is back in the composer');
    await composer(a).press('Enter');
    await messageWith(b, `Ship it ${chosen}`).waitFor();

    log('Up in the empty composer edits my last message');
    await composer(a).press('ArrowUp');
    const box = a.getByRole('textbox', { name: 'Edit message' });
    await box.waitFor();
    assert((await box.inputValue()) === `Ship it ${chosen}`, `the edit box holds my last message: ${await box.inputValue()}`);
    await box.fill('Ship it on Monday');
    await box.press('Enter');
    await messageWith(b, 'Ship it on Monday').getByTestId('edited').waitFor({ timeout: 10_000 });
    await until(() => composer(a).evaluate((el) => el === document.activeElement), 'the focus is back in the composer after the edit');

    log('copy from the hover actions');
    const toCopy = messageWith(a, 'Did the deploy go out?');
    await toCopy.hover();
    await toCopy.getByRole('button', { name: 'Copy text' }).click();
    await until(async () => (await a.evaluate(() => navigator.clipboard.readText())) === 'Did the deploy go out?', 'the text is on the clipboard');
    await toCopy.getByRole('button', { name: 'Copied' }).waitFor();

    log('a draft survives a reload and leaving the chat, and goes once sent');
    await composer(a).fill(`half a thought ${tag}`);
    await a.reload();
    await until(async () => (await composer(a).inputValue()) === `half a thought ${tag}`, 'the draft is back after a reload');
    await a.goto(`${baseUrl}/chat`);
    await rowFor(a, bob.name).click();
    await until(async () => (await composer(a).inputValue()) === `half a thought ${tag}`, 'the draft is back after leaving the chat');
    await composer(a).press('Enter');
    await messageWith(b, `half a thought ${tag}`).waitFor();
    await a.reload();
    await messageWith(a, `half a thought ${tag}`).waitFor();
    assert((await composer(a).inputValue()) === '', 'a sent draft is gone');

    log('paste an image: the preview, then it sends; its alt text says who and when');
    await composer(a).focus();
    await composer(a).evaluate(async (el, make) => {
      const file = (await (0, eval)(make)) as File;
      const data = new DataTransfer();
      data.items.add(file);
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, MAKE_FILE);
    await a.getByTestId('image-preview').waitFor();
    await shot(a, 'paste-preview-1280x800');
    await composer(a).fill('pasted');
    await composer(a).press('Enter');
    const pasted = messageWith(b, 'pasted').locator('img');
    await pasted.waitFor({ timeout: 20_000 });
    const alt = (await pasted.getAttribute('alt')) ?? '';
    assert(new RegExp(`^Photo from ${ada.name}, \\d{1,2} \\w{3} \\d\\d:\\d\\d$`).test(alt), `alt says who and when: "${alt}"`);
    const ownAlt = (await messageWith(a, 'pasted').locator('img').getAttribute('alt')) ?? '';
    assert(ownAlt.startsWith('Photo from you, '), `my own photo: "${ownAlt}"`);

    log('drop an image on the pane: the same preview');
    await a.getByRole('region', { name: /^Conversation with/ }).evaluate(async (el, make) => {
      const file = (await (0, eval)(make)) as File;
      const data = new DataTransfer();
      data.items.add(file);
      for (const type of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }, MAKE_FILE);
    await a.getByTestId('image-preview').waitFor();
    await a.getByRole('button', { name: 'Remove image' }).click();

    log(`a backlog of ${BACKLOG} while Bob is away opens at the "New messages" line`);
    await b.goto(`${baseUrl}/chat`);
    await rowFor(b, ada.name).waitFor();
    const texts = new Map<number, string>();
    for (let i = 1; i <= BACKLOG; i++) {
      const text = i === 1 ? `backlog 1 ${tag}` : `backlog ${i}`;
      texts.set((await post(a, baseUrl, { chatId, text, clientId: `${tag}-backlog-${i}` })).seq, text);
    }
    await until(async () => (await rowFor(b, ada.name).getByTestId('unseen-badge').textContent()) === '99+', 'Bob sees 99+ unread', 30_000);
    await shot(b, 'chat-list-1280x800');
    // Where Bob's unread starts as the server says, read before opening the chat reads
    // it all (a page of his still viewing the chat as the backlog began, its socket not
    // yet closed on the server, reads the first ones on arrival).
    const mine = (await (await b.request.get(`${baseUrl}/api/v1/chat/all`, { headers: { Origin: baseUrl } })).json()) as ChatListResponse;
    const readSeq = mine.chats.find((c) => c.chat._id === chatId)?.chat.lastReadSeq ?? 0;
    const firstUnread = texts.get(readSeq + 1) ?? `backlog 1 ${tag}`;
    await rowFor(b, ada.name).click();
    const line = b.getByTestId('unread-line');
    await line.waitFor({ timeout: 20_000 });
    await until(() => inView(line), 'the line is in view');
    const afterLine = await line.evaluate((el) => el.nextElementSibling?.querySelector('p')?.textContent);
    assert(afterLine === firstUnread, `the line is right above the first unread: ${afterLine}`);
    await until(() => inView(messageWith(b, firstUnread)), 'the first unread is in view');
    const down = b.getByTestId('scroll-to-bottom');
    await down.waitFor();
    await shot(b, 'unread-desktop-1280x800');

    log('one more arrives while Bob reads up there: the button counts it');
    await send(a, `and one more ${tag}`);
    await until(async () => (await down.getByTestId('new-count').textContent()) === '1', 'the button shows 1 new');
    assert((await down.getAttribute('aria-label'))?.endsWith('1 new'), `its label says so: ${await down.getAttribute('aria-label')}`);
    await shot(b, 'scroll-button-1280x800');
    await down.click();
    await until(() => inView(messageWith(b, `and one more ${tag}`)), 'the newest is in view after the button');
    await down.waitFor({ state: 'detached' });

    log('mobile: overflow, and a long press opens the actions');
    const phone = await browser.newContext({ viewport: MOBILE, hasTouch: true, isMobile: true, baseURL: baseUrl, storageState: await ctxB.storageState() });
    extra.push(phone);
    const p = await phone.newPage();
    await p.goto(`${baseUrl}/chat/${chatId}`);
    await messageWith(p, `and one more ${tag}`).waitFor();
    await send(p, `From the phone: ${'y'.repeat(300)}`);
    await send(p, `again ${url}`);
    // One of Ada's as wide as a bubble gets: no room beside it for a hidden toolbar.
    const wide = `Ada again, in a sentence long enough to wrap on a phone ${tag}`;
    await post(a, baseUrl, { chatId, text: wide, clientId: `${tag}-wide` });
    await messageWith(p, wide).waitFor();
    await assertFits(p, 'B mobile');
    await shot(p, 'overflow-mobile-390x844');
    // A window as narrow with a mouse: hovered, the toolbar shows over the bubble, inside the pane.
    await b.setViewportSize(MOBILE);
    await messageWith(b, wide).getByTestId('bubble').hover();
    await messageWith(b, wide).getByTestId('message-actions').getByRole('button', { name: 'Reply' }).waitFor();
    await assertFits(b, 'B narrow window, a toolbar shown');
    await shot(b, 'actions-hover-390x844');
    await b.mouse.move(0, 0);
    await b.setViewportSize(DESKTOP);
    const target = messageWith(p, `again ${url.slice(0, 30)}`).getByTestId('bubble');
    const r = await target.boundingBox();
    assert(r, 'the bubble has a box');
    const at = { pointerType: 'touch', isPrimary: true, pointerId: 7, clientX: r.x + r.width / 2, clientY: r.y + r.height / 2, bubbles: true };
    await target.dispatchEvent('pointerdown', at);
    await new Promise((res) => setTimeout(res, 700));
    await target.dispatchEvent('pointerup', at);
    const bar = messageWith(p, `again ${url.slice(0, 30)}`).locator('[data-testid="message-actions"][data-open="true"]');
    await bar.waitFor();
    for (const name of ['Copy text', 'Reply', 'Add reaction']) await bar.getByRole('button', { name }).waitFor();
    const barBox = await bar.boundingBox();
    assert(barBox && barBox.x >= 0 && barBox.x + barBox.width <= MOBILE.width, `the toolbar is on screen: ${JSON.stringify(barBox)}`);
    await shot(p, 'long-press-390x844');
    await bar.getByRole('button', { name: 'Reply' }).click();
    await p.getByTestId('reply-bar').waitFor();
    await shot(p, 'reply-mobile-390x844');
    await p.getByRole('button', { name: 'Cancel reply' }).click();
    // Up through the older pages to the first message.
    await until(
      async () => {
        await messageList(p).evaluate((el) => el.scrollTo({ top: 0 }));
        const start = p.getByTestId('conversation-start');
        return (await start.count()) === 1 && (await inView(start));
      },
      'the start of the conversation at the top',
      30_000,
      500,
    );
    await shot(p, 'start-mobile-390x844');
  } finally {
    for (const c of extra) await c.close().catch(() => undefined);
    await ctxB.close().catch(() => undefined);
    await ctxA.close().catch(() => undefined);
  }
}
