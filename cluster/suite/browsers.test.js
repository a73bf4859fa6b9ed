// Case 7 (the show): two people, each in Chromium on a "machine" of their own (a
// network namespace, lib/machines.js), log in through the web client; nginx sends each
// to a different node. They chat; then the node of the first is killed with SIGKILL,
// and the chat goes on: her browser reconnects through nginx to the other node, the
// message sent meanwhile arrives once, and both keep talking. Screenshots of both
// windows, before and after, go to NATTER_CLUSTER_SHOTS (default cluster/screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { Cluster, eventually } from './lib/cluster.js';
import { Machines } from './lib/machines.js';

const SHOTS = process.env.NATTER_CLUSTER_SHOTS ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };

let machines;
let cluster;
const browsers = [];
before(async () => {
  machines = new Machines();
  await machines.up();
  // A public URL that is not loopback means a closed install (README, NATTER_SIGNUP):
  // only the first account would get in. Both people here sign up on their own.
  cluster = await Cluster.up({ host: machines.host, env: { NATTER_SIGNUP: 'open' } });
});
after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  await cluster?.down();
  await machines?.down();
});

/** The node nginx sends machine `name` to, asked from that machine. */
async function nodeOf(name) {
  const { stdout } = await machines.exec(name, 'curl', ['-s', '-o', '/dev/null', '-D', '-', `${cluster.url}/readyz`]);
  const upstream = /^x-natter-upstream:\s*(\S+)/im.exec(stdout)?.[1];
  return cluster.nodeAt(upstream);
}

/** Two machines that nginx sends to different nodes: { ada: node, bob: node }. */
async function machinesOnTwoNodes() {
  await machines.add('a', 2);
  const ada = await nodeOf('a');
  await machines.add('b', 3);
  for (let last = 3; last < 60; last++) {
    await machines.readdress('b', last);
    const bob = await nodeOf('b');
    if (bob && bob !== ada) return { ada, bob };
  }
  throw new Error(`nginx sent every address of ${machines.subnet}.0/24 to ${ada}`);
}

async function browserOn(name) {
  const b = await chromium.launch({ executablePath: machines.chromium(name, cluster.dir), args: ['--no-sandbox', '--disable-gpu'] });
  browsers.push(b);
  return b;
}

const messages = (page) => page.getByTestId('message-list').getByTestId('message');
const messageWith = (page, text) => messages(page).filter({ hasText: text });
const composer = (page) => page.getByLabel('Message', { exact: true });

async function send(page, text) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

async function seenOnce(page, text, who) {
  await messageWith(page, text).first().waitFor({ timeout: 20_000 });
  assert.equal(await messageWith(page, text).count(), 1, `${who} shows "${text}" once`);
}

/** Login screen, the code from the SMTP sink's Maildir, the verify screen, a display name. */
async function logIn(page, email, name) {
  await page.goto(`${cluster.url}/login`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByLabel('Digit 1 of 6').waitFor();
  const code = await eventually(`a code mailed to ${email}`, () => cluster.codeFor(email), 20_000, 200);
  await page.getByLabel('Digit 1 of 6').focus();
  await page.keyboard.type(code, { delay: 20 });
  await page.waitForURL(/\/chat(\/|$)/, { timeout: 15_000 });
  await page.goto(`${cluster.url}/profile`);
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Save name' }).click();
  await eventually(`profile shows ${name}`, async () => (await page.getByRole('heading', { level: 1 }).textContent())?.trim() === name);
  await page.getByRole('link', { name: 'Back to chats' }).click();
  await page.waitForURL(/\/chat(\/|$)/);
}

/**
 * The nodes that answered `page`'s websocket handshakes, in order, as they happen:
 * nginx names the node in X-Natter-Upstream, which DevTools shows for the 101. (Its
 * access log cannot tell: a websocket is logged only when it closes.)
 */
async function websocketNodes(page) {
  const nodes = [];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketHandshakeResponseReceived', ({ response }) => {
    const upstream = Object.entries(response.headers).find(([k]) => k.toLowerCase() === 'x-natter-upstream')?.[1];
    if (upstream) nodes.push(cluster.nodeAt(upstream.split(', ').at(-1)));
  });
  return nodes;
}

