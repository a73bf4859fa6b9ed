import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { assert, logIn, setDisplayName, until } from './helpers';
import type { Message, SendMessageResponse } from '../src/lib/wire';
import { DESKTOP, MOBILE, composer, messageList, messageWith, rowFor, type ScenarioOptions } from './screen';

/**
 * A day in the life (issue 14, Show): Ada at her desk with two tabs, Bob on a phone
 * (390x844). The hour before midnight goes by on the browser's clock in a context of its
 * own (live messages keep coming; "Today" turns to "Yesterday" without a reload); Ada goes
 * offline (the bar says so within 5 s, above the header and hiding nothing), writes
 * three messages that wait as pending, reloads while still offline (they are still
 * there, and so is the history she had read), and comes back: each goes out once and
 * Bob gets each exactly once; the read Bob made while she was away turns her tick to
 * seen. A 300-message backlog from Bob opens at the "New messages" line. A logout in
 * one tab sends the other to the login screen. axe-core runs on the login, chat,
 * settings and phone screens: no serious or critical violation.
 */

const BACKLOG = 300;

const bar = (page: Page) => page.getByTestId('connection-bar');
const delivery = (page: Page, text: string) => messageWith(page, text).getByTestId('delivery');

async function type(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await messageWith(page, text).last().waitFor();
}

/** The session's token (the HttpOnly cookie the browser holds), to send as Bearer as a script would. */
async function sessionToken(ctx: BrowserContext): Promise<string> {
  const cookie = (await ctx.cookies()).find((c) => c.name === 'natter_session' || c.name === '__Host-natter_session');
  assert(cookie, 'the browser holds a session cookie');
  return cookie.value.replace(/^"|"$/g, '');
}

/** POST /api/v1/message with a Bearer token, waiting out the send rate as a client would. */
async function post(baseUrl: string, token: string, body: Record<string, unknown>): Promise<Message> {
  for (;;) {
    const res = await fetch(`${baseUrl}/api/v1/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    if (res.status === 429) {
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
      continue;
    }
    if (res.status !== 201) throw new Error(`send answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as SendMessageResponse).message;
  }
}

