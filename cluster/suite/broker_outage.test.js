// RabbitMQ is gone for 60 s while people log in. A login commits its code and mail job
// together (the outbox), so every login still answers 200; once the broker is back the
// relays move the waiting jobs to it and the mail node delivers each code once, well
// within its 10 min lifetime, and it logs its owner in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Cluster, eventually, sleep } from './lib/cluster.js';

const OUTAGE_MS = Number(process.env.NATTER_CLUSTER_BROKER_OUTAGE_MS ?? 60_000);

let cluster;
before(async () => {
  cluster = await Cluster.up({ broker: true });
});
after(async () => {
  await cluster?.down();
});

test('sixty seconds without RabbitMQ: logins go on, every code is mailed once when it is back', async (t) => {
  const by = await cluster.addressesByNode();
  // Many addresses, so the per-address login limit never decides the outcome.
  const clients = [...by.api1, ...by.api2].map((ip) => cluster.client(ip));
  // Mail flows through the broker before it goes.
  await clients[0].login('before@cluster.test');

  await cluster.stop('broker', 'KILL');
  const stoppedAt = Date.now();
  const asked = [];
  let n = 0;
  while (Date.now() - stoppedAt < OUTAGE_MS) {
    const email = `outage${n}@cluster.test`;
    const r = await clients[n % clients.length].request('POST', '/api/v1/login', { json: { email } });
    asked.push({ email, status: r.status, code: r.json?.code, client: clients[n % clients.length] });
    n++;
    await sleep(2_000);
  }
  const mailedDuring = asked.filter((a) => cluster.mailsTo(a.email) > 0).length;

  await cluster.start('broker');
  const backAt = Date.now();
  await eventually('every code mailed', () => asked.every((a) => cluster.codeFor(a.email)), 120_000, 250);
  const allMailedMs = Date.now() - backAt;
  // A while longer: a second copy of any mail would arrive now.
  await sleep(3_000);
  const copies = asked.map((a) => cluster.mailsTo(a.email));
  // The oldest code still logs its owner in.
  const first = asked[0];
  const verified = await first.client.request('POST', '/api/v1/verify', {
    json: { email: first.email, otp: cluster.codeFor(first.email) },
  });

  const numbers = {
    logins: asked.length,
    statuses: asked.reduce((m, a) => ({ ...m, [a.status]: (m[a.status] ?? 0) + 1 }), {}),
    mailedDuringOutage: mailedDuring,
    allMailedMsAfterBrokerStarted: allMailedMs,
    mailsPerLogin: [...new Set(copies)],
    oldestCodeVerify: verified.status,
  };
  t.diagnostic(`broker outage: ${JSON.stringify(numbers)}`);
  assert.ok(asked.length >= Math.floor(OUTAGE_MS / 4000), `logins during the outage: ${asked.length}`);
  assert.deepEqual(numbers.statuses, { 200: asked.length }, 'every login during the outage answered 200');
  assert.equal(mailedDuring, 0, 'nothing can be mailed while the broker is away');
  assert.deepEqual(numbers.mailsPerLogin, [1], 'each code mailed exactly once');
  assert.equal(verified.status, 200, `the oldest code logs in: ${verified.text}`);
});
