// Reference peer for natter-bench: the Node Socket.IO stack natter replaces, reduced to
// natter's hot path with natter's semantics, so `natter-bench run` drives both with the
// same commands.
//
//   NATTER_LISTEN=127.0.0.1:8081 NATTER_DATA_DIR=$(mktemp -d) node server.js
//
// * REST with natter's shapes: POST /api/v1/login {email} (the code goes to an in-memory
//   /dev/mailbox.json, newest first), POST /api/v1/verify {email, otp} -> {token, user},
//   POST /api/v1/chat/new {otherUserId} -> {chatId}, POST /api/v1/message
//   {chatId, text, clientId} -> 201 {message, sender} (200 with the original on a
//   repeated clientId), GET /api/v1/chat/:id/events?after=&limit= -> {events: [{seq,
//   kind, actor, at, payload}], lastSeq} for catch-up after a reconnect. No rate limits: this
//   peer measures the hot path only.
// * Socket.IO 4.8: identity from the handshake's auth.token only (else connect_error
//   "unauthorized"), each socket joins its user's personal room, `sendMessage` with ack.
// * Every send is committed to SQLite (WAL, synchronous=NORMAL as in natter) with the
//   chat's next seq and the (sender, clientId) uniqueness *before* the ack / 201 and
//   before `newMessage` goes to every socket of both members (once per socket).
'use strict';

const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');
const crypto = require('node:crypto');
const express = require('express');
const { Server } = require('socket.io');
const Database = require('better-sqlite3');

const listen = process.env.NATTER_LISTEN || '127.0.0.1:8081';
const [host, portStr] = listen.includes(':') ? [listen.slice(0, listen.lastIndexOf(':')), listen.slice(listen.lastIndexOf(':') + 1)] : ['127.0.0.1', listen];
const dataDir = process.env.NATTER_DATA_DIR || fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'natter-peer-'));
fs.mkdirSync(dataDir, { recursive: true });

