// Case 3: a node commits a message and dies before it could publish it. The node is
// cut from publishing on Redis (its Redis user loses PUBLISH, so the publish fails at
// once while the store commits), the message is acked to its sender, and the node is
// killed with SIGKILL at once. No node ever published the row: the change feed's
// sweeper on the other node must, and its client gets the message within 2 s, once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Cluster } from './lib/cluster.js';
import { nextEvent, sendMessage } from './lib/client.js';
import { watchingAcrossNodes } from './lib/view.js';

let cluster;
before(async () => {
  cluster = await Cluster.up();
});
after(async () => {
  await cluster?.down();
});

test('a message whose node died between commit and publish reaches the other node within 2 s', async (t) => {
  const by = await cluster.addressesByNode();
  const { chatId, sa, sb, vb } = await watchingAcrossNodes(cluster, by);
  // The path is live first: a message from api1 reaches Bob on api2 through Redis.
  const live = nextEvent(sb, 'newMessage', (m) => m.text === 'published as usual');
  assert.ok((await sendMessage(sa, chatId, 'published as usual')).message);
  await live;

  assert.equal(await cluster.redis('ACL', 'SETUSER', 'api1', '-publish'), 'OK');
  const arrived = nextEvent(sb, 'newMessage', (m) => m.text === 'committed, never published', 10_000)
    .then((m) => ({ m, at: Date.now() }));
  const ack = await sendMessage(sa, chatId, 'committed, never published');
  const ackedAt = Date.now();
  assert.ok(ack.message, `acked: ${JSON.stringify(ack)}`);
  // Before api1's own sweeper could take the row (it waits a second for a publish).
  await cluster.stop('api1', 'KILL');
  const killedMs = Date.now() - ackedAt;
  const { m, at } = await arrived;
  const afterAckMs = at - ackedAt;
  t.diagnostic(`node died before publishing: acked, killed ${killedMs} ms later, on api2 ${afterAckMs} ms after the ack`);
  assert.equal(m.seq, ack.message.seq);
  assert.ok(killedMs < 500, `api1 was killed ${killedMs} ms after the ack: its sweeper may have run`);
  assert.ok(afterAckMs < 2_000, `the message reached api2 ${afterAckMs} ms after its ack`);
  assert.ok(cluster.nodeLog('api1').includes('could not be published'), 'api1 really failed to publish');
  // Once: nothing more of it arrives while sweeps go on.
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(vb.socketDuplicates, 0, 'Bob got a message twice');
  assert.deepEqual([...vb.bySeq.keys()].sort((x, y) => x - y).slice(-2), [ack.message.seq - 1, ack.message.seq]);
});
