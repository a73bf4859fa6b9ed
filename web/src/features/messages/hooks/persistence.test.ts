import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openOfflineStore } from '../../../lib/offlineStore';
import type { Message, SendMessageAck, SendMessageRequest } from '../../../lib/wire';
import { createMessagesStore } from './messagesStore';
import { attachPersistence } from './persistence';
import { createSender } from './sender';

const socket = vi.hoisted(() => ({ sendMessageWithAck: vi.fn<(p: SendMessageRequest) => Promise<SendMessageAck>>() }));
vi.mock('../../../lib/socket', () => ({ isSocketConnected: () => true, sendMessageWithAck: socket.sendMessageWithAck }));

const stored = (p: SendMessageRequest, seq: number): Message => ({
  _id: `srv-${p.clientId}`, chatId: p.chatId, sender: 'me', text: p.text ?? '', messageType: 'text', seen: false, seenAt: null,
  createdAt: '2026-11-25T18:00:00.000Z', updatedAt: '2026-11-25T18:00:00.000Z', replyTo: null, editedAt: null, deletedAt: null,
  reactions: [], seenBy: [], mentions: [], seq, clientId: p.clientId ?? '',
});

const until = async (check: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await check()).toBe(true);
};

/** A page's session: the store, the sender and the persistence, as MessagesProvider wires them. */
function session(userId: string) {
  const store = createMessagesStore();
  store.dispatch({ type: 'pageLoaded', chatId: 'c1', messages: [], hasMore: false, older: false });
  const sender = createSender(store);
  const detach = attachPersistence(store, sender, openOfflineStore(userId), 'me');
  return { store, sender, detach };
}

afterEach(() => vi.restoreAllMocks());

describe('the outbox across a reload', () => {
  it('keeps messages written offline and sends each once, with its clientId, when the next visit is online', async () => {
    const online = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const first = session('reload-user');
    for (const [clientId, text] of [['k1', 'one'], ['k2', 'two']]) {
      first.store.dispatch({ type: 'queued', outgoing: { clientId: clientId!, chatId: 'c1', senderId: 'me', text: text!, createdAt: `2026-11-25T18:00:0${clientId!.slice(1)}.000Z` } });
      first.sender.enqueue(clientId!);
    }
    const offline = openOfflineStore('reload-user');
    await until(async () => (await offline.outbox()).length === 2);
    first.detach(); // the page goes away with both unsent

    online.mockReturnValue(true);
    let seq = 0;
    socket.sendMessageWithAck.mockImplementation(async (p) => ({ message: stored(p, ++seq) }));
    const second = session('reload-user');
    await until(() => second.store.getState().timelines.c1!.messages.length === 2);
    expect(socket.sendMessageWithAck.mock.calls.map(([p]) => [p.clientId, p.text])).toEqual([
      ['k1', 'one'],
      ['k2', 'two'],
    ]);
    // Confirmed: nothing left to send on a third visit.
    await until(async () => (await offline.outbox()).length === 0);
    second.detach();
  });

  it('saves the newest history of a chat a second after it changes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = session('history-user');
    s.store.dispatch({ type: 'received', message: stored({ chatId: 'c1', text: 'hi', clientId: 'x' }, 1) });
    await vi.advanceTimersByTimeAsync(1_100);
    vi.useRealTimers();
    const offline = openOfflineStore('history-user');
    await until(async () => (await offline.timeline('c1'))?.messages.length === 1);
    s.detach();
  });
});
