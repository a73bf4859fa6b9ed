import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { ScenarioOptions } from './chat.e2e';
import { assert, logIn, setDisplayName, until } from './helpers';

/**
 * A group of three, in three browsers (one phone-sized): Ada creates it, everyone sees
 * it live with its notice; Cy writes and the others see who wrote it; Ada renames it and
 * the others' headers follow; Ada makes Bob an admin, Bob removes Cy, and Cy's window
 * drops the chat while the others see the notice.
 */

const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };

const composer = (page: Page) => page.getByLabel('Message', { exact: true });
const messageWith = (page: Page, text: string) => page.getByTestId('message-list').getByTestId('message').filter({ hasText: text });
const notice = (page: Page, text: string) => page.getByTestId('system-notice').filter({ hasText: text });
const rowFor = (page: Page, name: string) => page.getByTestId('chat-row').filter({ hasText: name });

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
    assert(errors.length === 0, `no script errors (got ${errors.join('; ')})`);
  } finally {
    await Promise.all(contexts.map((ctx) => ctx.close()));
  }
}
