// Case 2: a node dies by SIGKILL while both users send. Its client reconnects
// through nginx to the surviving node and catches up from the feed; in the end every
// acked message is in both users' views exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Cluster, eventually, sleep } from './lib/cluster.js';
import { ChatView, sendStream, watchingAcrossNodes } from './lib/view.js';

let cluster;
before(async () => {
  cluster = await Cluster.up();
});
after(async () => {
  await cluster?.down();
});

/** Lost and doubled messages of `view`, against what the senders were acked. */
function audit(view, acked) {
  const counts = view.clientIdCounts();
  const lost = [...acked.keys()].filter((id) => !counts.has(id)).length;
  const duplicated = [...counts.values()].filter((n) => n > 1).length;
  return { lost, duplicated, messages: view.bySeq.size };
}

test('a node killed mid-traffic loses no acked message and doubles none', async (t) => {
  const by = await cluster.addressesByNode();
  const { ada, bob, chatId, sa, sb, va, vb } = await watchingAcrossNodes(cluster, by);

  const giveUpAt = Date.now() + 30_000;
  const streams = Promise.all([
    sendStream(sa, chatId, { count: 80, giveUpAt, tag: 'ada' }),
    sendStream(sb, chatId, { count: 80, giveUpAt, tag: 'bob' }),
  ]);
  await sleep(1_500);
  const killedAt = Date.now();
  await cluster.stop('api1', 'KILL');
  const [fromAda, fromBob] = await streams;

  // Ada's socket is back, on api2, through nginx.
  await eventually('ada reconnected', () => sa.connected, 15_000);
  await eventually('both sockets on api2', async () => (await cluster.socketsOn('api2')) === 2, 15_000);
  // nginx logs a request when it ends, so the open websocket is not there yet; the
  // polling handshake that began the new session is (after a retry: "api1, api2").
  const handshakes = cluster.accessLog().filter((l) => l.client === ada.ip && /socket\.io\/\?EIO=4&transport=polling&t=[^&]+ /.test(l.request));
  assert.equal(cluster.nodeAt(handshakes.at(-1).upstream.split(', ').at(-1)), 'api2');

  // The last deliveries settle, then each view catches up once more, as a client does
  // on its next reconnect or page load.
  await Promise.all([va.catchUp(), vb.catchUp()]);
  const acked = new Map([...fromAda.acked, ...fromBob.acked]);
  const truth = new ChatView(bob, chatId);
  await truth.catchUp();

  const a = audit(va, acked);
  const b = audit(vb, acked);
  const stored = audit(truth, acked);
  const numbers = {
    acked: acked.size,
    unacked: fromAda.unacked.length + fromBob.unacked.length,
    retries: fromAda.retries + fromBob.retries,
    ada: { ...a, caughtUp: va.caughtUp, reconnects: va.reconnects, socketDuplicates: va.socketDuplicates },
    bob: { ...b, caughtUp: vb.caughtUp, reconnects: vb.reconnects, socketDuplicates: vb.socketDuplicates },
    stored,
    reconnectMs: va.reconnectedAt - killedAt,
  };
  t.diagnostic(`node killed: ${JSON.stringify(numbers)}`);
  assert.equal(fromAda.unacked.length + fromBob.unacked.length, 0, 'every send was acked in the end');
  assert.equal(acked.size, 160);
  for (const [who, x] of Object.entries({ ada: a, bob: b, stored })) {
    assert.equal(x.lost, 0, `${who}: acked messages missing`);
    assert.equal(x.duplicated, 0, `${who}: messages there twice`);
    assert.equal(x.messages, truth.bySeq.size, `${who}: not the server's history`);
  }
  assert.equal(va.socketDuplicates + vb.socketDuplicates, 0, 'a socket got a message twice');
  // The kill really was mid-traffic: some sends had to be retried or caught up.
  assert.ok(numbers.retries > 0 || va.caughtUp > 0, `the kill hit no traffic: ${JSON.stringify(numbers)}`);
});
