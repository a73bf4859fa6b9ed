import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatEvent, EventsPage, Message } from '../../../lib/wire';
import { createCatchUp } from './catchUp';
import { createMessagesStore } from './messagesStore';

const msg = (seq: number): Message => ({
  _id: `m-${seq}`,
  chatId: 'c1',
  sender: 'them',
  text: `message ${seq}`,
  messageType: 'text',
  seen: false,
  seenAt: null,
  createdAt: '2026-11-25T18:00:00.000Z',
  updatedAt: '2026-11-25T18:00:00.000Z',
  clientId: `c-${seq}`,
  replyTo: null,
  editedAt: null,
  deletedAt: null,
  reactions: [],
  seenBy: [],
  mentions: [],
  seq,
});
const event = (seq: number): ChatEvent => ({ seq, kind: 'message.created', actor: 'u', at: msg(seq).createdAt, payload: msg(seq) });

/** The server side of GET /chat/:id/events, paging two events at a time. */
function stubEvents(all: ChatEvent[], lastSeq: number) {
  const afters: number[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = new URL(String(input), 'http://localhost');
      expect(url.pathname).toBe('/api/v1/chat/c1/events');
      const after = Number(url.searchParams.get('after'));
      afters.push(after);
      const page: EventsPage = { events: all.filter((e) => e.seq > after).slice(0, 2), lastSeq };
      return new Response(JSON.stringify(page), { status: 200 });
    }),
  );
  return afters;
}

afterEach(() => vi.unstubAllGlobals());

describe('catch-up after a reconnect', () => {
  it('pages through the events after the cursor and ends with the full history once', async () => {
    const store = createMessagesStore();
    store.dispatch({ type: 'pageLoaded', chatId: 'c1', messages: [msg(1), msg(2)], hasMore: false, older: false });
    store.dispatch({ type: 'received', message: msg(4) }); // a live event that raced the reconnect
    const afters = stubEvents([event(1), event(2), event(3), event(4), event(5)], 5);

    await createCatchUp(store).all([{ chatId: 'c1', lastSeq: 5 }]);

    expect(afters).toEqual([2, 4]);
    expect(store.getState().timelines.c1?.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(store.getState().timelines.c1?.cursor).toBe(5);
  });

  it('applies edits and deletes missed while away, each row after its message', async () => {
    const store = createMessagesStore();
    store.dispatch({ type: 'pageLoaded', chatId: 'c1', messages: [msg(1), msg(2)], hasMore: false, older: false });
    const later = '2026-11-25T18:05:00.000Z';
    const edited: ChatEvent = {
      seq: 3,
      kind: 'message.edited',
      actor: 'them',
      at: later,
      payload: { ...msg(1), text: 'fixed', editedAt: later, updatedAt: later },
    };
    const deleted: ChatEvent = {
      seq: 4,
      kind: 'message.deleted',
      actor: 'them',
      at: later,
      payload: { ...msg(2), text: '', deletedAt: later, updatedAt: later },
    };
    stubEvents([edited, deleted], 4);

    await createCatchUp(store).all([{ chatId: 'c1', lastSeq: 4 }]);

    const messages = store.getState().timelines.c1?.messages ?? [];
    expect(messages.map((m) => [m.seq, m.text, m.editedAt, m.deletedAt])).toEqual([
      [1, 'fixed', later, null],
      [2, '', null, later],
    ]);
    expect(store.getState().timelines.c1?.cursor).toBe(4);
  });

  it('asks nothing for chats that did not move or were never opened', async () => {
    const store = createMessagesStore();
    store.dispatch({ type: 'pageLoaded', chatId: 'c1', messages: [msg(1)], hasMore: false, older: false });
    const afters = stubEvents([], 1);
    await createCatchUp(store).all([
      { chatId: 'c1', lastSeq: 1 },
      { chatId: 'never-opened', lastSeq: 9 },
    ]);
    expect(afters).toEqual([]);
  });
});

describe('read markers after a reconnect', () => {
  // A messagesSeen missed while away: the receipt stayed single-tick until a later
  // message was read.
  it('re-reads my unseen messages with an `after` page (which marks nothing read) and shows them seen', async () => {
    const mine = (seq: number, seen = false): Message => ({ ...msg(seq), sender: 'me', seen, seenAt: seen ? '2026-11-25T18:05:00.000Z' : null });
    const store = createMessagesStore();
    store.dispatch({ type: 'pageLoaded', chatId: 'c1', messages: [mine(1, true), msg(2), mine(3), mine(4)], hasMore: false, older: false });
    const urls: URL[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const url = new URL(String(input), 'http://localhost');
        urls.push(url);
        return new Response(JSON.stringify({ messages: [mine(3, true), mine(4, true), mine(5, true)], user: null, hasMore: true, hasNewer: false }), { status: 200 });
      }),
    );
    await createCatchUp(store).refreshSeen('me');
    expect(urls.map((u) => `${u.pathname}?${u.searchParams}`)).toEqual(['/api/v1/message/c1?after=2&limit=50']);
    const held = store.getState().timelines.c1!.messages;
    expect(held.map((m) => [m.seq, m.seen])).toEqual([[1, true], [2, false], [3, true], [4, true]]);
  });

  it('asks nothing when every message of mine is seen', async () => {
    const store = createMessagesStore();
    store.dispatch({ type: 'pageLoaded', chatId: 'c1', messages: [msg(1)], hasMore: false, older: false });
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    await createCatchUp(store).refreshSeen('me');
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe('a chat opened from saved history', () => {
  it('is reported once, so the first connect after it catches up', () => {
    const c = createCatchUp(createMessagesStore());
    expect(c.takeRestored()).toBe(false);
    c.markRestored('c1');
    expect(c.takeRestored()).toBe(true);
    expect(c.takeRestored()).toBe(false);
  });
});