const db = new Database(path.join(dataDir, 'peer.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`
  CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, email TEXT UNIQUE NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, user_id TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS chats (id TEXT PRIMARY KEY, user_a TEXT NOT NULL, user_b TEXT NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0,
                                    created_at TEXT NOT NULL, UNIQUE (user_a, user_b));
  CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, chat_id TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL,
                                       text TEXT NOT NULL, client_id TEXT, created_at TEXT NOT NULL,
                                       UNIQUE (chat_id, seq), UNIQUE (sender, client_id));
`);

const q = {
  userByEmail: db.prepare('SELECT * FROM users WHERE email = ?'),
  userById: db.prepare('SELECT * FROM users WHERE id = ?'),
  insertUser: db.prepare('INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)'),
  insertSession: db.prepare('INSERT INTO sessions (token, user_id) VALUES (?, ?)'),
  sessionByToken: db.prepare('SELECT user_id FROM sessions WHERE token = ?'),
  chatByPair: db.prepare('SELECT * FROM chats WHERE user_a = ? AND user_b = ?'),
  chatById: db.prepare('SELECT * FROM chats WHERE id = ?'),
  insertChat: db.prepare('INSERT INTO chats (id, user_a, user_b, created_at) VALUES (?, ?, ?, ?)'),
  bumpSeq: db.prepare('UPDATE chats SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq'),
  byClientId: db.prepare('SELECT * FROM messages WHERE sender = ? AND client_id = ?'),
  insertMessage: db.prepare('INSERT INTO messages (id, chat_id, seq, sender, text, client_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  eventsAfter: db.prepare('SELECT * FROM messages WHERE chat_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
};

const now = () => new Date().toISOString();
const userDto = (u) => ({ _id: u.id, name: u.name, email: u.email, createdAt: u.created_at, updatedAt: u.created_at });
const messageDto = (m) => ({
  _id: m.id, chatId: m.chat_id, sender: m.sender, text: m.text, messageType: 'text', seen: false, seenAt: null,
  createdAt: m.created_at, updatedAt: m.created_at, seq: m.seq, clientId: m.client_id, replyTo: null,
  editedAt: null, deletedAt: null, reactions: [],
});
const fail = (res, status, code, message) => res.status(status).json({ message, code });

// Caches in front of the store (the tokens and memberships the hot path reads).
const sessions = new Map(); // token -> userId
const members = new Map(); // chatId -> [a, b]
const codes = new Map(); // email -> code
const mailbox = []; // newest last; served newest first

function userOf(token) {
  if (!token) return null;
  let uid = sessions.get(token);
  if (uid === undefined) {
    const row = q.sessionByToken.get(token);
    uid = row ? row.user_id : null;
    if (uid) sessions.set(token, uid);
  }
  return uid || null;
}

function membersOf(chatId) {
  let m = members.get(chatId);
  if (!m) {
    const c = q.chatById.get(chatId);
    if (!c) return null;
    m = [c.user_a, c.user_b];
    members.set(chatId, m);
  }
  return m;
}

// One transaction: idempotency check, next seq, insert. Returns [message, created].
const store = db.transaction((sender, chatId, text, clientId) => {
  if (clientId) {
    const old = q.byClientId.get(sender, clientId);
    if (old) return [old, false];
  }
  const { last_seq: seq } = q.bumpSeq.get(chatId);
  const m = { id: crypto.randomUUID(), chat_id: chatId, seq, sender, text, client_id: clientId || null, created_at: now() };
  q.insertMessage.run(m.id, m.chat_id, m.seq, m.sender, m.text, m.client_id, m.created_at);
  return [m, true];
});

// The hot path shared by REST and the socket: validate, commit, then fan out.
function send(sender, body) {
  const chatId = body && typeof body.chatId === 'string' ? body.chatId : null;
  const text = body && typeof body.text === 'string' ? body.text.trim() : '';
  const clientId = body && typeof body.clientId === 'string' ? body.clientId : null;
  if (!chatId) return { status: 404, error: { code: 'chat_not_found', message: 'No such chat.' } };
  const m = membersOf(chatId);
  if (!m) return { status: 404, error: { code: 'chat_not_found', message: 'No such chat.' } };
  if (!m.includes(sender)) return { status: 403, error: { code: 'not_a_member', message: 'Not a member.' } };
  if (!text) return { status: 400, error: { code: 'empty_message', message: 'Empty message.' } };
  const [row, created] = store(sender, chatId, text, clientId);
  const message = messageDto(row);
  if (created) io.to(m.map((u) => `user:${u}`)).emit('newMessage', message);
  return { status: created ? 201 : 200, message };
}

const app = express();
app.use(express.json({ limit: '100kb' }));
const server = http.createServer(app);
const io = new Server(server, { serveClient: false });

const auth = (req, res, next) => {
  const h = req.get('authorization') || '';
  const uid = userOf(h.startsWith('Bearer ') ? h.slice(7) : null);
  if (!uid) return fail(res, 401, 'unauthenticated', 'Please log in.');
  req.userId = uid;
  next();
};

app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));

app.post('/api/v1/login', (req, res) => {
  const email = String((req.body && req.body.email) || '').trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) return fail(res, 400, 'invalid_email', 'Not a valid address.');
  const code = String(crypto.randomInt(0, 1000000)).padStart(6, '0');
  codes.set(email, code);
  mailbox.push({ to: email, subject: `Your natter login code: ${code}`, body: `Your code is ${code}.`, sentAt: now() });
  if (mailbox.length > 10000) mailbox.splice(0, mailbox.length - 10000);
  res.json({ message: 'If the address is valid, a code is on its way.' });
});

app.get('/dev/mailbox.json', (_req, res) => res.json(mailbox.slice().reverse()));

app.post('/api/v1/verify', (req, res) => {
  const email = String((req.body && req.body.email) || '').trim().toLowerCase();
  const otp = String((req.body && req.body.otp) || '');
  if (!codes.has(email) || codes.get(email) !== otp) return fail(res, 400, 'invalid_otp', 'That code is not valid.');
  codes.delete(email);
  let u = q.userByEmail.get(email);
  if (!u) {
    u = { id: crypto.randomUUID(), email, name: email.split('@')[0], created_at: now() };
    q.insertUser.run(u.id, u.email, u.name, u.created_at);
  }
  const token = crypto.randomBytes(24).toString('base64url');
  q.insertSession.run(token, u.id);
  sessions.set(token, u.id);
  res.json({ message: 'Logged in.', user: userDto(u), token });
});

app.post('/api/v1/chat/new', auth, (req, res) => {
  const other = req.body && req.body.otherUserId;
  if (typeof other !== 'string' || other === req.userId || !q.userById.get(other)) {
    return fail(res, 400, 'invalid_user', 'No such user.');
  }
  const [a, b] = [req.userId, other].sort();
  let c = q.chatByPair.get(a, b);
  if (!c) {
    c = { id: crypto.randomUUID() };
    q.insertChat.run(c.id, a, b, now());
  }
  res.json({ message: 'Chat ready.', chatId: c.id });
});

app.post('/api/v1/message', auth, (req, res) => {
  const r = send(req.userId, req.body);
  if (r.error) return fail(res, r.status, r.error.code, r.error.message);
  res.status(r.status).json({ message: r.message, sender: req.userId });
});

// Catch-up after a disconnect, natter's shape: every message of the chat after `after`,
// oldest first, read from the same SQLite rows the sends committed (the (chat_id, seq)
// unique index serves the range). Members only, like every other chat read.
app.get('/api/v1/chat/:id/events', auth, (req, res) => {
  const m = membersOf(req.params.id);
  if (!m) return fail(res, 404, 'chat_not_found', 'No such chat.');
  if (!m.includes(req.userId)) return fail(res, 403, 'not_a_member', 'Not a member.');
  const after = Math.max(0, Number.parseInt(req.query.after, 10) || 0);
  const limit = Math.min(500, Math.max(1, Number.parseInt(req.query.limit, 10) || 100));
  const events = q.eventsAfter.all(req.params.id, after, limit).map((row) => ({ seq: row.seq, kind: 'message.created', actor: row.sender, at: row.created_at, payload: messageDto(row) }));
  res.json({ events, lastSeq: q.chatById.get(req.params.id).last_seq });
});

io.use((socket, next) => {
  const token = socket.handshake.auth && socket.handshake.auth.token;
  const uid = userOf(typeof token === 'string' ? token : null);
  if (!uid) return next(new Error('unauthorized'));
  socket.data.userId = uid;
  next();
});

io.on('connection', (socket) => {
  socket.join(`user:${socket.data.userId}`);
  socket.on('sendMessage', (payload, ack) => {
    let answer;
    try {
      const r = send(socket.data.userId, payload);
      answer = r.error ? { error: r.error } : { message: r.message };
    } catch (e) {
      answer = { error: { code: 'internal', message: 'Something went wrong.' } };
    }
    if (typeof ack === 'function') ack(answer);
  });
});

server.listen(Number(portStr), host, () => {
  console.log(`socketio-node peer on http://${host}:${portStr} (data in ${dataDir})`);
});

const stop = () => server.close(() => { db.close(); process.exit(0); });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
