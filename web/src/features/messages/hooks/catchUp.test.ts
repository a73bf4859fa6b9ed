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
