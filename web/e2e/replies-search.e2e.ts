import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { assert, logIn, setDisplayName, until } from './helpers';
import type { Message, SendMessageResponse } from '../src/lib/wire';
import { DESKTOP, MOBILE, composer, messageWith, messages, type ScenarioOptions } from './screen';

/**
 * Replies and search (issue 12, points 4 and 6), two people in a chat longer than one
 * page: a reply's quote jumps to a parent that is not loaded (the window around it),
 * scrolling down from there meets the live end; the reply action and its bar; a message
 * search whose result opens the chat at the message.
 */

/** More than one page (50): the first message is not loaded when the chat opens. */
const FILLERS = 70;

/** Wholly inside the message list's visible part (Playwright's isVisible is only "rendered"). */
const inView = (target: Locator) =>
  target.evaluate((el) => {
    const list = el.closest('[data-testid="message-list"]');
    if (!list) return false;
    const [r, box] = [el.getBoundingClientRect(), list.getBoundingClientRect()];
    return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  });
const toTheEnd = (page: Page) => page.getByTestId('message-list').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));

/**
 * A send through the API with the page's session (the cookie, and the Origin it needs),
 * waiting out the send rate (30 a second) as a client would.
 */
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

export async function runRepliesSearchScenario({ browser, baseUrl, screenshotDir, log }: ScenarioOptions): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const alice = { email: `ra-${tag}@example.test`, name: `Ann ${tag}` };
  const bob = { email: `rb-${tag}@example.test`, name: `Ben ${tag}` };
  const ctxA = await browser.newContext({ viewport: DESKTOP, baseURL: baseUrl });
  const ctxB = await browser.newContext({ viewport: DESKTOP, baseURL: baseUrl });
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshotDir, name) });

  try {
    log('replies: two users and a chat longer than one page');
    await logIn(a, baseUrl, alice.email);
    await logIn(b, baseUrl, bob.email);
    await setDisplayName(a, baseUrl, alice.name);
    await setDisplayName(b, baseUrl, bob.name);
    await a.getByLabel('Search people').fill(tag);
    await a.getByTestId('user-result').filter({ hasText: bob.name }).click();
    await a.waitForURL(/\/chat\/[^/]+$/);
    const chatId = a.url().split('/').pop() ?? '';
    const parentText = `Deploy plan ${tag}: ship natter.toml first`;
    const parent = await post(a, baseUrl, { chatId, text: parentText });
    for (let i = 1; i <= FILLERS; i++) await post(i % 2 ? b : a, baseUrl, { chatId, text: `filler ${i}` });
    const question = await post(b, baseUrl, { chatId, text: `Which file? ${tag}`, replyTo: parent._id });
    // Bob has read it all (another device): opening a chat with unread messages loads
    // back to where they start, and this test needs the parent outside the first page.
    const read = await b.request.post(`${baseUrl}/api/v1/chat/${chatId}/read`, { data: { upToSeq: question.seq }, headers: { Origin: baseUrl } });
    assert(read.status() === 204, `read answered ${read.status()}`);
    await b.reload();

    log('the quote of a reply whose parent is not loaded jumps to the window around it');
    await b.getByTestId('chat-row').filter({ hasText: alice.name }).click();
    const reply = messageWith(b, `Which file? ${tag}`);
    await reply.waitFor({ timeout: 15_000 });
    const quote = reply.getByTestId('reply-quote');
    assert((await quote.textContent())?.includes(`${alice.name}`), `the quote names ${alice.name}: ${await quote.textContent()}`);
    assert((await messageWith(b, parentText).count()) === 0, 'the parent is not in the first page');
    await quote.click();
    const landed = messageWith(b, parentText);
    await landed.waitFor({ timeout: 15_000 });
    await until(async () => (await landed.getAttribute('data-highlighted')) === 'true', 'the parent is marked');
    await until(() => inView(landed), 'the parent is in view');
    await shot(b, 'reply-jump-1280x800.png');
    const held = await messages(b).evaluateAll((nodes) => nodes.map((n) => n.querySelector('p')?.textContent ?? ''));
    assert((await messageWith(b, `Which file? ${tag}`).count()) === 0, `the window ends before the live end: ${JSON.stringify(held)}`);

    log('scrolling down from the window loads newer pages until the live end');
    await until(
      async () => {
        await toTheEnd(b);
        const reply = messageWith(b, `Which file? ${tag}`);
        return (await reply.count()) === 1 && (await inView(reply));
      },
      'the reply is reached again',
      30_000,
      400,
    );
    await until(async () => (await b.getByRole('button', { name: 'Jump to latest' }).count()) === 0, 'the live end is met');
    const fillerCount = await messages(b).filter({ has: b.locator('p', { hasText: /^filler \d+$/ }) }).count();
    assert(fillerCount === FILLERS, `every filler once from the window down (saw ${fillerCount})`);

    log('the reply action: a bar above the composer, the answer quotes its parent');
    const fresh = messageWith(b, `Which file? ${tag}`);
    await fresh.hover();
    await fresh.getByRole('button', { name: 'Reply' }).click();
    const bar = b.getByTestId('reply-bar');
    await bar.waitFor();
    assert((await bar.textContent())?.includes('Replying to You'), `the bar names the author (B's own message): ${await bar.textContent()}`);
    await shot(b, 'reply-bar-1280x800.png');
    await composer(b).fill(`natter.toml, the one at the root ${tag}`);
    await composer(b).press('Enter');
    await bar.waitFor({ state: 'detached' });
    const answer = messageWith(a, `natter.toml, the one at the root ${tag}`);
    await answer.waitFor({ timeout: 15_000 });
    await until(async () => (await answer.getByTestId('reply-quote').textContent())?.includes(`Which file? ${tag}`), 'A sees the quote live');

    log('search: a dotted prefix finds the message, a click opens its chat at it');
    await a.goto(`${baseUrl}/chat`);
    await a.getByTestId('message-search').fill('natter.to');
    const result = a.getByTestId('search-result').filter({ hasText: `Deploy plan ${tag}` });
    await result.waitFor({ timeout: 15_000 });
    const marked = await result.locator('mark').allTextContents();
    assert(marked.includes('natter.toml'), `the hit is marked: ${JSON.stringify(marked)}`);
    assert((await a.getByTestId('search-result').count()) >= 2, 'the answer with natter.toml is found too');
    await shot(a, 'search-1280x800.png');
    await result.click();
    const found = messageWith(a, parentText);
    await found.waitFor({ timeout: 15_000 });
    await until(async () => (await found.getAttribute('data-highlighted')) === 'true', 'the result is marked in its chat');
    await until(() => inView(found), 'the result is in view');
    await shot(a, 'search-jump-1280x800.png');

    log('mobile: the search on the chat list, and a reply with its quote');
    await b.setViewportSize(MOBILE);
    await b.goto(`${baseUrl}/chat`);
    await b.getByTestId('message-search').fill('deplo');
    await b.getByTestId('search-result').first().waitFor({ timeout: 15_000 });
    await shot(b, 'search-390x844.png');
    await b.getByTestId('search-result').filter({ hasText: `Deploy plan ${tag}` }).click();
    await until(async () => (await messageWith(b, parentText).getAttribute('data-highlighted')) === 'true', 'mobile jump marks it');
    await shot(b, 'search-jump-390x844.png');
    // Back to the live end with the pill the window shows.
    await b.getByRole('button', { name: 'Jump to latest' }).click();
    const last = messageWith(b, `natter.toml, the one at the root ${tag}`);
    await last.waitFor({ timeout: 15_000 });
    await until(async () => (await last.count()) === 1 && (await inView(last)), 'back at the live end');
    await shot(b, 'reply-390x844.png');
  } finally {
    await ctxB.close().catch(() => undefined);
    await ctxA.close().catch(() => undefined);
  }
}
