import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { assert, logIn, setDisplayName, until } from './helpers';
import type { ScenarioOptions } from './screen';
import { DESKTOP, MOBILE, composer } from './screen';

/**
 * Issue 13 in the browser, two people: the unread count in the title and the favicon,
 * the chime (counted through a wrapped AudioContext), the "Get notified" prompt and the
 * browser's permission, the settings page persisting, a browser notification while the
 * tab is hidden, the service worker showing an injected Web Push (DevTools protocol
 * `ServiceWorker.deliverPushMessage`, since no vendor push service is reachable here)
 * and a click on it opening the chat, and a muted chat: its icon in the list (also in
 * a second tab), its unread counted in grey, and no title change, sound or
 * notification for it.
 *
 * Decision (documented in `features/notifications/model/unread.ts`): the title and the
 * favicon leave muted chats out; their rows still count.
 */

const rowFor = (page: Page, chatId: string) => page.locator(`[data-testid="chat-row"][data-chat-id="${chatId}"]`);
const messageWith = (page: Page, text: string) => page.getByTestId('message-list').getByTestId('message').filter({ hasText: text });

async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await until(async () => (await messageWith(page, text).getByTestId('delivery').getAttribute('data-state')) === 'sent' || (await messageWith(page, text).getByTestId('delivery').getAttribute('data-state')) === 'seen', `"${text}" acked`);
}

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
}

/**
 * The notifications the service worker registration shows now. Never poll this while a
 * notification may be on its way: Chromium syncs its notification database with what
 * its display holds on every getNotifications(), and a call that lands while a
 * showNotification() is still being displayed deletes that notification's entry for
 * good (measured on Chromium 156: 25 of 40 lost under a 5 ms poll, 0 of 40 when read
 * once after the show resolved). Wait on the shows recorded below, then read this once.
 */
function shownNotifications(page: Page): Promise<ShownNotification[]> {
  return page.evaluate(() =>
    navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.map((n) => ({ title: n.title, body: n.body, tag: n.tag }))),
  );
}

/**
 * Records every showNotification() that resolved, in a window (installed before any
 * page script) or in the service worker: what natter asked the browser to show.
 */
const RECORD_SHOWS = `(() => {
  const shown = (self.__shown = self.__shown || []);
  const original = ServiceWorkerRegistration.prototype.showNotification;
  if (original.__recording) return;
  const recording = function (title, options) {
    return original.call(this, title, options).then((value) => {
      shown.push({ title, body: (options && options.body) || '', tag: (options && options.tag) || '' });
      return value;
    });
  };
  recording.__recording = true;
  ServiceWorkerRegistration.prototype.showNotification = recording;
})()`;

/** What a window or the worker has shown so far, in order. */
const recordedShows = (target: Page | Worker) => (target as Pick<Worker, 'evaluate'>).evaluate<ShownNotification[]>('self.__shown || []');

async function closeNotifications(page: Page) {
  await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.forEach((n) => n.close())));
}

/** Pretends the tab went to the background (or came back): what the app reads is `visibilityState` and its event. */
async function setHidden(page: Page, hidden: boolean) {
  // A string, not a function: tsx would wrap the getters in its `__name` helper, unknown in the page.
  const state = hidden ? 'hidden' : 'visible';
  await page.evaluate(`
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => '${state}' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} });
    document.dispatchEvent(new Event('visibilitychange'));
  `);
}

const chimes = (page: Page) => page.evaluate(() => (window as unknown as { __oscillators: number }).__oscillators);

