import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message, SendMessageAck, SendMessageRequest } from '../../../lib/wire';
import { createMessagesStore } from './messagesStore';
import { createSender } from './sender';

// The socket is the boundary: everything above it (sender, reducer, store) runs for real.
const socket = vi.hoisted(() => ({
  connected: true,
  sendMessageWithAck: vi.fn<(p: SendMessageRequest) => Promise<SendMessageAck>>(),
}));
vi.mock('../../../lib/socket', () => ({
  isSocketConnected: () => socket.connected,
  sendMessageWithAck: socket.sendMessageWithAck,
}));

const CHAT = 'c1';

function stored(p: SendMessageRequest, seq = 1): Message {
  return {
    _id: `srv-${p.clientId}`,
    chatId: p.chatId,
    sender: 'me',
    text: p.text ?? '',
    messageType: 'text',
    seen: false,
    seenAt: null,
    createdAt: '2026-11-25T18:00:00.000Z',
    updatedAt: '2026-11-25T18:00:00.000Z',
    replyTo: null,
    editedAt: null,
    deletedAt: null,
    reactions: [],
    seenBy: [],
    mentions: [],
    seq,
    clientId: p.clientId ?? '',
  };
}

function setup() {
  const store = createMessagesStore();
  store.dispatch({ type: 'pageLoaded', chatId: CHAT, messages: [], hasMore: false, older: false });
  const sender = createSender(store);
  const queue = (clientId: string, text: string) => {
    store.dispatch({ type: 'queued', outgoing: { clientId, chatId: CHAT, senderId: 'me', text, createdAt: '2026-11-25T18:00:00.000Z' } });
    sender.enqueue(clientId);
  };
  return { store, sender, queue };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  socket.connected = true;
  socket.sendMessageWithAck.mockReset();
});
afterEach(() => vi.unstubAllGlobals());

describe('outbox sender', () => {
  it('sends over the socket and replaces the pending message with the acked one', async () => {
    socket.sendMessageWithAck.mockImplementation(async (p) => ({ message: stored(p) }));
    const { store, queue, sender } = setup();
    queue('c-1', 'hi');
    expect(store.getState().outbox[0]?.status).toBe('sending');
    await settle();
    expect(socket.sendMessageWithAck).toHaveBeenCalledWith({ chatId: CHAT, text: 'hi', clientId: 'c-1' });
    expect(store.getState().outbox).toEqual([]);
    expect(store.getState().timelines[CHAT]?.messages.map((m) => m.text)).toEqual(['hi']);
    sender.dispose();
  });

  it('falls back to REST with the same clientId when the socket is down', async () => {
    socket.connected = false;
    const fetchMock = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body)) as { chatId: string; text: string; clientId: string };
      return new Response(JSON.stringify({ message: stored(body), sender: 'me' }), { status: 201 });
    });
    vi.stubGlobal('fetch', fetchMock);
    const { store, queue, sender } = setup();
    queue('c-2', 'over http');
    await vi.waitFor(() => expect(store.getState().outbox).toEqual([]));
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/v1/message');
    expect(JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body))).toEqual({ chatId: CHAT, text: 'over http', clientId: 'c-2' });
    expect(socket.sendMessageWithAck).not.toHaveBeenCalled();
    sender.dispose();
  });

  it('keeps a timed-out message and resends it with the same clientId after a reconnect', async () => {
    socket.sendMessageWithAck.mockRejectedValueOnce(new Error('operation has timed out'));
    const { store, queue, sender } = setup();
    queue('c-3', 'eventually');
    await settle();
    expect(store.getState().outbox[0]).toMatchObject({ clientId: 'c-3', status: 'failed', retryable: true });

    socket.sendMessageWithAck.mockImplementation(async (p) => ({ message: stored(p) }));
    sender.retryAll();
    await settle();
    expect(socket.sendMessageWithAck.mock.calls.map((c) => c[0].clientId)).toEqual(['c-3', 'c-3']);
    expect(store.getState().outbox).toEqual([]);
    sender.dispose();
  });

  it('keeps a message a busy server turned away, to resend with the same clientId', async () => {
    socket.sendMessageWithAck.mockResolvedValueOnce({ error: { message: 'The server is busy. Try again in a moment.', code: 'overloaded' } });
    const { store, queue, sender } = setup();
    queue('c-5', 'later');
    await settle();
    expect(store.getState().outbox[0]).toMatchObject({ clientId: 'c-5', status: 'failed', retryable: true });
    socket.sendMessageWithAck.mockImplementation(async (p) => ({ message: stored(p) }));
    sender.retryAll();
    await settle();
    expect(store.getState().outbox).toEqual([]);
    sender.dispose();
  });

  it('does not auto-retry a message the server refused', async () => {
    socket.sendMessageWithAck.mockResolvedValue({ error: { message: 'You are not a member of this chat.', code: 'not_a_member' } });
    const { store, queue, sender } = setup();
    queue('c-4', 'nope');
    await settle();
    expect(store.getState().outbox[0]).toMatchObject({ status: 'failed', retryable: false, error: 'You are not a member of this chat.' });
    sender.retryAll();
    await settle();
    expect(socket.sendMessageWithAck).toHaveBeenCalledTimes(1);
    sender.dispose();
  });

  it('sends queued messages one after another, in the order written', async () => {
    const order: string[] = [];
    let seq = 0;
    socket.sendMessageWithAck.mockImplementation(async (p) => {
      order.push(`start ${p.text}`);
      await new Promise((r) => setTimeout(r, 5));
      order.push(`end ${p.text}`);
      return { message: stored(p, ++seq) };
    });
    const { store, queue, sender } = setup();
    queue('c-5', 'one');
    queue('c-6', 'two');
    await vi.waitFor(() => expect(store.getState().outbox).toEqual([]));
    expect(order).toEqual(['start one', 'end one', 'start two', 'end two']);
    expect(store.getState().timelines[CHAT]?.messages.map((m) => m.text)).toEqual(['one', 'two']);
    sender.dispose();
  });
});

describe('while the browser is offline', () => {
  it('holds messages as pending (no failed attempt) and sends each once, in order, on retryAll', async () => {
    const online = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    socket.sendMessageWithAck.mockImplementation(async (p) => ({ message: stored(p) }));
    const { store, sender, queue } = setup();
    queue('k1', 'one');
    queue('k2', 'two');
    await settle();
    expect(socket.sendMessageWithAck).not.toHaveBeenCalled();
    expect(store.getState().outbox.map((o) => [o.clientId, o.status, o.attempts])).toEqual([
      ['k1', 'sending', 0],
      ['k2', 'sending', 0],
    ]);
    online.mockReturnValue(true);
    sender.retryAll();
    sender.retryAll();
    await settle();
    await settle();
    expect(socket.sendMessageWithAck.mock.calls.map(([p]) => p.clientId)).toEqual(['k1', 'k2']);
    expect(store.getState().outbox).toEqual([]);
    online.mockRestore();
  });
});
