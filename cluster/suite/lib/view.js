// What one client knows of a chat, kept the way API.md's delivery contract tells a
// client to: live `newMessage`s, and after every (re)connect the feed rows after the
// last seq it holds without a gap (GET /chat/:id/events?after=). It counts what a
// user would notice: a message delivered twice to one socket, and the messages that
// only the catch-up brought.
import { randomUUID } from 'node:crypto';

import { sleep } from './cluster.js';
import { chatBetween, sendMessage } from './client.js';

export class ChatView {
  constructor(client, chatId) {
    this.client = client;
    this.chatId = chatId;
    /** seq -> message */
    this.bySeq = new Map();
    this.socketDuplicates = 0;
    this.caughtUp = 0;
    /** Reconnects seen (the first connect happens before `follow`), and the last one's time. */
    this.reconnects = 0;
    this.reconnectedAt = undefined;
  }

  /** The highest seq below which this view has every row. */
  contiguous() {
    let s = 0;
    while (this.bySeq.has(s + 1)) s++;
    return s;
  }

  /** Follow `socket`: every delivery, and a catch-up after each (re)connect. */
  follow(socket) {
    let seenOnThisSocket = new Set();
    socket.on('connect', () => {
      // A reconnect is a new server-side socket: "once per socket" starts over.
      seenOnThisSocket = new Set();
      this.reconnects++;
      this.reconnectedAt = Date.now();
      this.catchUp().catch(() => {});
    });
    socket.on('newMessage', (m) => {
      if (m.chatId !== this.chatId) return;
      if (seenOnThisSocket.has(m.seq)) this.socketDuplicates++;
      seenOnThisSocket.add(m.seq);
      this.bySeq.set(m.seq, m);
    });
  }

  /** Read the feed after the gap-free prefix until the server has nothing more. */
  async catchUp() {
    for (;;) {
      const after = this.contiguous();
      const r = await this.client.request('GET', `/api/v1/chat/${this.chatId}/events?after=${after}&limit=200`);
      if (r.status !== 200) throw new Error(`events answered ${r.status}: ${r.text}`);
      for (const e of r.json.events) {
        if (!this.bySeq.has(e.seq)) this.caughtUp++;
        this.bySeq.set(e.seq, e.payload);
      }
      if (!r.json.events.length || this.contiguous() >= r.json.lastSeq) return;
    }
  }

  /** clientId -> how many times it is in this view. */
  clientIdCounts() {
    const counts = new Map();
    for (const m of this.bySeq.values()) counts.set(m.clientId, (counts.get(m.clientId) ?? 0) + 1);
    return counts;
  }
}

/**
 * Send `count` messages from `socket`, `window` at a time, each with its own clientId,
 * retrying an unanswered one with the same clientId (as a client must after a lost
 * ack) until it is acked or `giveUpAt` passes. Resolves with what happened.
 */
// Two at a time, 100 ms apart: about 18 a second, under the send limit of 30 a second.
export async function sendStream(socket, chatId, { count, window = 2, gapMs = 100, giveUpAt, tag }) {
  const acked = new Map(); // clientId -> seq
  let retries = 0;
  let errors = 0;
  const unacked = [];
  let next = 0;
  async function one() {
    while (next < count) {
      const i = next++;
      const clientId = randomUUID();
      for (;;) {
        if (Date.now() > giveUpAt) {
          unacked.push(clientId);
          break;
        }
        try {
          const ack = await sendMessage(socket, chatId, `${tag} ${i}`, clientId, 3_000);
          if (ack.message) {
            acked.set(clientId, ack.message.seq);
            break;
          }
          errors++; // e.g. `unavailable` while a node is going: try again
        } catch {
          // No ack in time: the node may be gone with it. Same clientId again.
        }
        retries++;
        await sleep(200);
      }
      await sleep(gapMs);
    }
  }
  await Promise.all(Array.from({ length: window }, one));
  return { acked, retries, errors, unacked };
}

/**
 * Ada on api1 and bob on api2 (addresses from `cluster.addressesByNode()`), in one
 * chat, each with a socket whose view of the chat has caught up.
 */
export async function watchingAcrossNodes(cluster, by) {
  const ada = await cluster.client(by.api1[0]).login();
  const bob = await cluster.client(by.api2[0]).login();
  const chatId = await chatBetween(ada, bob);
  const sa = await ada.connect();
  const sb = await bob.connect();
  const va = new ChatView(ada, chatId);
  const vb = new ChatView(bob, chatId);
  va.follow(sa);
  vb.follow(sb);
  await Promise.all([va.catchUp(), vb.catchUp()]);
  return { ada, bob, chatId, sa, sb, va, vb };
}
