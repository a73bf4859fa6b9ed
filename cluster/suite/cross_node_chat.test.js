// Case 1: two users whose clients nginx puts on different nodes chat as if they
// shared one: presence, typing, a message and its receipt, and an image whose upload
// one node took and whose signed link the other node serves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

import { Cluster, eventually } from './lib/cluster.js';
import { chatBetween, multipart, nextEvent, sendMessage } from './lib/client.js';
import { gradientPng } from './lib/png.js';

let cluster;
before(async () => {
  cluster = await Cluster.up();
});
after(async () => {
  await cluster?.down();
});

test('clients on different nodes see presence, typing, messages, receipts and images', async () => {
  const by = await cluster.addressesByNode();
  const ada = await cluster.client(by.api1[0]).login();
  const bob = await cluster.client(by.api2[0]).login();
  const chatId = await chatBetween(ada, bob);

  const sa = await ada.connect();
  const bobOnline = nextEvent(sa, 'presence', (p) => p.userId === bob.user._id && p.online === true);
  const sb = await bob.connect();
  await bobOnline;

  // Each socket is on the node its address maps to: ask the nodes, and nginx's log.
  await eventually('one socket on each node', async () =>
    (await cluster.socketsOn('api1')) === 1 && (await cluster.socketsOn('api2')) === 1);
  const served = (ip) => new Set(cluster.accessLog().filter((l) => l.client === ip && l.request.includes('/socket.io/'))
    .map((l) => cluster.nodeAt(l.upstream)));
  assert.deepEqual([...served(ada.ip)], ['api1']);
  assert.deepEqual([...served(bob.ip)], ['api2']);
  assert.ok(sa.io.engine.transport.name === 'websocket' || (await eventually('the upgrade to websocket',
    () => sa.io.engine.transport.name === 'websocket')));

  // Typing goes from a socket viewing the chat to the members viewing it, and joinChat
  // has no answer: try until both joins are in. A repeated `typing` only refreshes the
  // indicator (no new userTyping), so each try ends with `stopTyping`.
  sa.emit('joinChat', chatId);
  sb.emit('joinChat', chatId);
  const typed = async (from, to, who) => eventually(`userTyping from ${who}`, async () => {
    const seen = nextEvent(to, 'userTyping', (t) => t.chatId === chatId && t.userId === who, 300);
    from.emit('typing', { chatId });
    if (await seen.then(() => true, () => false)) return true;
    from.emit('stopTyping', { chatId });
    return false;
  });
  await typed(sa, sb, ada.user._id);
  await typed(sb, sa, bob.user._id);

  // A message live across nodes, and its receipt: bob views the chat, so it is seen at once.
  const arrives = nextEvent(sb, 'newMessage', (m) => m.chatId === chatId && m.text === 'hello from api1');
  const seen = nextEvent(sa, 'messagesSeen', (s) => s.chatId === chatId && s.seenBy === bob.user._id);
  const ack = await sendMessage(sa, chatId, 'hello from api1');
  assert.ok(ack.message, `sendMessage acked ${JSON.stringify(ack)}`);
  const got = await arrives;
  assert.equal(got._id, ack.message._id);
  assert.equal(got.seq, ack.message.seq);
  const receipt = await seen;
  assert.ok(receipt.messageIds.includes(ack.message._id) || receipt.upToSeq >= ack.message.seq);

  // An image uploaded through api2 reaches ada on api1, and its signed link loads there.
  const png = gradientPng(64, 48);
  const form = multipart({
    chatId,
    text: 'a picture',
    clientId: randomUUID(),
    image: { filename: 'gradient.png', type: 'image/png', data: png },
  });
  const image = nextEvent(sa, 'newMessage', (m) => m.chatId === chatId && m.messageType === 'image');
  const posted = await bob.request('POST', '/api/v1/message', { body: form.body, headers: { 'content-type': form.type } });
  assert.equal(posted.status, 201, posted.text);
  assert.equal(cluster.nodeAt(posted.headers['x-natter-upstream']), 'api2');
  const im = await image;
  assert.equal(im.image.width, 64);
  assert.equal(im.image.height, 48);
  const link = new URL(im.image.url);
  assert.equal(link.origin, cluster.url, 'image links are under the public URL');
  const media = await ada.request('GET', link.pathname + link.search, { headers: { authorization: '' } });
  assert.equal(media.status, 200);
  assert.equal(cluster.nodeAt(media.headers['x-natter-upstream']), 'api1');
  assert.match(media.headers['content-type'], /^image\//);

  // Bob leaves: ada, on the other node, sees him go offline.
  const bobOffline = nextEvent(sa, 'presence', (p) => p.userId === bob.user._id && p.online === false, 10_000);
  sb.close();
  await bobOffline;
});
