import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { ScenarioOptions } from './screen';
import { assert, logIn, makePng, setDisplayName, until } from './helpers';
import { DESKTOP, MOBILE, composer, rowFor } from './screen';

/**
 * A group of three, in three browsers (one phone-sized), each step seen live in the
 * others' windows: Ada creates it (its notice everywhere); Cy writes (her name over it)
 * and mentions Bob (an @ on his row); typing by name; seen by; a rename; Bob made admin;
 * a reaction, a reply with its quote, an edit, an image sent and deleted; a search that
 * jumps to its hit; Bob removes Cy (her window drops the chat, nothing more reaches
 * her), and Ada adds her back; Cy blocks Bob in their 1:1 chat (refused there, while
 * the group goes on for both). Blocking in depth is `blocking.e2e.ts`.
 */

const messageWith = (page: Page, text: string) => page.getByTestId('message-list').getByTestId('message').filter({ hasText: text });
const notice = (page: Page, text: string) => page.getByTestId('system-notice').filter({ hasText: text });

export async function runGroupsScenario({ browser, baseUrl, screenshotDir, log }: ScenarioOptions): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const people = ['Ada', 'Bob', 'Cy'].map((n) => ({ email: `${n.toLowerCase()}-g-${tag}@example.test`, name: `${n} ${tag}` }));
  const [ada, bob, cy] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
  const contexts = await Promise.all([DESKTOP, DESKTOP, MOBILE].map((viewport) => browser.newContext({ viewport, baseURL: baseUrl })));
  const [a, b, c] = (await Promise.all(contexts.map((ctx) => ctx.newPage()))) as [Page, Page, Page];
  const errors: string[] = [];
  for (const page of [a, b, c]) page.on('pageerror', (e) => errors.push(e.message));
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  const group = `Launch ${tag}`;
  try {
    log('three people log in');
    for (const [page, who] of [[a, ada], [b, bob], [c, cy]] as const) {
      await logIn(page, baseUrl, who.email);
      await setDisplayName(page, baseUrl, who.name);
    }

    log('Ada creates a group with Bob and Cy');
    await a.getByTestId('new-group').click();
    await a.getByTestId('group-name').fill(group);
    for (const who of [bob, cy]) {
      await a.getByTestId('people-search').fill(tag);
      await a.getByTestId('person-result').filter({ hasText: who.name }).click();
    }
    await shot(a, 'group-new-1280x800');
    await a.getByTestId('create-group').click();
    await a.waitForURL(/\/chat\/[^/]+$/);
    await notice(a, `You created the group “${group}”`).waitFor();
    const chatUrl = a.url();

    log('Bob and Cy see it live in their lists, with its notice as the preview');
    await rowFor(b, group).waitFor();
    await rowFor(c, group).waitFor();
    const preview = await rowFor(b, group).getByTestId('chat-preview').textContent();
    assert(preview?.includes('created the group'), `Bob's preview is the notice (got "${preview}")`);

    log('everyone opens it; Cy writes and the others see who wrote it');
    await b.goto(chatUrl);
    await c.goto(chatUrl);
    await notice(c, `${ada.name} created the group`).waitFor();
    await composer(c).fill(`Hello team ${tag}`);
    await composer(c).press('Enter');
    for (const page of [a, b]) {
      const m = messageWith(page, `Hello team ${tag}`);
      await m.waitFor();
      const sender = await m.getByTestId('sender-name').textContent();
      assert(sender === cy.name, `the sender's name is over Cy's message (got "${sender}")`);
    }

    log('Cy mentions Bob with @ completion: Bob sees it marked, and an @ on the row while away');
    await b.goto(`${baseUrl}/chat`);
    await composer(c).pressSequentially('@Bo', { delay: 30 });
    await c.getByTestId('mention-option').filter({ hasText: bob.name }).waitFor();
    await composer(c).press('Enter');
    await composer(c).pressSequentially('can you look?', { delay: 10 });
    await composer(c).press('Enter');
    await until(async () => (await rowFor(b, group).getByTestId('mention-badge').count()) === 1, 'Bob has an @ on the group row');
    await shot(b, 'group-mention-row-1280x800');
    await b.goto(chatUrl);
    const mention = messageWith(b, 'can you look?');
    await mention.waitFor();
    assert((await mention.getByTestId('mention').textContent()) === `@${bob.name}`, 'the mention is a chip with the whole name');
    assert((await mention.locator('[data-mentions-me]').count()) === 1, 'a message that mentions me is marked');
    await until(async () => (await rowFor(b, group).getByTestId('mention-badge').count()) === 0, 'opening the chat clears the @');
    await shot(b, 'group-mention-1280x800');

    log('Bob types: Ada sees his name in the header');
    await composer(b).pressSequentially('typing', { delay: 40 });
    await until(async () => (await a.getByTestId('typing-indicator').textContent())?.includes(`${bob.name} is typing`), 'Ada sees Bob typing');
    await composer(b).fill('');

    log('Cy sees "seen by" on her message once both read it');
    await until(
      async () => (await messageWith(c, `Hello team ${tag}`).getByTestId('delivery').getAttribute('title'))?.startsWith('Seen by'),
      'Cy sees who read it',
    );
    await shot(c, 'group-chat-390x844');

    log('Ada renames it; the others follow live');
    await a.getByTestId('group-info').click();
    await a.getByTestId('group-rename').fill(`Liftoff ${tag}`);
    await a.getByTestId('save-name').click();
    await until(async () => (await b.getByTestId('chat-title').textContent()) === `Liftoff ${tag}`, "Bob's header shows the new name");
    await notice(b, `${ada.name} renamed the group to “Liftoff ${tag}”`).waitFor();

    log('Ada makes Bob an admin');
    await a.getByTestId('group-member').filter({ hasText: bob.name }).getByRole('button', { name: 'Make admin' }).click();
    await until(async () => (await a.getByTestId('group-member').filter({ hasText: bob.name }).getAttribute('data-role')) === 'admin', 'Bob is an admin');
    await shot(a, 'group-info-1280x800');
    await a.keyboard.press('Escape');

    log('Bob reacts to Cy\'s message: Ada and Cy see it live');
    const hello = (page: Page) => messageWith(page, `Hello team ${tag}`);
    await hello(b).hover();
    await hello(b).getByRole('button', { name: 'Add reaction' }).click();
    await b.getByTestId('reaction-picker').getByRole('button', { name: 'React with 🎉' }).click();
    for (const page of [a, c]) {
      await until(async () => (await hello(page).getByTestId('reaction').first().textContent())?.replace(/\s/g, '') === '🎉1', 'the 🎉 is seen live');
    }

    log('Ada replies to Cy: Cy sees the quote live');
    await hello(a).hover();
    await hello(a).getByRole('button', { name: 'Reply' }).click();
    await a.getByTestId('reply-bar').waitFor();
    await composer(a).fill(`Welcome aboard ${tag}`);
    await composer(a).press('Enter');
    const answer = messageWith(c, `Welcome aboard ${tag}`);
    await answer.waitFor();
    await until(async () => (await answer.getByTestId('reply-quote').textContent())?.includes(`Hello team ${tag}`), 'Cy sees the quote');

    log('Cy edits her mention: the others see it edited live');
    const asked = messageWith(c, 'can you look?');
    await asked.hover();
    await asked.getByRole('button', { name: 'Edit message' }).click();
    const box = c.getByRole('textbox', { name: 'Edit message' });
    await box.fill(`@${bob.name} can you look now?`);
    await box.press('Enter');
    for (const page of [a, b]) await messageWith(page, 'can you look now?').getByTestId('edited').waitFor();

    log('Ada sends an image and deletes it: gone for everyone, live');
    await a.getByTestId('image-input').setInputFiles({ name: 'square.png', mimeType: 'image/png', buffer: makePng() });
    await a.getByTestId('image-preview').waitFor();
    await composer(a).fill(`a picture ${tag}`);
    await a.getByRole('button', { name: 'Send message' }).click();
    for (const page of [b, c]) await messageWith(page, `a picture ${tag}`).locator('img').waitFor({ timeout: 20_000 });
    const picture = messageWith(a, `a picture ${tag}`);
    await picture.hover();
    await picture.getByRole('button', { name: 'Delete message' }).click();
    await a.getByTestId('confirm-delete').getByRole('button', { name: 'Delete', exact: true }).click();
    for (const page of [b, c]) {
      await page.getByText('This message was deleted').waitFor({ timeout: 10_000 });
      assert((await messageWith(page, `a picture ${tag}`).count()) === 0, 'the deleted image message is gone');
    }
    await shot(b, 'group-changes-1280x800');

    log('Bob searches the group and jumps to a hit');
    await b.goto(`${baseUrl}/chat`);
    await b.getByTestId('message-search').fill(`Welcome aboard`);
    const hit = b.getByTestId('search-result').filter({ hasText: `Welcome aboard ${tag}` });
    await hit.waitFor({ timeout: 15_000 });
    await hit.click();
    const found = messageWith(b, `Welcome aboard ${tag}`);
    await found.waitFor();
    await until(async () => (await found.getAttribute('data-highlighted')) === 'true', 'the hit is marked in the group');
    await shot(b, 'group-search-jump-1280x800');

    log('Bob, an admin now, removes Cy: Cy loses the chat, the others see the notice');
    await b.getByTestId('group-info').click();
    await b.getByRole('button', { name: `Remove ${cy.name}` }).click();
    await b.keyboard.press('Escape');
    await until(async () => (await rowFor(c, `Liftoff ${tag}`).count()) === 0, "the group leaves Cy's list");
    await c.waitForURL(/\/chat$/);
    await notice(a, `${bob.name} removed ${cy.name}`).waitFor();
    await until(
      async () => (await messageWith(a, `Hello team ${tag}`).getByTestId('sender-name').textContent()) === cy.name,
      "a removed member's messages keep her name",
    );
    await until(async () => (await a.getByTestId('chat-status').textContent())?.includes('2 members'), 'the header counts 2 members');
    await shot(a, 'group-removed-1280x800');
    await shot(c, 'group-gone-390x844');

    log('Cy no longer gets its messages');
    await composer(a).fill(`After Cy ${tag}`);
    await composer(a).press('Enter');
    await messageWith(b, `After Cy ${tag}`).waitFor();
    await c.waitForTimeout(500);
    assert((await rowFor(c, 'Liftoff').count()) === 0, 'nothing of the group came back to Cy');

    log('Ada adds Cy back: the group returns to her list live, with what is said from then on');
    await a.getByTestId('group-info').click();
    await a.getByTestId('people-search').fill(cy.name);
    await a.getByTestId('person-result').filter({ hasText: cy.name }).click();
    await a.getByTestId('add-members').click();
    await a.keyboard.press('Escape');
    await rowFor(c, `Liftoff ${tag}`).waitFor({ timeout: 10_000 });
    await until(
      async () => (await b.getByTestId('system-notice').allTextContents()).some((t) => t.includes(`${ada.name} added ${cy.name}`)),
      'Bob sees the notice',
    ).catch(async (e: unknown) => {
      throw new Error(`${String(e)}: ${JSON.stringify(await b.getByTestId('system-notice').allTextContents())}`);
    });
    await composer(b).fill(`Welcome back ${tag}`);
    await composer(b).press('Enter');
    await until(async () => (await rowFor(c, `Liftoff ${tag}`).getByTestId('chat-preview').textContent())?.includes(`Welcome back ${tag}`), "the group's next message reaches Cy");
    await shot(c, 'group-back-390x844');

    log('Cy blocks Bob in their 1:1 chat: his message there is refused, and the group goes on for both');
    await c.getByLabel('Search people').fill(bob.name);
    await c.getByTestId('user-result').filter({ hasText: bob.name }).click();
    await c.waitForURL(/\/chat\/[^/]+$/);
    const directUrl = c.url();
    await c.getByRole('button', { name: `Block ${bob.name}` }).click();
    await c.getByRole('dialog').getByRole('button', { name: 'Block' }).click();
    await c.getByTestId('blocked-banner').waitFor();
    await b.goto(directUrl);
    await composer(b).fill(`psst ${tag}`);
    await composer(b).press('Enter');
    await until(async () => ((await messageWith(b, `psst ${tag}`).textContent()) ?? '').includes('blocked you'), "Bob's 1:1 send is refused");
    await b.goto(chatUrl);
    await composer(b).fill(`group still on ${tag}`);
    await composer(b).press('Enter');
    await c.goto(`${baseUrl}/chat`);
    await until(
      async () => (await rowFor(c, `Liftoff ${tag}`).getByTestId('chat-preview').textContent())?.includes(`group still on ${tag}`),
      "Bob's group message still reaches Cy",
    );
    await shot(c, 'group-after-block-390x844');
    assert(errors.length === 0, `no script errors (got ${errors.join('; ')})`);
  } catch (e) {
    // What each window showed when it failed, for whoever reads the log.
    await Promise.all([a, b, c].map((page, i) => shot(page, `group-failure-${'abc'[i]}`).catch(() => undefined)));
    throw e;
  } finally {
    await Promise.all(contexts.map((ctx) => ctx.close()));
  }
}