/** The id of the service worker registration for `origin`'s scope, from the DevTools protocol. */
async function registrationId(cdp: CDPSession, origin: string): Promise<string> {
  const seen = new Map<string, string>();
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> }) => {
    for (const r of e.registrations) if (!r.isDeleted) seen.set(r.scopeURL, r.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  return until(() => seen.get(`${origin}/`), 'the service worker registration over CDP');
}

export async function runNotificationsScenario({ browser, baseUrl, screenshotDir, log }: ScenarioOptions): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const origin = new URL(baseUrl).origin;
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const alice = { email: `alice-n-${tag}@example.test`, name: `Alice ${tag}` };
  const bob = { email: `bob-n-${tag}@example.test`, name: `Bob ${tag}` };
  const groupName = `Rowing ${tag}`;

  const ctxA: BrowserContext = await browser.newContext({ viewport: DESKTOP, baseURL: baseUrl });
  const ctxB: BrowserContext = await browser.newContext({ viewport: DESKTOP, baseURL: baseUrl });
  // Count the chime's notes: two oscillators per chime.
  await ctxB.addInitScript(() => {
    const w = window as unknown as { __oscillators: number };
    w.__oscillators = 0;
    const original = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function (this: AudioContext) {
      w.__oscillators += 1;
      return original.call(this);
    };
  });
  await ctxB.addInitScript(RECORD_SHOWS);
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshotDir, `notify-${name}.png`) }).then(() => undefined);
  const both = async (name: string) => {
    await shot(b, `${name}-1280x800`);
    await b.setViewportSize(MOBILE);
    await shot(b, `${name}-390x844`);
    await b.setViewportSize(DESKTOP);
  };

  /** Waits for B's tab title; a timeout says what it was, and the rows. */
  const titleIs = (expected: string, what: string) =>
    until(async () => (await b.title()) === expected, what).catch(async (e: unknown) => {
      throw new Error(`${String(e)}; title "${await b.title()}", rows ${JSON.stringify(await b.getByTestId('chat-row').allTextContents())}`);
    });

  /** A writes in a chat, opening it first if needed. */
  const aSays = async (chatId: string, text: string) => {
    if (!a.url().endsWith(`/chat/${chatId}`)) {
      await a.goto(`${baseUrl}/chat/${chatId}`);
      await composer(a).waitFor();
    }
    await send(a, text);
  };

  try {
    log('log in both; A starts a chat with B and a group with B');
    await logIn(a, baseUrl, alice.email);
    await logIn(b, baseUrl, bob.email);
    await setDisplayName(a, baseUrl, alice.name);
    await setDisplayName(b, baseUrl, bob.name);
    await a.getByLabel('Search people').fill(tag);
    await a.getByTestId('user-result').filter({ hasText: bob.name }).click();
    await a.waitForURL(/\/chat\/[^/]+$/);
    const directId = new URL(a.url()).pathname.split('/').pop() ?? '';
    const groupId = await a.evaluate(async (name) => {
      const list = (await (await fetch('/api/v1/chat/all')).json()) as { chats: Array<{ user: { _id: string } | null }> };
      const bobId = list.chats.find((c) => c.user)?.user?._id;
      const res = await fetch('/api/v1/chat/group', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, userIds: [bobId], clientId: crypto.randomUUID() }),
      });
      return ((await res.json()) as { chatId: string }).chatId;
    }, groupName);
    assert(directId && groupId, 'both chats exist');

    log('the title is plain natter with nothing unread');
    await rowFor(b, groupId).waitFor();
    await titleIs('natter', 'B title natter');

    log('the prompt asks nothing by itself: the permission stays "default" until Enable');
    const prompt = b.getByTestId('notify-prompt');
    await prompt.waitFor();
    assert((await b.evaluate(() => Notification.permission)) === 'default', 'no permission asked on load');
    await both('prompt');

    log('B views the group; a message from A in the 1:1 chat makes the title (1) natter, the favicon a badge, and a chime');
    await rowFor(b, groupId).click();
    await b.waitForURL(new RegExp(`/chat/${groupId}$`));
    const before = await chimes(b);
    await aSays(directId, `ping one ${tag}`);
    await titleIs('(1) natter', 'B title (1) natter');
    const favicon = await b.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href ?? '');
    assert(favicon.startsWith('data:image/svg+xml,') && decodeURIComponent(favicon).includes('>1</text>'), `the favicon carries a 1 badge (${favicon.slice(0, 40)}…)`);
    await until(async () => (await chimes(b)) === before + 2, 'one chime for the message');
    log('a message in the chat B is viewing: no chime, no title change');
    await aSays(groupId, `in the group ${tag}`);
    await messageWith(b, `in the group ${tag}`).waitFor();
    assert((await chimes(b)) === before + 2, 'no chime for the chat on screen');
    assert((await b.title()) === '(1) natter', 'the title still counts one');
    await rowFor(b, directId).click();
    await titleIs('natter', 'reading it clears the title');

    log('B clicks Enable: the browser is asked (headless Chromium answers every request "denied"), the prompt goes');
    await prompt.getByRole('button', { name: 'Enable' }).click();
    await prompt.waitFor({ state: 'detached' });
    assert((await b.evaluate(() => Notification.permission)) === 'denied', 'the click asked the browser');
    await b.goto(`${baseUrl}/settings`);
    await until(async () => (await b.getByTestId('permission-state').getAttribute('data-permission')) === 'denied', 'settings say blocked');
    await shot(b, 'blocked-1280x800');
    log('B allows notifications in the site settings (grantPermissions): the page follows without a reload');
    await ctxB.grantPermissions(['notifications'], { origin });
    await until(async () => (await b.getByTestId('permission-state').getAttribute('data-permission')) === 'granted', 'settings say allowed');
    await b.goto(`${baseUrl}/chat`);
    await rowFor(b, directId).waitFor();
    assert((await prompt.count()) === 0, 'no prompt once allowed');

    log('the settings page: switches persist after a reload');
    await b.getByTestId('profile-link').click();
    await b.getByTestId('settings-link').click();
    await b.waitForURL(/\/settings$/);
    const sound = b.getByRole('switch', { name: 'Sound' });
    const desktop = b.getByRole('switch', { name: 'Desktop notifications' });
    await sound.waitFor();
    assert(await desktop.isChecked(), 'desktop notifications on');
    await until(async () => (await b.getByTestId('permission-state').getAttribute('data-permission')) === 'granted', 'settings show the permission granted');
    // No vendor push service is reachable here: subscribe() fails and the page says so.
    await until(async () => ['failed', 'on'].includes((await b.getByTestId('push-state').getAttribute('data-state')) ?? ''), 'the push subscription settles', 30_000);
    log(`push subscription: ${await b.getByTestId('push-state').textContent()}`);
    await sound.click();
    await until(async () => !(await sound.isChecked()) && (await sound.isEnabled()), 'sound off, saved');
    await until(() => sound.isEnabled(), 'settings loaded');
    const mailSupported = !(await b.getByRole('radio', { name: '5 min', exact: true }).isDisabled());
    if (mailSupported) {
      await b.getByRole('radio', { name: '5 min', exact: true }).click();
      await until(async () => (await b.getByRole('radio', { name: '5 min', exact: true }).isChecked()) && (await b.getByRole('radio', { name: '5 min', exact: true }).isEnabled()), 'unread mail 5 min, saved');
    } else {
      log('this server sends no unread mail: its choice is read-only');
    }
    await both('settings');
    await b.reload();
    await sound.waitFor();
    await until(async () => (await sound.isEnabled()) && !(await sound.isChecked()), 'sound stays off after a reload');
    assert(await desktop.isChecked(), 'desktop stays on after a reload');
    if (mailSupported) assert(await b.getByRole('radio', { name: '5 min', exact: true }).isChecked(), 'unread mail stays 5 min after a reload');
    const afterReload = await chimes(b);
    log('with sound off, a message in another chat makes no chime');
    await b.goto(`${baseUrl}/chat`);
    await rowFor(b, directId).waitFor();
    await aSays(directId, `quiet please ${tag}`);
    await titleIs('(1) natter', 'counted in the title');
    assert((await chimes(b)) === afterReload, 'no chime with sound off');
    await b.goto(`${baseUrl}/settings`);
    await sound.click();
    await until(async () => (await sound.isChecked()) && (await sound.isEnabled()), 'sound back on');

    await b.goto(`${baseUrl}/chat/${directId}`);
    await messageWith(b, `quiet please ${tag}`).waitFor();
    await titleIs('natter', 'read');

    log('B leaves the tab in the background on the group: a message there shows a browser notification');
    await rowFor(b, groupId).click();
    await messageWith(b, `in the group ${tag}`).waitFor();
    await b.evaluate(() => navigator.serviceWorker.ready);
    await setHidden(b, true);
    await aSays(groupId, `while hidden ${tag}\nsecond line`);
    const hiddenShown = await until(async () => (await recordedShows(b)).find((n) => n.tag === groupId), 'a tab notification for the group');
    assert(hiddenShown.title === `${alice.name} · ${groupName}` && hiddenShown.body === `while hidden ${tag}`, `it names sender and group, and the first line (${JSON.stringify(hiddenShown)})`);
    const listed = await shownNotifications(b);
    assert(listed.some((n) => n.tag === groupId), `the browser holds it (${JSON.stringify(listed)})`);
    await titleIs('(1) natter', 'the hidden tab counts the open chat');
    await setHidden(b, false);
    await titleIs('natter', 'back on screen: read');
    await closeNotifications(b);

    log('the service worker shows an injected push, and a click opens the chat');
    await b.goto(`${baseUrl}/chat`);
    await rowFor(b, directId).waitFor();
    const cdp = await ctxB.newCDPSession(b);
    const regId = await registrationId(cdp, origin);
    const worker = await until(() => ctxB.serviceWorkers()[0], 'the service worker in Playwright');
    await worker.evaluate(RECORD_SHOWS);
    const payload = {
      v: 1,
      type: 'message',
      chatId: directId,
      messageId: 'm-push',
      seq: 99,
      title: alice.name,
      body: `pushed ${tag}`,
      url: `/chat/${directId}`,
    };
    await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: regId, data: JSON.stringify(payload) });
    const pushed = await until(async () => (await recordedShows(worker)).find((n) => n.tag === directId), 'the push notification');
    assert(pushed.title === alice.name && pushed.body === `pushed ${tag}`, `the push shows title and body (${JSON.stringify(pushed)})`);
    const pushedListed = await shownNotifications(b);
    assert(pushedListed.some((n) => n.tag === directId), `the browser holds it (${JSON.stringify(pushedListed)})`);
    await worker.evaluate(async () => {
      const sw = self as unknown as { registration: ServiceWorkerRegistration; dispatchEvent: (e: Event) => boolean };
      const [notification] = await sw.registration.getNotifications();
      const Ctor = (self as unknown as { NotificationEvent: new (type: string, init: { notification: Notification }) => Event }).NotificationEvent;
      if (notification) sw.dispatchEvent(new Ctor('notificationclick', { notification }));
    });
    await b.waitForURL(new RegExp(`/chat/${directId}$`), { timeout: 10_000 });
    await until(async () => (await shownNotifications(b)).length === 0, 'the clicked notification closed');
    log('no push notification while a visible window views that chat');
    const pushesBefore = (await recordedShows(worker)).length;
    await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: regId, data: JSON.stringify({ ...payload, body: 'not shown' }) });
    // Longer than the worker waits for a window's answer (1.5 s), so a wrong guess after
    // an unanswered question would be on screen by now.
    await new Promise((r) => setTimeout(r, 2500));
    const pushesAfter = await recordedShows(worker);
    assert(pushesAfter.length === pushesBefore, `skipped for the chat on screen (shown ${JSON.stringify(pushesAfter.slice(pushesBefore))})`);
    const stillShown = await shownNotifications(b);
    assert(stillShown.length === 0, `nothing left on screen (${JSON.stringify(stillShown)})`);

    log('B mutes the 1:1 chat: the icon shows here and in a second tab');
    const b2 = await ctxB.newPage();
    await b2.goto(`${baseUrl}/chat`);
    await rowFor(b2, directId).waitFor();
    const mute = b.getByTestId('mute-chat');
    await mute.click();
    await until(async () => (await mute.getAttribute('data-muted')) === 'true', 'the header says muted');
    await rowFor(b, directId).getByTestId('muted-icon').waitFor();
    await rowFor(b2, directId).getByTestId('muted-icon').waitFor({ timeout: 10_000 });
    await b2.close();
    await both('muted');
    log('a message in the muted chat: counted in its row, in grey; no title change, chime or notification');
    await rowFor(b, groupId).click();
    await b.waitForURL(new RegExp(`/chat/${groupId}$`));
    const mutedBefore = await chimes(b);
    const shownBefore = (await recordedShows(b)).length;
    await setHidden(b, true);
    await aSays(directId, `muted ping ${tag}`);
    const badge = rowFor(b, directId).getByTestId('unseen-badge');
    await until(async () => (await badge.textContent()) === '1', 'the muted row counts 1');
    assert((await badge.getAttribute('data-muted')) === 'true', 'the count is grey');
    await new Promise((r) => setTimeout(r, 1000));
    assert((await b.title()) === 'natter', 'the title leaves the muted chat out');
    assert((await chimes(b)) === mutedBefore, 'no chime for a muted chat');
    assert((await recordedShows(b)).length === shownBefore, 'no notification for a muted chat');
    assert((await shownNotifications(b)).length === 0, 'none on screen for a muted chat');
    await setHidden(b, false);
    await b.reload();
    await rowFor(b, directId).getByTestId('muted-icon').waitFor();
    await b.setViewportSize(MOBILE);
    await b.goto(`${baseUrl}/chat`);
    await rowFor(b, directId).getByTestId('unseen-badge').waitFor();
    await shot(b, 'muted-row-390x844');
    await b.setViewportSize(DESKTOP);
    log('unmute: the chat alerts again');
    await rowFor(b, directId).click();
    await b.getByTestId('mute-chat').click();
    await until(async () => (await b.getByTestId('mute-chat').getAttribute('data-muted')) === 'false', 'unmuted');
    await rowFor(b, groupId).click();
    await aSays(directId, `unmuted ping ${tag}`);
    await titleIs('(1) natter', 'counted again once unmuted');

    log('logging out takes the push subscription back');
    await b.goto(`${baseUrl}/profile`);
    await b.getByRole('button', { name: 'Log out' }).click();
    await b.waitForURL(/\/login$/);
    assert((await b.title()) === 'natter', 'plain title after logout');

    log('the app shell opens offline (a production build: its worker carries a precache list)');
    const ctxC = await browser.newContext({ viewport: MOBILE, baseURL: baseUrl });
    try {
      const c = await ctxC.newPage();
      await c.goto(`${baseUrl}/login`);
      await c.evaluate(() => navigator.serviceWorker.ready);
      const cacheNames = await until(async () => {
        const names = await c.evaluate(() => caches.keys());
        return names.length > 0 ? names : null;
      }, 'the shell cache');
      if (cacheNames.some((n) => n === 'natter-shell-dev')) {
        log('development server: the shell is cached as fetched, not precached; skipping the offline reload');
      } else {
        await until(() => c.evaluate(() => navigator.serviceWorker.controller !== null), 'the page is controlled');
        await ctxC.setOffline(true);
        await c.reload();
        await c.getByLabel('Email address').waitFor({ timeout: 10_000 });
        await shot(c, 'offline-shell-390x844');
      }
    } finally {
      await ctxC.close().catch(() => undefined);
    }
  } finally {
    await ctxB.close().catch(() => undefined);
    await ctxA.close().catch(() => undefined);
  }
}
