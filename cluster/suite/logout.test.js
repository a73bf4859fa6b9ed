// Case 4: logging out on one node closes that session's sockets on the other node
// within a second, and only that session's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Cluster } from './lib/cluster.js';

let cluster;
before(async () => {
  cluster = await Cluster.up();
});
after(async () => {
  await cluster?.down();
});

test('logout through api1 closes the session sockets held by api2 within 1 s', async (t) => {
  const by = await cluster.addressesByNode();
  // One session, used from a browser tab nginx sends to api1 and a phone it sends to api2.
  const tab = await cluster.client(by.api1[0]).login();
  const phone = cluster.client(by.api2[0]);
  phone.token = tab.token;
  const other = await cluster.client(by.api2[1]).login();
  const sp = await phone.connect({ reconnection: false });
  const so = await other.connect({ reconnection: false });
  assert.equal(await cluster.socketsOn('api2'), 2);

  const closed = new Promise((resolve) => sp.once('disconnect', (reason) => resolve({ reason, at: Date.now() })));
  const began = Date.now();
  const out = await tab.request('POST', '/api/v1/logout');
  assert.equal(out.status, 204, out.text);
  assert.equal(cluster.nodeAt(out.headers['x-natter-upstream']), 'api1');
  const { reason, at } = await Promise.race([
    closed,
    new Promise((_, reject) => setTimeout(() => reject(new Error('the socket on api2 is still open after 3 s')), 3_000)),
  ]);
  t.diagnostic(`logout to socket closed on the other node: ${at - began} ms (${reason})`);
  assert.ok(at - began <= 1_000, `took ${at - began} ms`);
  assert.equal(reason, 'io server disconnect');
  assert.ok(so.connected, "another user's socket on api2 stays open");

  // The session is gone on every node: the token opens no socket, and no REST call.
  await assert.rejects(phone.connect({ reconnection: false }), /unauthorized/);
  assert.equal((await phone.request('GET', '/api/v1/me')).status, 401);
});
