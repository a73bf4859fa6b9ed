import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assert, makePng, readLoginCode, until } from '../helpers';

/**
 * The seed's client as its users deploy it: the page on its own origin (./page, served by
 * ./page-server.ts), natter's API on another. Two people, two browser contexts: login
 * with mailed codes, user search, a 1:1 chat, live messages both ways, typing, seen ticks
 * (also for a message the other person watched arrive), unseen badges, an image on both
 * sides, a rename, logout. Then what went over the wire: Bearer on every call, CORS on
 * every answer, preflights, Socket.IO polling then websocket, media without a cookie.
 */

const DESKTOP = { width: 1280, height: 800 };

export interface SeedScenarioOptions {
  browser: Browser;
  /** natter, e.g. http://127.0.0.1:8080 */
  apiUrl: string;
  /** the stand-in client, e.g. http://localhost:3000 */
  pageOrigin: string;
  screenshotDir: string;
  log: (line: string) => void;
}

/** What one page sent to and got from natter, for the checks at the end and for failures. */
interface Wire {
  calls: { method: string; url: string; authorization?: string; acao?: string | null; status?: number }[];
  preflights: { url: string; status?: number; allowOrigin?: string }[];
  websockets: string[];
  polling: number;
  consoleErrors: string[];
  failed: string[];
}

const composer = (page: Page) => page.getByLabel('Message', { exact: true });
const bubble = (page: Page, text: string) => page.locator('.messages .message').filter({ hasText: text });
const tick = (page: Page, text: string) => bubble(page, text).locator('.tick').getAttribute('aria-label');
const chatRow = (page: Page, name: string) => page.locator('.sidebar .chat-item').filter({ hasText: name });
const badge = (page: Page, name: string) => chatRow(page, name).locator('.badge');
const headerName = (page: Page) => page.locator('.chat-header h3');
const headerStatus = (page: Page) => page.locator('.chat-header .status');
const onlineDot = (page: Page, name: string) => chatRow(page, name).locator('.dot').getAttribute('aria-label');
const text = async (l: ReturnType<Page['locator']>) => (await l.textContent())?.trim();

async function send(page: Page, message: string) {
  await composer(page).fill(message);
  await composer(page).press('Enter');
  await bubble(page, message).first().waitFor({ timeout: 15_000 });
}

async function imageLoaded(page: Page, caption: string): Promise<string> {
  const img = bubble(page, caption).locator('img');
  await img.waitFor({ timeout: 20_000 });
  const src = await img.evaluate((el: HTMLImageElement) => el.src);
  await until(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0), `<img src="${src}"> to load`);
  return src;
}