/** Every message of a chat as the server holds it (paging back), for counting. */
async function history(baseUrl: string, token: string, chatId: string): Promise<Message[]> {
  const all: Message[] = [];
  let before: number | undefined;
  for (;;) {
    const url = `${baseUrl}/api/v1/message/${chatId}?limit=200${before ? `&before=${before}` : ''}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const page = (await res.json()) as { messages: Message[]; hasMore: boolean };
    all.unshift(...page.messages);
    if (!page.hasMore || page.messages.length === 0) return all;
    before = page.messages[0]!.seq;
  }
}

// ---- axe-core ----

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

interface AxeResult {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}
const axeSummary: string[] = [];

/**
 * The contrast axe could not decide (text on the translucent glass panels over the
 * page's gradient), measured here: the text colour and every background from the
 * element up to the page composited in sRGB (a canvas turns oklch into bytes), over
 * both the plain page colour and the page's brightest glow (blue-600 at 18 %); the
 * lower ratio counts. AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
 */
const MEASURE_CONTRAST = `(selectors) => {
  const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  const rgba = (css) => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1); const d = ctx.getImageData(0, 0, 1, 1).data; return [d[0], d[1], d[2], d[3] / 255]; };
  const transparent = (css) => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1); return ctx.getImageData(0, 0, 1, 1).data[3] === 0; };
  const over = (top, base) => [0, 1, 2].map((i) => top[i] * top[3] + base[i] * (1 - top[3]));
  const lum = (c) => c.map((v) => v / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const page = rgba(getComputedStyle(document.documentElement).getPropertyValue('--color-gray-900') || '#101828').slice(0, 3);
  const glow = over([37, 99, 235, 0.18], page);
  return selectors.map((sel) => {
    const el = document.querySelector(sel);
    if (!el) return { sel, ratio: null, note: 'gone' };
    const layers = [];
    for (let n = el; n && n !== document.documentElement; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.backgroundImage !== 'none' && n !== document.body) return { sel, ratio: null, note: 'background image' };
      if (!transparent(cs.backgroundColor) && n !== document.body) layers.unshift(rgba(cs.backgroundColor));
    }
    const cs = getComputedStyle(el);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    const worst = Math.min(...[page, glow].map((base) => {
      const bg = layers.reduce((b, l) => over(l, b), base);
      const fg = over(rgba(cs.color), bg);
      return ratio(fg, bg);
    }));
    return { sel, ratio: worst, need: large ? 3 : 4.5, text: (el.textContent || '').trim().slice(0, 40) };
  });
}`;

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is and fails on any serious or critical violation. */
async function axe(page: Page, screen: string, log: (line: string) => void) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<unknown> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations', 'incomplete'],
    }),
  )) as { violations: AxeResult[]; passes: unknown[]; incomplete: AxeResult[] };
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const counts = ['critical', 'serious', 'moderate', 'minor'].map((i) => `${i} ${result.violations.filter((v) => v.impact === i).length}`).join(', ');
  const review = result.incomplete.map((v) => `${v.id} x${v.nodes.length}`).join(', ');
  const line = `axe ${screen}: ${result.violations.length} violated rules (${counts}); ${result.passes.length} rules pass, ${result.incomplete.length} need review${review ? ` (${review})` : ''}${
    result.violations.length ? ` — ${result.violations.map((v) => `${v.id} [${v.impact}] x${v.nodes.length}`).join('; ')}` : ''
  }`;
  axeSummary.push(line);
  log(line);
  const undecided = result.incomplete.filter((v) => v.id === 'color-contrast').flatMap((v) => v.nodes.map((n) => String(n.target[n.target.length - 1])));
  if (undecided.length) {
    const measured = (await page.evaluate(([src, sels]) => (0, eval)(src)(sels), [MEASURE_CONTRAST, undecided] as const)) as { sel: string; ratio: number | null; need?: number; text?: string; note?: string }[];
    for (const m of measured) if (m.ratio !== null && !Number.isFinite(m.ratio)) log(`    not a number: ${JSON.stringify(m)}`);
    const low = measured.filter((m) => m.ratio !== null && !(m.ratio >= m.need!));
    const decided = measured.filter((m) => m.ratio !== null);
    const min = Math.min(...decided.map((m) => m.ratio!));
    const contrastLine = `  contrast axe left undecided on ${screen}, measured: ${decided.length} of ${measured.length} texts, lowest ${min.toFixed(2)}:1${
      measured.some((m) => m.ratio === null) ? `; not measured: ${measured.filter((m) => m.ratio === null).map((m) => `${m.sel} (${m.note})`).join(', ')}` : ''
    }`;
    axeSummary.push(contrastLine);
    log(contrastLine);
    for (const m of low) log(`    below AA: ${m.sel} "${m.text}" ${m.ratio!.toFixed(2)}:1 (needs ${m.need}:1)`);
    assert(low.length === 0, `AA contrast on ${screen}: ${low.length} texts below it`);
  }
  for (const v of result.violations) {
    for (const n of v.nodes.slice(0, 5)) log(`    ${v.id}: ${JSON.stringify(n.target)} ${n.failureSummary?.replace(/\s+/g, ' ').slice(0, 300) ?? ''}`);
  }
  assert(bad.length === 0, `axe on ${screen}: no serious or critical violations (${bad.map((v) => v.id).join(', ')})`);
}

/** The focus ring (outline) of the focused element is drawn wholly inside the nearest box that clips it. */
const RING_INSIDE_CLIP = `() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 'nothing focused';
  const cs = getComputedStyle(el);
  const grow = parseFloat(cs.outlineOffset) + parseFloat(cs.outlineWidth);
  if (cs.outlineStyle === 'none' || !(parseFloat(cs.outlineWidth) > 0)) return 'no outline';
  const r = el.getBoundingClientRect();
  for (let p = el.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p);
    if (o.overflowX === 'visible' && o.overflowY === 'visible') continue;
    const c = p.getBoundingClientRect();
    const inside = r.left - grow >= c.left - 0.5 && r.right + grow <= c.right + 0.5 && r.top - grow >= c.top - 0.5 && r.bottom + grow <= c.bottom + 0.5;
    return inside ? 'inside' : 'clipped by ' + p.tagName + '.' + p.className.split(' ').slice(0, 3).join('.');
  }
  return 'inside';
}`;

async function ringOfFocused(page: Page): Promise<string> {
  return page.evaluate((src) => (0, eval)(src)() as string, RING_INSIDE_CLIP);
}

async function tabUntil(page: Page, target: Locator, what: string, max = 30) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
  }
  throw new Error(`Tab never reached ${what}`);
}

export async function runDayScenario({ browser, baseUrl, screenshotDir, log }: ScenarioOptions): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const ada = { email: `ada-${tag}@example.test`, name: `Ada ${tag}` };
  const bob = { email: `bob-${tag}@example.test`, name: `Bob ${tag}` };
  const contexts: BrowserContext[] = [];
  const context = async (viewport: { width: number; height: number }, storageState?: Awaited<ReturnType<BrowserContext['storageState']>>) => {
    // bypassCSP: axe-core is injected as an inline script, which natter's CSP (rightly)
    // refuses; the app itself is the same either way.
    const c = await browser.newContext({ viewport, baseURL: baseUrl, storageState, bypassCSP: true, ...(viewport === MOBILE ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
    contexts.push(c);
    return c;
  };
  const watch = (page: Page, who: string) => page.on('pageerror', (e) => console.log(`${who} pageerror:`, e.message.slice(0, 600)));
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshotDir, `day-${name}.png`) });
  axeSummary.length = 0;

  try {
    log('day: the login screen, checked by axe');
    const ctxA = await context(DESKTOP);
    const a = await ctxA.newPage();
    watch(a, 'Ada');
    await a.goto(`${baseUrl}/login`);
    await a.getByLabel('Email address').waitFor();
    await axe(a, 'login 1280x800', log);
    await shot(a, 'login-1280x800');

    log('day: the verify screen says where codes are on a development server');
    await logIn(a, baseUrl, ada.email, async (name) => {
      if (name !== 'verify') return;
      await a.getByTestId('dev-mailbox').waitFor();
      assert((await a.getByTestId('dev-mailbox').textContent())?.includes('/dev/mailbox'), 'the note names /dev/mailbox');
      await shot(a, 'verify-dev-mailbox-1280x800');
    });
    await setDisplayName(a, baseUrl, ada.name);

    const ctxB = await context(MOBILE);
    const b = await ctxB.newPage();
    watch(b, 'Bob');
    await logIn(b, baseUrl, bob.email);
    await setDisplayName(b, baseUrl, bob.name);
    const bobToken = await sessionToken(ctxB);
    const adaToken = await sessionToken(ctxA);

    log('day: Ada starts the chat; Bob answers from his phone');
    await a.getByLabel('Search people').fill(tag);
    await a.getByTestId('user-result').filter({ hasText: bob.name }).click();
    await a.waitForURL(/\/chat\/[^/]+$/);
    const chatId = a.url().split('/').pop() ?? '';
    await type(a, `Morning Bob ${tag}`);
    await rowFor(b, ada.name).click();
    await messageWith(b, `Morning Bob ${tag}`).waitFor();
    await type(b, 'Morning! Coffee first ☕');
    await messageWith(a, 'Coffee first').waitFor();
    await until(async () => (await delivery(a, `Morning Bob ${tag}`).getAttribute('data-state')) === 'seen', 'Ada sees her first message seen');
    await axe(a, 'chat 1280x800', log);
    await axe(b, 'chat 390x844', log);
    await shot(a, 'chat-1280x800');
    await shot(b, 'chat-390x844');

    log('day: keyboard: the skip link comes first and lands in the messages; the chat row ring is not clipped');
    await a.reload();
    await messageWith(a, 'Coffee first').waitFor();
    await a.keyboard.press('Tab');
    const skip = a.getByTestId('skip-link');
    assert(await skip.evaluate((el) => el === document.activeElement), 'the first Tab stop is "Skip to messages"');
    assert((await skip.boundingBox())!.width > 40, 'the skip link is visible once focused');
    await shot(a, 'skip-link-1280x800');
    await a.keyboard.press('Enter');
    assert(await messageList(a).evaluate((el) => el === document.activeElement), 'Enter on the skip link focuses the messages');
    await a.getByLabel('Search people').focus();
    await tabUntil(a, rowFor(a, bob.name), 'the chat row');
    const ring = await ringOfFocused(a);
    assert(ring === 'inside', `the chat row's focus ring is inside the list (${ring})`);
    await shot(a, 'focus-chat-row-1280x800');

    log('day: focus stays put after an action: send keeps the composer, delete hands it back to the composer');
    await composer(a).fill(`oops ${tag}`);
    await composer(a).press('Enter');
    await until(async () => (await delivery(a, `oops ${tag}`).getAttribute('data-state')) !== 'pending', 'oops sent');
    assert(await composer(a).evaluate((el) => el === document.activeElement), 'after a send, the focus is still in the composer');
    await messageWith(a, `oops ${tag}`).hover();
    await messageWith(a, `oops ${tag}`).getByRole('button', { name: 'Delete message' }).click();
    await a.getByTestId('confirm-delete').getByRole('button', { name: 'Delete', exact: true }).click();
    await until(async () => (await messageWith(a, `oops ${tag}`).count()) === 0, 'the deleted message is gone');
    await until(() => composer(a).evaluate((el) => el === document.activeElement), 'after a delete, the focus is in the composer');

    log('day: settings, checked by axe');
    await a.goto(`${baseUrl}/settings`);
    await a.getByRole('heading', { level: 1 }).waitFor();
    await axe(a, 'settings 1280x800', log);
    await shot(a, 'settings-1280x800');
    await a.goto(`${baseUrl}/chat/${chatId}`);
    await messageWith(a, 'Coffee first').waitFor();

    log('day: an error toast is red, an alert, and covers neither the header nor the composer');
    await a.route('**/api/v1/chat/*/mute', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ message: 'The server broke. Try again.', code: 'internal' }) }));
    await a.getByTestId('mute-chat').click();
    const alert = a.getByRole('alert').filter({ hasText: 'Could not mute this chat.' });
    await alert.waitFor();
    assert((await alert.getAttribute('data-tone')) === 'error', 'the toast is an error toast');
    const toastBox = (await alert.boundingBox())!;
    for (const [what, box] of [
      ['header', await a.locator('main header').boundingBox()],
      ['composer', await composer(a).boundingBox()],
    ] as const) {
      assert(box && (toastBox.y + toastBox.height <= box.y + 0.5 || toastBox.y >= box.y + box.height - 0.5), `the error toast does not overlap the ${what}`);
    }
    await shot(a, 'error-toast-1280x800');
    await a.unroute('**/api/v1/chat/*/mute');
    await alert.getByRole('button', { name: 'Dismiss notification' }).click();

    log('day: Ada opens a second tab; both follow the chat');
    const a2 = await ctxA.newPage();
    watch(a2, 'Ada tab 2');
    await a2.goto(`${baseUrl}/chat/${chatId}`);
    await messageWith(a2, 'Coffee first').waitFor();
    await type(b, 'Standup at 10?');
    await messageWith(a, 'Standup at 10?').waitFor();
    await messageWith(a2, 'Standup at 10?').waitFor();
    await type(a2, 'Yes, see you there');
    await messageWith(a, 'Yes, see you there').waitFor();
    await messageWith(b, 'Yes, see you there').waitFor();

    log('day: the last hour before midnight on the browser clock, in a context of its own; the chat stays live and the day turns');
    const ctxClock = await context(DESKTOP, await ctxA.storageState());
    const c = await ctxClock.newPage();
    watch(c, 'Ada (clock)');
    // From 23:30: an hour on it is tomorrow for the browser, while the server, on the
    // real clock, dated every message of this run today.
    const lateEvening = new Date();
    lateEvening.setHours(23, 30, 0, 0);
    await c.clock.install({ time: lateEvening });
    await c.goto(`${baseUrl}/chat/${chatId}`);
    await messageWith(c, 'Yes, see you there').waitFor();
    const separator = messageList(c).getByTestId('day-separator').first();
    const rowTime = rowFor(c, bob.name).getByTestId('chat-time');
    assert((await separator.textContent()) === 'Today', `before midnight the day reads Today (${await separator.textContent()})`);
    assert(/^\d\d:\d\d$/.test((await rowTime.textContent()) ?? ''), `before midnight the chat row shows a time (${await rowTime.textContent()})`);
    // Bob writes until 23:50; after midnight nothing arrives that would redraw the list.
    for (let minute = 10; minute <= 60; minute += 10) {
      await c.clock.fastForward('10:00');
      if (minute > 20) continue;
      await post(baseUrl, bobToken, { chatId, text: `at minute ${minute} ${tag}`, clientId: `${tag}-minute-${minute}` });
      await until(async () => (await messageWith(c, `at minute ${minute} ${tag}`).count()) === 1, `minute ${minute}: Bob's message arrives in the clock tab`, 30_000);
    }
    await until(async () => (await bar(c).count()) === 0, 'an hour later, no connection bar', 30_000);
    // No reload, no new message: the open tab's separator and the row's time follow the new day.
    await until(async () => (await separator.textContent()) === 'Yesterday', 'after midnight the separator reads Yesterday', 5_000);
    await until(async () => (await rowTime.textContent()) === 'Yesterday', 'after midnight the chat row reads Yesterday', 5_000);
    await shot(c, 'hour-later-1280x800');
    await ctxClock.close();

    log('day: Bob leaves the chat on his phone; Ada writes; Ada goes offline');
    await b.getByRole('button', { name: 'Back to chats' }).click();
    await b.waitForURL(/\/chat$/);
    await type(a, `Did you see the doc? ${tag}`);
    await until(async () => (await delivery(a, `Did you see the doc? ${tag}`).getAttribute('data-state')) === 'sent', 'sent, not seen yet');
    const wentOffline = Date.now();
    await ctxA.setOffline(true);
    await until(async () => (await bar(a).getAttribute('data-state')) === 'offline', 'tab 1 says offline', 5_000, 100);
    await until(async () => (await bar(a2).getAttribute('data-state')) === 'offline', 'tab 2 says offline', 5_000, 100);
    log(`  the offline state showed after ${Date.now() - wentOffline} ms`);
    // The bar takes its own row: the chat header is below it, whole.
    const barBox = (await bar(a).boundingBox())!;
    const headerBox = (await a.locator('header').first().boundingBox())!;
    assert(headerBox.y >= barBox.y + barBox.height - 0.5, `the bar hides nothing of the header (bar ends ${barBox.y + barBox.height}, header starts ${headerBox.y})`);

    log('day: Bob reads it meanwhile (Ada misses the event)');
    await rowFor(b, ada.name).click();
    await messageWith(b, `Did you see the doc? ${tag}`).waitFor();

    log('day: Ada types three messages offline: pending');
    const offlineTexts = [1, 2, 3].map((i) => `offline ${i} ${tag}`);
    for (const text of offlineTexts) await type(a, text);
    for (const text of offlineTexts) assert((await delivery(a, text).getAttribute('data-state')) === 'pending', `"${text}" is pending`);
    await shot(a, 'offline-pending-1280x800');

    log('day: a reload while still offline keeps them, and the history read before');
    await a.reload();
    await messageWith(a, 'Coffee first').waitFor({ timeout: 15_000 });
    for (const text of offlineTexts) {
      await messageWith(a, text).waitFor();
      assert((await delivery(a, text).getAttribute('data-state')) === 'pending', `"${text}" is still pending after the reload`);
    }
    await until(async () => (await bar(a).getAttribute('data-state')) === 'offline', 'still offline after the reload');
    await shot(a, 'offline-reloaded-1280x800');

    log('day: Bob sees Ada offline within 30 s of her lost network (the server pings and gets no pong)');
    const presence = b.getByTestId('presence-text');
    await until(
      async () => (await presence.textContent()) !== 'online',
      "Bob's header says Ada is not online",
      Math.max(30_000 - (Date.now() - wentOffline), 0),
      250,
    );
    log(`  Bob saw Ada as "${await presence.textContent()}" ${Date.now() - wentOffline} ms after she lost the network`);

    log('day: back online: each goes out once; Bob gets each exactly once; the missed read shows');
    await ctxA.setOffline(false);
    for (const text of offlineTexts) {
      await until(async () => ['sent', 'seen'].includes((await delivery(a, text).getAttribute('data-state')) ?? ''), `"${text}" sent`, 30_000);
      await messageWith(b, text).waitFor({ timeout: 15_000 });
    }
    await until(async () => (await delivery(a, `Did you see the doc? ${tag}`).getAttribute('data-state')) === 'seen', 'the read made while Ada was away shows as seen', 20_000);
    await until(async () => (await bar(a).count()) === 0 && (await bar(a2).count()) === 0, 'the bar goes away in both tabs', 20_000);
    await new Promise((r) => setTimeout(r, 1500)); // a late duplicate would show by now
    for (const text of offlineTexts) {
      assert((await messageWith(b, text).count()) === 1, `Bob's phone shows "${text}" once`);
      assert((await messageWith(a2, text).count()) === 1, `Ada's other tab shows "${text}" once`);
    }
    const stored = await history(baseUrl, bobToken, chatId);
    for (const text of offlineTexts) assert(stored.filter((m) => m.text === text).length === 1, `the server holds "${text}" once`);
    await shot(a, 'back-online-1280x800');
    await shot(b, 'received-once-390x844');

    log(`day: a backlog of ${BACKLOG} from Bob while Ada is on another screen`);
    await a.goto(`${baseUrl}/settings`);
    await a2.goto(`${baseUrl}/profile`);
    const firstUnread = `backlog 1 ${tag}`;
    for (let i = 1; i <= BACKLOG; i++) await post(baseUrl, bobToken, { chatId, text: i === 1 ? firstUnread : `backlog ${i} of ${BACKLOG}`, clientId: `${tag}-backlog-${i}` });
    await a.goto(`${baseUrl}/chat`);
    await until(async () => (await rowFor(a, bob.name).getByTestId('unseen-badge').textContent()) === '99+', 'Ada sees 99+ unread', 30_000);
    await shot(a, 'backlog-list-1280x800');
    await rowFor(a, bob.name).click();
    await a.getByTestId('unread-line').waitFor({ timeout: 20_000 });
    await messageWith(a, firstUnread).waitFor();
    await a.getByTestId('scroll-to-bottom').waitFor();
    await shot(a, 'backlog-unread-line-1280x800');
    await a.getByTestId('scroll-to-bottom').click();
    await messageWith(a, `backlog ${BACKLOG} of ${BACKLOG}`).waitFor();
    await shot(a, 'backlog-bottom-1280x800');
    const total = (await history(baseUrl, adaToken, chatId)).length;
    log(`  the chat holds ${total} messages`);

    log('day: the phone goes offline too: the bar on a small screen');
    await b.goto(`${baseUrl}/chat/${chatId}`);
    await messageWith(b, `backlog ${BACKLOG} of ${BACKLOG}`).waitFor();
    await ctxB.setOffline(true);
    await until(async () => (await bar(b).getAttribute('data-state')) === 'offline', 'the phone says offline', 5_000, 100);
    const phoneBar = (await bar(b).boundingBox())!;
    const phoneHeader = (await b.locator('main header').boundingBox())!;
    assert(phoneHeader.y >= phoneBar.y + phoneBar.height - 0.5, 'on the phone too, the bar hides nothing of the header');
    await until(
      () => messageWith(b, `backlog ${BACKLOG} of ${BACKLOG}`).evaluate((el) => el.getBoundingClientRect().bottom <= el.closest('[data-testid="message-list"]')!.getBoundingClientRect().bottom + 1),
      'the newest message stays in view when the bar makes the pane shorter',
    );
    await shot(b, 'offline-390x844');
    await ctxB.setOffline(false);
    await until(async () => (await bar(b).count()) === 0, 'the phone is back', 20_000);

    log('day: the phone list and chat, checked by axe');
    await b.goto(`${baseUrl}/chat`);
    await rowFor(b, ada.name).waitFor();
    await axe(b, 'chat list 390x844', log);
    await shot(b, 'list-390x844');

    log('day: logging out in tab 2 sends tab 1 to the login screen');
    await a2.goto(`${baseUrl}/profile`);
    await a2.getByRole('button', { name: 'Log out' }).click();
    await a2.waitForURL(/\/login$/);
    await a.waitForURL(/\/login$/, { timeout: 15_000 });
    await a.getByLabel('Email address').waitFor();
    assert((await bar(a).count()) === 0, 'no "Reconnecting…" left on the login screen');
    await shot(a, 'logged-out-other-tab-1280x800');

    log('axe summary:');
    for (const line of axeSummary) log(`  ${line}`);
  } finally {
    for (const c of contexts) await c.close().catch(() => undefined);
  }
}
