// Runs the real socket.io-client against a server (natter, the Node peer or
// `natter-bench relay`) and prints every Engine.IO frame it sends (C→S) and receives
// (S→C), exactly as it goes over the websocket: packet type digit + data. Compare with
// the frames natter-bench sends (crates/bench/src/sio.rs). Exits non-zero unless the
// ack and the recipient's newMessage both arrive.
//
//   npm ci && node check.js http://127.0.0.1:8080
'use strict';

const { io } = require('socket.io-client');

const base = (process.argv[2] || process.env.NATTER_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const TYPES = { open: 0, close: 1, ping: 2, pong: 3, message: 4, upgrade: 5, noop: 6 };
const show = (s) => (s.length > 160 ? `${s.slice(0, 160)}…` : s);

async function post(path, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

async function login(email) {
  await post('/api/v1/login', { email });
  for (let i = 0; i < 100; i++) {
    const mails = await (await fetch(`${base}/dev/mailbox.json`)).json();
    const m = mails.find((x) => x.to === email);
    const code = m && (`${m.subject} ${m.body}`.match(/\b\d{6}\b/) || [])[0];
    if (code) return post('/api/v1/verify', { email, otp: code });
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no code for ${email}`);
}

function open(name, token) {
  const s = io(base, { auth: { token }, transports: ['websocket'], reconnection: false });
  // The engine exists before the transport opens: hook both directions.
  s.io.on('open', () => {});
  const engine = () => s.io.engine;
  const hook = () => {
    const e = engine();
    if (!e || e.__hooked) return;
    e.__hooked = true;
    e.on('packetCreate', (p) => console.log(`${name} C→S ${TYPES[p.type]}${show(typeof p.data === 'string' ? p.data : '')}`));
    e.on('packet', (p) => console.log(`${name} S→C ${TYPES[p.type]}${show(typeof p.data === 'string' ? p.data : '')}`));
  };
  hook();
  s.io.on('open', hook);
  return s;
}

(async () => {
  const tag = Date.now().toString(36);
  const a = await login(`check-a-${tag}@bench.test`);
  const b = await login(`check-b-${tag}@bench.test`);
  const { chatId } = await post('/api/v1/chat/new', { otherUserId: b.user._id }, a.token);
  const sa = open('A', a.token);
  const sb = open('B', b.token);
  await Promise.all([sa, sb].map((s) => new Promise((ok, ko) => { s.on('connect', ok); s.on('connect_error', ko); })));
  const got = new Promise((ok) => sb.on('newMessage', ok));
  const ack = await sa.timeout(5000).emitWithAck('sendMessage', { chatId, text: 'hello from socket.io-client', clientId: `check-${tag}` });
  const msg = await Promise.race([got, new Promise((_, ko) => setTimeout(() => ko(new Error('no newMessage')), 5000))]);
  console.log(`ack ok: ${Boolean(ack && ack.message)}, newMessage seq ${msg.seq}, text ${JSON.stringify(msg.text)}`);
  sa.close();
  sb.close();
  process.exit(ack && ack.message && msg.clientId === `check-${tag}` ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