async function watchWire(context: BrowserContext, page: Page, apiUrl: string): Promise<Wire> {
  const wire: Wire = { calls: [], preflights: [], websockets: [], polling: 0, consoleErrors: [], failed: [] };
  const api = new URL(apiUrl).origin;
  page.on('console', (m) => {
    if (m.type() === 'error') wire.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => wire.consoleErrors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => wire.failed.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText ?? '?'}`));
  page.on('request', (r) => {
    if (new URL(r.url()).origin !== api) return;
    if (r.url().includes('/socket.io/') && r.url().includes('transport=polling')) wire.polling++;
  });
  page.on('response', (res) => {
    const r = res.request();
    if (new URL(r.url()).origin !== api || !['fetch', 'xhr'].includes(r.resourceType())) return;
    wire.calls.push({ method: r.method(), url: r.url(), authorization: r.headers()['authorization'], acao: res.headers()['access-control-allow-origin'] ?? null, status: res.status() });
  });
  page.on('websocket', (ws) => wire.websockets.push(ws.url()));
  // Playwright does not report CORS preflights; the DevTools protocol does.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const pending = new Map<string, string>();
  cdp.on('Network.requestWillBeSent', (e) => {
    if (e.request.method === 'OPTIONS' && e.request.url.startsWith(api)) pending.set(e.requestId, e.request.url);
  });
  cdp.on('Network.responseReceived', (e) => {
    const url = pending.get(e.requestId);
    if (url === undefined) return;
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    wire.preflights.push({ url, status: e.response.status, allowOrigin: h['access-control-allow-origin'] });
  });
  return wire;
}

function describe(name: string, w: Wire): string {
  const last = (xs: string[]) => xs.slice(-8).map((x) => `    ${x.slice(0, 300)}`).join('\n');
  return [
    `  ${name}: ${w.calls.length} API calls, ${w.preflights.length} preflights, ${w.polling} polling requests, websockets: ${w.websockets.length}`,
    `  console errors:\n${last(w.consoleErrors)}`,
    `  failed requests:\n${last(w.failed)}`,
  ].join('\n');
}

async function logIn(page: Page, pageOrigin: string, apiUrl: string, email: string, shot?: (name: string) => Promise<void>) {
  await page.goto(`${pageOrigin}/login`);
  const field = page.getByLabel('Email Address');
  await field.waitFor();
  await field.fill(email);
  await shot?.('seed-login');
  const since = Date.now();
  await page.getByRole('button', { name: 'Send Verification Code' }).click();
  await page.waitForURL(/\/verify\?email=/, { timeout: 15_000 }).catch(async () => {
    const toasts = await page.locator('#toasts').textContent();
    throw new Error(`POST /api/v1/login from ${page.url()} did not lead to /verify (toasts: "${toasts ?? ''}")`);
  });
  const code = await readLoginCode(apiUrl, email, since);
  await page.getByLabel('Digit 1 of 6').focus();
  await page.keyboard.type(code, { delay: 30 });
  await shot?.('seed-verify');
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(/\/chat$/, { timeout: 15_000 });
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
}

export async function runSeedScenario({ browser, apiUrl, pageOrigin, screenshotDir, log }: SeedScenarioOptions): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  // New users are named after their address's local part until they rename.
  const alice = { email: `seed-a-${tag}@example.test`, name: `seed-a-${tag}`, renamed: `Ada ${tag}` };
  const bob = { email: `seed-b-${tag}@example.test`, name: `seed-b-${tag}` };

  const ctxA = await browser.newContext({ viewport: DESKTOP });
  const ctxB = await browser.newContext({ viewport: DESKTOP });
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  const wireA = await watchWire(ctxA, a, apiUrl);
  const wireB = await watchWire(ctxB, b, apiUrl);
  const shot = (page: Page) => (name: string) => page.screenshot({ path: path.join(screenshotDir, `${name}.png`) }).then(() => undefined);

  try {
    log(`B logs in on ${pageOrigin}, then A (the seed fetches the user list at login)`);
    await logIn(b, pageOrigin, apiUrl, bob.email);
    await logIn(a, pageOrigin, apiUrl, alice.email, shot(a));
    for (const [who, page, ctx] of [['A', a, ctxA], ['B', b, ctxB]] as const) {
      const cookie = await page.evaluate(() => document.cookie);
      assert(/(^|; )token=eyJ/.test(cookie), `${who} keeps the token in a cookie JavaScript reads (document.cookie: "${cookie.slice(0, 40)}")`);
      // Cookies are per host, not per port: the page's own `token` cookie is visible to an
      // API on the same host, but no natter session cookie may exist (credential-less fetch).
      const apiCookies = (await ctx.cookies(apiUrl)).filter((c) => c.name.includes('natter_session'));
      assert(apiCookies.length === 0, `${who}'s browser holds no session cookie for the API (credential-less fetch), got ${apiCookies.map((c) => c.name).join(', ')}`);
    }

    log('A searches for B and opens a 1:1 chat');
    await a.getByRole('button', { name: 'Start new chat' }).click();
    await a.getByLabel('Search Users').fill(bob.name);
    const hit = a.locator('.user-item').filter({ hasText: bob.name });
    await hit.waitFor();
    assert((await a.locator('.user-item').count()) === 1, 'the search shows exactly B');
    await hit.click();
    await until(async () => (await text(headerName(a))) === bob.name, "A's header names B");
    await until(async () => (await text(headerStatus(a))) === 'Online', "A's header shows B online");
    await chatRow(a, bob.name).waitFor();

    log('A writes; B, on the chat list, reloads to see the new chat (the seed adds chats on fetch only)');
    await send(a, `Hello B ${tag}`);
    await until(async () => (await tick(a, `Hello B ${tag}`)) === 'Sent', 'single tick on A');
    // The seed's client files the send answer's `sender` as the chat's latest sender and
    // draws the "sent by you" arrow when it equals its own _id.
    await until(async () => (await chatRow(a, bob.name).locator('.arrow').getAttribute('title')) === 'sent by you', "A's row marks the last message as sent by A");
    await b.reload();
    await until(async () => (await text(badge(b, alice.name))) === '1', "B's badge shows 1 after reload");
    // B's socket is up once its online list came: live events reach it from here on.
    await until(async () => (await onlineDot(b, alice.name)) === 'online', 'B sees A online');
    await send(a, 'Are you there?');
    await until(async () => (await text(badge(b, alice.name))) === '2', "B's badge rises to 2 live");
    await until(async () => (await text(chatRow(b, alice.name).locator('.latest-text'))) === 'Are you there?', "B's row previews the last message");
    await shot(b)('seed-unseen-badge');

    log('B opens the chat: the badge clears and A gets double ticks');
    await chatRow(b, alice.name).click();
    await bubble(b, 'Are you there?').waitFor();
    await bubble(b, `Hello B ${tag}`).waitFor();
    await until(async () => (await badge(b, alice.name).count()) === 0, "B's badge cleared");
    await until(async () => (await tick(a, 'Are you there?')) === 'Seen' && (await tick(a, `Hello B ${tag}`)) === 'Seen', 'double ticks on A');

    log('typing indicator, then a message B watches arrive');
    await composer(a).click();
    await a.keyboard.type('typing test', { delay: 100 });
    await until(async () => (await text(headerStatus(b))) === 'typing...', 'B sees "typing..."');
    await shot(b)('seed-typing');
    await composer(a).press('Enter');
    await bubble(b, 'typing test').waitFor({ timeout: 15_000 });
    await until(async () => (await text(headerStatus(b))) === 'Online', "B's header is back to Online after the send");
    await until(async () => (await tick(a, 'typing test')) === 'Seen', 'A gets the double tick for a message B watched arrive');

    log('an image from A, shown with a plain <img> on both sides');
    await a.getByLabel('Attach image').setInputFiles({ name: 'square.png', mimeType: 'image/png', buffer: makePng() });
    await a.locator('.preview img').waitFor();
    await composer(a).fill('a picture');
    await a.getByRole('button', { name: 'Send message' }).click();
    const srcA = await imageLoaded(a, 'a picture');
    const srcB = await imageLoaded(b, 'a picture');
    for (const src of [srcA, srcB]) {
      const u = new URL(src);
      assert(u.origin === new URL(apiUrl).origin && u.pathname.startsWith('/media/'), `image.url is absolute under the API (${src})`);
      assert(u.searchParams.has('sig') && u.searchParams.has('exp'), `image.url carries its own signature (${src})`);
    }
    const sessionCookies = async (ctx: typeof ctxA) => (await ctx.cookies(apiUrl)).filter((c) => c.name.includes('natter_session')).length;
    assert((await sessionCookies(ctxA)) === 0 && (await sessionCookies(ctxB)) === 0, 'the images loaded with no session cookie for the API');
    const forged = new URL(srcB);
    forged.searchParams.set('sig', `${forged.searchParams.get('sig')?.slice(0, -2) ?? ''}xx`);
    const forgedStatus = (await fetch(forged)).status;
    assert(forgedStatus === 404, `an altered signature gets 404 (got ${forgedStatus})`);
    await until(async () => (await tick(a, 'a picture')) === 'Seen', 'A gets the double tick for the image B watched arrive');
    await shot(a)('seed-chat-a');

    // B has sent nothing yet (a send moves the sender's own read marker): only marking
    // on arrival keeps "typing test" and the picture from counting as unseen here.
    log('what B watched arrive stays seen: after a reload the chat is not counted unseen');
    await b.reload();
    await chatRow(b, alice.name).waitFor();
    await until(async () => (await text(chatRow(b, alice.name).locator('.latest-text'))) === '📷 Image', "B's row previews the image as the seed did");
    const staleBadge = await badge(b, alice.name).count();
    assert(staleBadge === 0, `B has no badge after the reload (saw "${staleBadge ? await text(badge(b, alice.name)) : ''}")`);

    log('B opens the chat again and replies; A, viewing, sees it live and B gets the double tick at once');
    await chatRow(b, alice.name).click();
    await imageLoaded(b, 'a picture');
    await send(b, `Hi A ${tag}`);
    await bubble(a, `Hi A ${tag}`).waitFor({ timeout: 15_000 });
    await until(async () => (await tick(b, `Hi A ${tag}`)) === 'Seen', 'B gets the double tick for a message A watched arrive');
    await shot(b)('seed-chat-b');

    log('B leaves the chat (to /profile and back): the badge counts again, A keeps a single tick');
    await b.getByRole('link', { name: 'Profile' }).click();
    await b.getByRole('heading', { name: bob.name }).waitFor();
    await b.getByRole('link', { name: 'Back to Chat' }).click();
    await chatRow(b, alice.name).waitFor();
    await send(a, `while you were away ${tag}`);
    await until(async () => (await text(badge(b, alice.name))) === '1', "B's badge shows 1 live");
    assert((await tick(a, `while you were away ${tag}`)) === 'Sent', 'A keeps the single tick while B is not viewing');
    await b.reload();
    await until(async () => (await text(badge(b, alice.name))) === '1', "B's badge still shows 1 after a reload (the server counts it)");
    await chatRow(b, alice.name).click();
    await bubble(b, `while you were away ${tag}`).waitFor();
    await until(async () => (await tick(a, `while you were away ${tag}`)) === 'Seen', 'A gets the double tick once B opens the chat');

    log('A renames on /profile; B sees the new name after a reload');
    await a.getByRole('link', { name: 'Profile' }).click();
    await a.getByRole('heading', { name: alice.name }).waitFor();
    await a.getByRole('button', { name: 'Edit Name' }).click();
    await a.getByLabel('Name', { exact: true }).fill(alice.renamed);
    await a.getByRole('button', { name: 'Save' }).click();
    await a.getByRole('heading', { name: alice.renamed }).waitFor();
    await shot(a)('seed-profile');
    assert(/(^|; )token=eyJ/.test(await a.evaluate(() => document.cookie)), 'A still holds a token after the rename');
    await a.reload();
    await a.getByRole('heading', { name: alice.renamed }).waitFor();
    await b.reload();
    await chatRow(b, alice.renamed).waitFor();
    await chatRow(b, alice.renamed).click();
    await until(async () => (await text(headerName(b))) === alice.renamed, "B's header shows the new name");

    log('A logs out');
    await a.getByRole('link', { name: 'Back to Chat' }).click();
    await chatRow(a, bob.name).waitFor();
    await a.getByRole('button', { name: 'Logout' }).click();
    await a.waitForURL(/\/login$/);
    assert(!/(^|; )token=/.test(await a.evaluate(() => document.cookie)), 'the token cookie is gone after logout');
    await a.reload();
    await a.getByLabel('Email Address').waitFor();
    assert(a.url().endsWith('/login'), `a reload after logout stays on /login (at ${a.url()})`);
    await shot(a)('seed-logged-out');

    log('what went over the wire');
    for (const [who, w] of [['A', wireA], ['B', wireB]] as const) {
      const rest = w.calls.filter((c) => !c.url.includes('/socket.io/'));
      const open = rest.filter((c) => /\/api\/v1\/(login|verify)$/.test(new URL(c.url).pathname));
      const authed = rest.filter((c) => !open.includes(c));
      assert(authed.length > 10, `${who} made authenticated API calls (${authed.length})`);
      const noBearer = authed.filter((c) => !/^Bearer eyJ/.test(c.authorization ?? '') && c.status !== 401);
      assert(noBearer.length === 0, `${who} sent Bearer on every call (not on: ${noBearer.map((c) => `${c.method} ${c.url}`).join(', ')})`);
      const noCors = w.calls.filter((c) => c.acao !== pageOrigin);
      assert(noCors.length === 0, `every answer to ${who} allowed ${pageOrigin} (not: ${noCors.map((c) => `${c.method} ${c.url} -> ${c.acao}`).join(', ')})`);
      assert(w.preflights.length > 0, `${who}'s browser sent CORS preflights`);
      const badPreflights = w.preflights.filter((p) => !p.status || p.status >= 300 || p.allowOrigin !== pageOrigin);
      assert(badPreflights.length === 0, `every preflight for ${who} succeeded (not: ${badPreflights.map((p) => `${p.url} -> ${p.status} ${p.allowOrigin}`).join(', ')})`);
      assert(w.polling > 0, `${who}'s socket started on polling`);
      assert(
        w.websockets.some((u) => u.includes('/socket.io/') && u.includes('transport=websocket') && u.includes('sid=')),
        `${who}'s socket upgraded to a websocket (${w.websockets.join(', ') || 'none'})`,
      );
      const corsErrors = w.consoleErrors.filter((e) => /CORS|Access-Control/i.test(e));
      assert(corsErrors.length === 0, `${who}'s console shows no CORS errors (${corsErrors.slice(0, 3).join(' | ')})`);
      log(`${who}: ${authed.length} Bearer calls, ${w.preflights.length} preflights, ${w.polling} polling requests, ${w.websockets.length} websocket(s)`);
    }
  } catch (error) {
    await Promise.all([
      a.screenshot({ path: path.join(screenshotDir, 'seed-failure-a.png') }).catch(() => undefined),
      b.screenshot({ path: path.join(screenshotDir, 'seed-failure-b.png') }).catch(() => undefined),
    ]);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n${describe('A', wireA)}\n${describe('B', wireB)}`, { cause: error });
  } finally {
    await ctxB.close().catch(() => undefined);
    await ctxA.close().catch(() => undefined);
  }
}
