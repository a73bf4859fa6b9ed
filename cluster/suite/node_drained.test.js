// Case 5: SIGTERM to a node under load, as a rolling restart does. Every request it
// had started is answered; new ones go to the other node (nginx: proxy_next_upstream
// error timeout); its sockets move there and catch up, nothing lost or doubled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Cluster, eventually, sleep } from './lib/cluster.js';
import { multipart } from './lib/client.js';
import { gradientPng } from './lib/png.js';
import { ChatView, sendStream, watchingAcrossNodes } from './lib/view.js';

let cluster;
before(async () => {
  cluster = await Cluster.up();
});
after(async () => {
  await cluster?.down();
});

/** Requests from `client` until `until()`, `concurrency` at a time; each one recorded. */
async function load(client, concurrency, until, next, pauseMs = 0) {
  const done = [];
  async function worker() {
    while (!until()) {
      const { method, path, json, body, headers, clientId } = next();
      const began = Date.now();
      try {
        const r = await client.request(method, path, { json, body, headers });
        done.push({ method, path, began, ended: Date.now(), status: r.status, node: r.headers['x-natter-upstream'], clientId: clientId ?? json?.clientId, image: !!body });
      } catch (e) {
        done.push({ method, began, ended: Date.now(), status: 0, error: e.code ?? e.message });
      }
      if (pauseMs) await sleep(pauseMs);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done;
}

test('SIGTERM under load: requests in flight complete, sockets move and catch up', async (t) => {
  const by = await cluster.addressesByNode();
  assert.ok(by.api1.length >= 5, `want five addresses on api1, have ${by.api1}`);
  const { ada, bob, chatId, sa, sb, va, vb } = await watchingAcrossNodes(cluster, by);

  // Ada's session from three more addresses on api1 (reads, and sends over REST), and
  // bob's from a fourth: image uploads, the slowest request (a decode and re-encode),
  // so some are surely in flight at the SIGTERM.
  const tabs = by.api1.slice(1, 5).map((ip, i) => {
    const c = cluster.client(ip);
    c.token = i < 3 ? ada.token : bob.token;
    return c;
  });
  const png = gradientPng(1200, 900);
  const upload = () => {
    const clientId = randomUUID();
    const form = multipart({ chatId, text: 'upload', clientId, image: { filename: 'g.png', type: 'image/png', data: png } });
    return { method: 'POST', path: '/api/v1/message', body: form.body, headers: { 'content-type': form.type }, clientId };
  };
  let stopLoad = false;
  const reads = () => ({ method: 'GET', path: '/api/v1/chat/all' });
  const loads = Promise.all([
    load(tabs[0], 4, () => stopLoad, reads),
    load(tabs[1], 4, () => stopLoad, () => ({ method: 'GET', path: `/api/v1/message/${chatId}?limit=20` })),
    // About 5 a second: with ada's socket sends, under her limit of 30 a second.
    load(tabs[2], 1, () => stopLoad, () => ({ method: 'POST', path: '/api/v1/message', json: { chatId, text: 'rest', clientId: randomUUID() } }), 200),
    // Under bob's send limit too, with his socket's 18 a second.
    load(tabs[3], 2, () => stopLoad, upload, 100),
  ]);
  const giveUpAt = Date.now() + 30_000;
  const streams = Promise.all([
    sendStream(sa, chatId, { count: 50, giveUpAt, tag: 'ada' }),
    sendStream(sb, chatId, { count: 50, giveUpAt, tag: 'bob' }),
  ]);

  await sleep(1_500);
  const termAt = Date.now();
  await cluster.stop('api1', 'TERM');
  const exitedMs = Date.now() - termAt;
  await sleep(2_000);
  stopLoad = true;
  const requests = (await loads).flat();
  const [fromAda, fromBob] = await streams;

  await eventually('ada reconnected on api2', async () => sa.connected && (await cluster.socketsOn('api2')) === 2, 15_000);
  await Promise.all([va.catchUp(), vb.catchUp()]);
  const restSent = requests.filter((r) => r.method === 'POST' && r.status === 201);
  const acked = new Map([...fromAda.acked, ...fromBob.acked, ...restSent.map((r) => [r.clientId, true])]);
  const truth = new ChatView(bob, chatId);
  await truth.catchUp();

  const api1 = `127.0.0.1:${cluster.state.nodes.api1.port}`;
  const inFlight = requests.filter((r) => r.began < termAt && r.ended > termAt);
  const tally = (rs) => rs.reduce((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {});
  const lostOrDoubled = (v) => {
    const counts = v.clientIdCounts();
    return {
      lost: [...acked.keys()].filter((id) => !counts.has(id)).length,
      duplicated: [...counts.values()].filter((n) => n > 1).length,
    };
  };
  const numbers = {
    requests: requests.length,
    statuses: tally(requests),
    afterTerm: tally(requests.filter((r) => r.began >= termAt)),
    inFlightAtTerm: inFlight.length,
    inFlightStatuses: tally(inFlight),
    inFlightOnApi1: inFlight.filter((r) => r.node === api1).length,
    inFlightUploads: inFlight.filter((r) => r.image).length,
    slowestUploadMs: Math.max(...requests.filter((r) => r.image).map((r) => r.ended - r.began)),
    errors: [...new Set(requests.filter((r) => r.error).map((r) => r.error))],
    nodeExitedMs: exitedMs,
    socketSends: {
      acked: fromAda.acked.size + fromBob.acked.size,
      retries: fromAda.retries + fromBob.retries,
      unacked: fromAda.unacked.length + fromBob.unacked.length,
    },
    // Requests nginx sent to api1, found refused or reset, and gave to api2 instead
    // (its log then names both: "api1, api2"). A reset one had been sent already:
    // nginx retries that only for a GET, so a POST there would have been a 502.
    movedByNginx: cluster.accessLog().filter((l) => l.upstream.includes(', ')).length,
    resetAfterSending: (readFileSync(join(cluster.dir, 'nginx-error.log'), 'utf8').match(/recv\(\) failed \(104/g) ?? []).length,
    restSends: restSent.length,
    ada: { ...lostOrDoubled(va), caughtUp: va.caughtUp, reconnects: va.reconnects, reconnectMs: va.reconnectedAt - termAt },
    bob: { ...lostOrDoubled(vb), caughtUp: vb.caughtUp },
    stored: lostOrDoubled(truth),
  };
  t.diagnostic(`node drained: ${JSON.stringify(numbers)}`);

  assert.ok(inFlight.length > 0, 'the SIGTERM caught requests in flight');
  assert.deepEqual(Object.keys(numbers.inFlightStatuses).filter((s) => !/^2/.test(s)), [], 'a request in flight failed');
  assert.equal(requests.filter((r) => r.status === 502 || r.status === 0).length, 0, 'nginx answered 502 or the connection broke');
  assert.ok(requests.every((r) => r.status < 500), `5xx answers: ${JSON.stringify(numbers.statuses)}`);
  assert.equal(numbers.socketSends.unacked, 0);
  for (const who of ['ada', 'bob', 'stored']) {
    assert.equal(numbers[who].lost, 0, `${who}: acked messages missing`);
    assert.equal(numbers[who].duplicated, 0, `${who}: messages there twice`);
  }
  assert.equal(va.socketDuplicates + vb.socketDuplicates, 0);
  assert.ok(va.reconnects >= 1, "ada's socket moved (it reconnected)");

  // A delivery still running when the shutdown closed Socket.IO used to panic inside
  // socketioxide ("default namespace not found"); realtime emits only to an open
  // namespace now (crates/realtime/src/rooms.rs `open`).
  await t.test('the drained node shuts down without a panic', () => {
    const panic = /^thread .* panicked at .*\n.*$/m.exec(cluster.nodeLog('api1'));
    assert.equal(panic?.[0], undefined, 'api1 panicked while it shut down');
  });
});