test('two browsers on two nodes chat, a node is killed, the chat goes on', async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const on = await machinesOnTwoNodes();
  const [ba, bb] = await Promise.all([browserOn('a'), browserOn('b')]);
  const a = await (await ba.newContext({ viewport: DESKTOP })).newPage();
  const b = await (await bb.newContext({ viewport: MOBILE, isMobile: true, hasTouch: true })).newPage();
  const [wsA, wsB] = await Promise.all([websocketNodes(a), websocketNodes(b)]);
  const tag = Date.now().toString(36);
  // A script error in either window fails the case (on a plain-http LAN address the
  // client once threw on every send: crypto.randomUUID exists only on https).
  const pageErrors = [];
  for (const [who, p] of [['Ada', a], ['Bob', b]]) p.on('pageerror', (e) => pageErrors.push(`${who}: ${e.message}`));
  // On a failure, what each person saw.
  t.after(async () => {
    if (t.passed) return;
    await a.screenshot({ path: join(SHOTS, 'cluster-failed-ada.png') }).catch(() => {});
    await b.screenshot({ path: join(SHOTS, 'cluster-failed-bob.png') }).catch(() => {});
  });
  await Promise.all([logIn(a, `ada-${tag}@example.test`, `Ada ${tag}`), logIn(b, `bob-${tag}@example.test`, `Bob ${tag}`)]);

  // Ada opens a chat with Bob; both have it open.
  await a.getByLabel('Search people').fill(tag);
  await a.getByTestId('user-result').filter({ hasText: `Bob ${tag}` }).click();
  await a.waitForURL(/\/chat\/[^/]+$/);
  const chatUrl = a.url();
  // The empty chat has loaded (the composer sends once it has).
  await a.getByText('Say hello').waitFor();
  await send(a, `Hello Bob, from ${on.ada}`);
  // On a phone the chat list comes first: the new chat rises in it, live.
  await b.getByTestId('chat-row').filter({ hasText: `Ada ${tag}` }).click();
  await seenOnce(b, `Hello Bob, from ${on.ada}`, 'Bob');
  await send(b, `Hi Ada, from ${on.bob}`);
  await seenOnce(a, `Hi Ada, from ${on.bob}`, 'Ada');
  await eventually('the seen tick on Ada', async () => (await messageWith(a, `Hello Bob, from ${on.ada}`).getByTestId('delivery').getAttribute('data-state')) === 'seen');

  // Each browser's socket really is on its own node.
  assert.deepEqual([...new Set(wsA)], [on.ada], 'Ada\'s websockets all went to her node');
  assert.deepEqual([...new Set(wsB)], [on.bob], 'Bob\'s websockets all went to his node');
  assert.equal(await cluster.socketsOn(on.ada), 1);
  assert.equal(await cluster.socketsOn(on.bob), 1);
  await a.screenshot({ path: join(SHOTS, 'cluster-1-ada-on-' + on.ada + '-1280x800.png') });
  await b.screenshot({ path: join(SHOTS, 'cluster-1-bob-on-' + on.bob + '-390x844.png') });

  // Ada's node dies. Bob writes at once; Ada's browser must reconnect to Bob's node and
  // show that message once, then both go on.
  const killedAt = Date.now();
  await cluster.stop(on.ada, 'KILL');
  await send(b, `Ada, your node just died (${tag})`);
  await eventually('Bob\'s message acked', async () => (await messageWith(b, `your node just died`).getByTestId('delivery').getAttribute('data-state')) !== 'pending', 15_000);
  await seenOnce(a, `Ada, your node just died (${tag})`, 'Ada');
  const caughtUpMs = Date.now() - killedAt;
  await eventually('both sockets on the surviving node', async () => (await cluster.socketsOn(on.bob)) === 2, 15_000);
  assert.equal(wsA.at(-1), on.bob, 'Ada\'s new websocket is on the surviving node');
  await send(a, `Still here, now on ${on.bob}`);
  await seenOnce(b, `Still here, now on ${on.bob}`, 'Bob');
  await send(b, 'Good, the chat goes on');
  await seenOnce(a, 'Good, the chat goes on', 'Ada');
  assert.equal(a.url(), chatUrl, 'Ada stayed in the chat');
  assert.equal(await a.getByText('Reconnecting').count(), 0, 'Ada\'s client is not left reconnecting');
  assert.deepEqual(pageErrors, [], 'no script error in either window');
  // The history the server holds is the one both windows show, once each.
  for (const page of [a, b]) {
    const texts = await messages(page).evaluateAll((ns) => ns.map((n) => n.querySelector('p')?.textContent?.trim()));
    assert.equal(texts.length, new Set(texts).size, `no message twice: ${texts}`);
    assert.equal(texts.length, 5);
  }
  await a.screenshot({ path: join(SHOTS, 'cluster-2-ada-after-' + on.ada + '-killed-1280x800.png') });
  await b.screenshot({ path: join(SHOTS, 'cluster-2-bob-after-' + on.ada + '-killed-390x844.png') });
  t.diagnostic(`browsers: ada on ${on.ada}, bob on ${on.bob}, websockets ${JSON.stringify({ ada: wsA, bob: wsB })}; ${on.ada} killed, Bob's message on Ada's screen ${caughtUpMs} ms later`);
});
