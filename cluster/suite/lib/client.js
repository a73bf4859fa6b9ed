// One user's client, as the web client would be: REST and Socket.IO through nginx,
// every connection leaving from one loopback address of its own, so that nginx's
// `hash $remote_addr` puts it on the node that address maps to.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

import { io } from 'socket.io-client';

import { eventually } from './cluster.js';

export class Client {
  constructor(cluster, ip) {
    this.cluster = cluster;
    this.ip = ip;
    // localAddress binds every connection of this agent (REST, and the socket's
    // polling requests) to `ip`; the websocket gets it as an option of its own.
    this.agent = new http.Agent({ localAddress: ip, keepAlive: true });
    this.token = undefined;
    this.user = undefined;
    this.sockets = [];
  }

  /**
   * A request through nginx: { status, headers, json, text }. `body` is a Buffer with
   * its own content type in `headers`, or `json` an object.
   */
  request(method, path, { json, body, headers = {}, timeout = 15_000 } = {}) {
    const url = new URL(path, this.cluster.url);
    const h = { ...headers };
    // An empty authorization header means: ask without the session (signed links).
    if (h.authorization === undefined && this.token) h.authorization = `Bearer ${this.token}`;
    if (!h.authorization) delete h.authorization;
    let payload = body;
    if (json !== undefined) {
      payload = Buffer.from(JSON.stringify(json));
      h['content-type'] = 'application/json';
    }
    if (payload) h['content-length'] = payload.length;
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, headers: h, agent: this.agent, timeout }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, json: parsed, text });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** POST /login, read the code from the SMTP sink's Maildir, POST /verify. */
  async login(email = `${randomUUID().slice(0, 8)}@cluster.test`) {
    const asked = await this.request('POST', '/api/v1/login', { json: { email } });
    if (asked.status !== 200) throw new Error(`login answered ${asked.status}: ${asked.text}`);
    const otp = await eventually(`the code mail to ${email}`, () => this.cluster.codeFor(email), 15_000, 100);
    const verified = await this.request('POST', '/api/v1/verify', { json: { email, otp } });
    if (verified.status !== 200) throw new Error(`verify answered ${verified.status}: ${verified.text}`);
    this.token = verified.json.token;
    this.user = verified.json.user;
    this.email = email;
    return this;
  }

  /** A Socket.IO connection with this client's token; resolves once connected. */
  async connect(options = {}) {
    const socket = io(this.cluster.url, {
      auth: { token: this.token },
      agent: this.agent,
      localAddress: this.ip,
      // The web client's transports: long-polling first, then the upgrade.
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
      ...options,
    });
    this.sockets.push(socket);
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', (e) => {
        if (!socket.active) reject(e);
      });
    });
    return socket;
  }

  close() {
    for (const s of this.sockets) s.close();
    this.agent.destroy();
  }
}

/** Send on a socket and wait for the ack: { message } or { error }. */
export function sendMessage(socket, chatId, text, clientId = randomUUID(), timeout = 5_000) {
  return socket.timeout(timeout).emitWithAck('sendMessage', { chatId, text, clientId });
}

/** Resolve with the first `event` on `socket` whose payload satisfies `match`. */
export function nextEvent(socket, event, match = () => true, ms = 5_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    function on(payload) {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, on);
      resolve(payload);
    }
    socket.on(event, on);
  });
}

/** A chat between two logged-in clients. */
export async function chatBetween(a, b) {
  const r = await a.request('POST', '/api/v1/chat/new', { json: { otherUserId: b.user._id } });
  if (r.status !== 200) throw new Error(`chat/new answered ${r.status}: ${r.text}`);
  return r.json.chatId;
}

/** A multipart/form-data body: text fields, and files as { filename, type, data }. */
export function multipart(fields) {
  const boundary = `----natter${randomUUID()}`;
  const parts = [];
  for (const [name, value] of Object.entries(fields)) {
    const head = value.filename
      ? `content-disposition: form-data; name="${name}"; filename="${value.filename}"\r\ncontent-type: ${value.type}\r\n`
      : `content-disposition: form-data; name="${name}"\r\n`;
    parts.push(Buffer.from(`--${boundary}\r\n${head}\r\n`), value.data ?? Buffer.from(String(value)), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}
