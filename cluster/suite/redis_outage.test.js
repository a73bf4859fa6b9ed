// Case 3: Redis is gone for 30 s. Login fails closed (503 `unavailable`, never a
// 500), no node falls over, users on one node keep chatting, and once Redis is back
// everything works again, across nodes too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Cluster, eventually, sleep } from './lib/cluster.js';
import { chatBetween, nextEvent, sendMessage } from './lib/client.js';

const OUTAGE_MS = 30_000;

let cluster;
before(async () => {
  cluster = await Cluster.up();
});
after(async () => {
  await cluster?.down();
});

test('thirty seconds without Redis: login answers 503, chat on one node goes on, all recovers', async (t) => {
  const by = await cluster.addressesByNode();
  assert.ok(by.api1.length >= 3, `want three addresses on api1, have ${by.api1}`);
  const ada = await cluster.client(by.api1[0]).login();
  const cal = await cluster.client(by.api1[1]).login();
  const bob = await cluster.client(by.api2[0]).login();
  const probes = [cluster.client(by.api1[2]), cluster.client(by.api2[1])];
  const withCal = await chatBetween(ada, cal);
  const withBob = await chatBetween(ada, bob);
  const sa = await ada.connect();
  const sc = await cal.connect();
  const sb = await bob.connect();
  const pids = Object.fromEntries(Object.entries(cluster.state.nodes).map(([n, x]) => [n, x.pid]));

  await cluster.stop('redis', 'KILL');
  const stoppedAt = Date.now();
  const logins = [];
  const local = { sent: 0, delivered: 0 };
  let n = 0;
  while (Date.now() - stoppedAt < OUTAGE_MS) {
    for (const p of probes) {
      const began = Date.now();
      const r = await p.request('POST', '/api/v1/login', { json: { email: `probe${n++}@cluster.test` } });
      logins.push({ status: r.status, code: r.json?.code, ms: Date.now() - began });
    }
    // Ada and cal share api1: their chat needs nothing but that node and PostgreSQL.
    const text = `during the outage ${local.sent++}`;
    const arrives = nextEvent(sc, 'newMessage', (m) => m.text === text, 3_000).then(() => true, () => false);
    const ack = await sendMessage(sa, withCal, text);
    assert.ok(ack.message, `send on one node without Redis: ${JSON.stringify(ack)}`);
    if (await arrives) local.delivered++;
    await sleep(1_000);
  }
  // A cross-node message sent while Redis is down, to look for after it is back.
  const lateText = 'sent to another node while Redis was down';
  const lateArrives = nextEvent(sb, 'newMessage', (m) => m.text === lateText, OUTAGE_MS).then(() => Date.now(), () => null);
  const lateAck = await sendMessage(sa, withBob, lateText);
  assert.ok(lateAck.message, JSON.stringify(lateAck));

  await cluster.start('redis');
  const backAt = Date.now();
  const statuses = logins.reduce((m, l) => ({ ...m, [l.status]: (m[l.status] ?? 0) + 1 }), {});
  const loginBack = await eventually('login answering 200 again', async () => {
    const r = await probes[0].request('POST', '/api/v1/login', { json: { email: `back${n++}@cluster.test` } });
    return r.status === 200 && Date.now();
  }, 20_000, 250);
  const crossText = 'after Redis is back';
  const crossArrives = nextEvent(sb, 'newMessage', (m) => m.text === crossText, 10_000);
  const sentAt = Date.now();
  assert.ok((await sendMessage(sa, withBob, crossText)).message);
  await crossArrives;
  const crossMs = Date.now() - sentAt;
  const lateAt = await lateArrives;

  const numbers = {
    logins: logins.length,
    statuses,
    slowestLoginMs: Math.max(...logins.map((l) => l.ms)),
    local,
    loginBackAfterMs: loginBack - backAt,
    crossNodeAfterBackMs: crossMs,
    outageMessageReachedOtherNodeMsAfterBack: lateAt && lateAt - backAt,
  };
  t.diagnostic(`redis outage: ${JSON.stringify(numbers)}`);
  assert.deepEqual(Object.keys(statuses), ['503'], `login answered ${JSON.stringify(statuses)} without Redis`);
  assert.ok(logins.every((l) => l.code === 'unavailable'), 'every 503 says `unavailable`');
  assert.equal(local.delivered, local.sent, 'chat on one node kept working');
  // Nobody fell over: the same processes, alive, and nginx never saw a 5xx but those 503s.
  await cluster.refresh();
  for (const [name, node] of Object.entries(cluster.state.nodes)) {
    assert.equal(node.pid, pids[name], `${name} was restarted`);
    assert.equal((await fetch(`${cluster.nodeUrl(name)}/healthz`)).status, 200, `${name} is down`);
    assert.doesNotMatch(cluster.nodeLog(name), /panicked/, `${name} panicked`);
  }
  const fivexx = cluster.accessLog().filter((l) => l.status >= 500 && !(l.status === 503 && l.request.startsWith('POST /api/v1/login')));
  assert.deepEqual(fivexx, []);
  assert.ok(lateAt, 'the message sent across nodes during the outage reached the other node after it');
  assert.ok(sc.connected && sb.connected && sa.connected);
});
