import { describe, expect, it } from 'vitest';
import type { ChatEvent, Message } from '../../../lib/wire';
import {
  initialMessagesState,
  isSeen,
  messagesReducer,
  selectItems,
  selectRetryable,
  type MessagesAction,
  type MessagesState,
} from './timeline';

const CHAT = 'chat-1';
const ME = 'user-me';
const THEM = 'user-them';

function msg(seq: number, overrides: Partial<Message> = {}): Message {
  return {
    _id: `m-${seq}`,
    chatId: CHAT,
    sender: THEM,
    text: `message ${seq}`,
    messageType: 'text',
    seen: false,
    seenAt: null,
    createdAt: `2026-11-25T18:00:${String(seq).padStart(2, '0')}.000Z`,
    updatedAt: `2026-11-25T18:00:${String(seq).padStart(2, '0')}.000Z`,
    seq,
    clientId: `server-${seq}`,
    replyTo: null,
    editedAt: null,
    deletedAt: null,
    reactions: [],
    seenBy: [],
    mentions: [],
    ...overrides,
  };
}

function run(...actions: MessagesAction[]): MessagesState {
  return actions.reduce(messagesReducer, initialMessagesState);
}

const loaded = (messages: Message[] = [msg(1), msg(2)]): MessagesAction => ({
  type: 'pageLoaded',
  chatId: CHAT,
  messages,
  hasMore: false,
  older: false,
});

const queued = (clientId: string, text = 'hello'): MessagesAction => ({
  type: 'queued',
  outgoing: { clientId, chatId: CHAT, senderId: ME, text, createdAt: '2026-11-25T18:01:00.000Z' },
});

function visibleTexts(state: MessagesState): string[] {
  return selectItems(state, CHAT).map((i) => (i.kind === 'message' ? i.message.text : `(${i.outgoing.status}) ${i.outgoing.text}`));
}

describe('sending', () => {
  it('shows a queued message at once as pending', () => {
    const state = run(loaded(), queued('c-1'));
    expect(visibleTexts(state)).toEqual(['message 1', 'message 2', '(sending) hello']);
  });

  it('turns a pending message into the server message on ack, keeping its key', () => {
    const serverCopy = msg(3, { sender: ME, text: 'hello', clientId: 'c-1', _id: 'srv-3' });
    const before = run(loaded(), queued('c-1'), { type: 'sendStarted', clientId: 'c-1' });
    const after = messagesReducer(before, { type: 'sendSucceeded', clientId: 'c-1', message: serverCopy });

    expect(after.outbox).toEqual([]);
    expect(visibleTexts(after)).toEqual(['message 1', 'message 2', 'hello']);
    expect(selectItems(after, CHAT).at(-1)?.key).toBe(selectItems(before, CHAT).at(-1)?.key);
  });

  it('keeps a failed message pending for retry with the same clientId', () => {
    const failed = run(loaded(), queued('c-1'), { type: 'sendStarted', clientId: 'c-1' }, {
      type: 'sendFailed',
      clientId: 'c-1',
      error: 'timeout',
      retryable: true,
    });
    expect(selectRetryable(failed).map((o) => o.clientId)).toEqual(['c-1']);

    const retried = messagesReducer(failed, { type: 'sendStarted', clientId: 'c-1' });
    expect(retried.outbox).toHaveLength(1);
    expect(retried.outbox[0]).toMatchObject({ clientId: 'c-1', status: 'sending', attempts: 2, text: 'hello' });
    expect(selectRetryable(retried)).toEqual([]);
  });

  it('does not retry automatically what the server refused for good', () => {
    const state = run(loaded(), queued('c-1'), { type: 'sendFailed', clientId: 'c-1', error: 'not a member', retryable: false });
    expect(selectRetryable(state)).toEqual([]);
    expect(state.outbox[0]?.status).toBe('failed');
  });

  it('shows a message once when newMessage for my own send arrives before the ack', () => {
    const serverCopy = msg(3, { sender: ME, text: 'hello', clientId: 'c-1', _id: 'srv-3' });
    const state = run(
      loaded(),
      queued('c-1'),
      { type: 'sendStarted', clientId: 'c-1' },
      { type: 'received', message: serverCopy },
      { type: 'sendSucceeded', clientId: 'c-1', message: serverCopy },
    );
    expect(visibleTexts(state)).toEqual(['message 1', 'message 2', 'hello']);
    expect(state.outbox).toEqual([]);
  });

  it('ignores a second newMessage with the same _id', () => {
    const state = run(loaded(), { type: 'received', message: msg(3) }, { type: 'received', message: msg(3) });
    expect(visibleTexts(state)).toEqual(['message 1', 'message 2', 'message 3']);
  });

  it('a retry answered with the original message (idempotent server) leaves one copy', () => {
    const original = msg(3, { sender: ME, text: 'hello', clientId: 'c-1', _id: 'srv-3' });
    const state = run(
      loaded(),
      queued('c-1'),
      { type: 'sendStarted', clientId: 'c-1' },
      { type: 'sendFailed', clientId: 'c-1', error: 'timeout', retryable: true },
      // the first attempt did commit: its newMessage shows up after the reconnect
      { type: 'received', message: original },
      { type: 'sendStarted', clientId: 'c-1' },
      { type: 'sendSucceeded', clientId: 'c-1', message: original },
    );
    expect(visibleTexts(state)).toEqual(['message 1', 'message 2', 'hello']);
  });
});

describe('catch-up', () => {
  it('merges events in seq order without duplicates', () => {
    const events: ChatEvent[] = [
      { seq: 5, kind: 'message.created', actor: 'u', at: msg(5).createdAt, payload: msg(5) },
      { seq: 3, kind: 'message.created', actor: 'u', at: msg(3).createdAt, payload: msg(3) },
      { seq: 4, kind: 'message.created', actor: 'u', at: msg(4).createdAt, payload: msg(4) },
    ];
    const state = run(
      loaded(),
      { type: 'received', message: msg(3) }, // already seen live
      { type: 'eventsMerged', chatId: CHAT, events, lastSeq: 5 },
    );
    expect(visibleTexts(state)).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
    expect(state.timelines[CHAT]?.cursor).toBe(5);
  });

  it('keeps the newer copy of a message from the events feed over a stale one', () => {
    const edited = msg(2, { text: 'edited', updatedAt: '2026-11-25T19:00:00.000Z' });
    const state = run(loaded(), {
      type: 'eventsMerged',
      chatId: CHAT,
      events: [{ seq: 2, kind: 'message.created', actor: 'u', at: edited.createdAt, payload: edited }],
      lastSeq: 2,
    });
    expect(visibleTexts(state)).toEqual(['message 1', 'edited']);
    // a late copy of the old version does not undo the edit
    expect(visibleTexts(messagesReducer(state, { type: 'received', message: msg(2) }))).toEqual(['message 1', 'edited']);
  });

  it('resolves a pending send whose message came back in the events feed', () => {
    const mine = msg(3, { sender: ME, text: 'hello', clientId: 'c-1', _id: 'srv-3' });
    const state = run(loaded(), queued('c-1'), {
      type: 'eventsMerged',
      chatId: CHAT,
      events: [{ seq: 3, kind: 'message.created', actor: 'u', at: mine.createdAt, payload: mine }],
      lastSeq: 3,
    });
    expect(state.outbox).toEqual([]);
    expect(visibleTexts(state)).toEqual(['message 1', 'message 2', 'hello']);
  });

  it('advances the cursor from live messages only without a gap', () => {
    const contiguous = run(loaded(), { type: 'received', message: msg(3) });
    expect(contiguous.timelines[CHAT]?.cursor).toBe(3);
    const gapped = run(loaded(), { type: 'received', message: msg(7) });
    expect(gapped.timelines[CHAT]?.cursor).toBe(2);
  });

  it('prepends older pages in order', () => {
    const state = run(loaded([msg(3), msg(4)]), {
      type: 'pageLoaded',
      chatId: CHAT,
      messages: [msg(1), msg(2)],
      hasMore: false,
      older: true,
    });
    expect(visibleTexts(state)).toEqual(['message 1', 'message 2', 'message 3', 'message 4']);
    expect(state.timelines[CHAT]?.cursor).toBe(4);
  });
});

describe('read receipts', () => {
  it('marks my messages seen up to the other member marker', () => {
    const mine = [msg(1, { sender: ME }), msg(2, { sender: ME }), msg(3, { sender: ME })];
    const state = run(loaded(mine), {
      type: 'seen',
      meId: ME,
      payload: { chatId: CHAT, seenBy: THEM, messageIds: [], seenAt: '2026-11-25T18:05:00.000Z', upToSeq: 2 },
    });
    const timeline = state.timelines[CHAT];
    expect(timeline?.messages.map((m) => isSeen(timeline, m))).toEqual([true, true, false]);
  });

  it('ignores my own read marker moving', () => {
    const state = run(loaded([msg(1, { sender: ME })]), {
      type: 'seen',
      meId: ME,
      payload: { chatId: CHAT, seenBy: ME, messageIds: ['m-1'], seenAt: '2026-11-25T18:05:00.000Z', upToSeq: 1 },
    });
    expect(state.timelines[CHAT]?.messages[0]?.seen).toBe(false);
  });
});

describe('a window around an older message', () => {
  const seqsOf = (s: MessagesState) => s.timelines[CHAT]?.messages.map((m) => m.seq);
  const opened = run({ type: 'pageLoaded', chatId: CHAT, messages: [msg(90), msg(91)], hasMore: true, older: false });
  const windowed = messagesReducer(opened, {
    type: 'windowLoaded',
    chatId: CHAT,
    messages: [msg(9), msg(10), msg(11)],
    hasMore: true,
    hasNewer: true,
  });

  it('replaces what was held and keeps nothing past its gap', () => {
    expect(seqsOf(windowed)).toEqual([9, 10, 11]);
    const live = messagesReducer(windowed, { type: 'received', message: msg(92) });
    expect(seqsOf(live)).toEqual([9, 10, 11]);
    const edited = messagesReducer(windowed, { type: 'received', message: msg(10, { text: 'changed', updatedAt: '2026-11-26T00:00:00.000Z' }) });
    expect(edited.timelines[CHAT]?.messages[1]?.text).toBe('changed');
  });

  it('fills the gap page by page until it meets the live end', () => {
    const next = messagesReducer(windowed, { type: 'newerLoaded', chatId: CHAT, messages: [msg(12), msg(13)], hasNewer: false });
    expect(seqsOf(next)).toEqual([9, 10, 11, 12, 13]);
    expect(next.timelines[CHAT]?.hasNewer).toBe(false);
    expect(seqsOf(messagesReducer(next, { type: 'received', message: msg(14) }))).toEqual([9, 10, 11, 12, 13, 14]);
  });

  it('gives way to the newest page', () => {
    const back = messagesReducer(windowed, { type: 'pageLoaded', chatId: CHAT, messages: [msg(91), msg(92)], hasMore: true, older: false });
    expect(seqsOf(back)).toEqual([91, 92]);
    expect(back.timelines[CHAT]?.hasNewer).toBe(false);
  });
});

describe('reply previews', () => {
  const preview = { _id: 'm-1', seq: 1, sender: ME, messageType: 'text' as const, text: 'first', deleted: false };
  const state = run({ type: 'pageLoaded', chatId: CHAT, messages: [msg(1), msg(2, { replyTo: 'm-1', replyPreview: preview })], hasMore: false, older: false });

  it('follow an edit and a delete of the parent as they arrive', () => {
    const edited = messagesReducer(state, { type: 'received', message: msg(1, { text: 'second\nline', updatedAt: '2026-11-26T00:00:00.000Z' }) });
    expect(edited.timelines[CHAT]?.messages[1]?.replyPreview).toEqual({ ...preview, text: 'second' });
    const deleted = messagesReducer(edited, { type: 'received', message: msg(1, { text: '', deletedAt: '2026-11-26T00:00:01.000Z', updatedAt: '2026-11-26T00:00:01.000Z' }) });
    expect(deleted.timelines[CHAT]?.messages[1]?.replyPreview).toEqual({ ...preview, text: '', deleted: true });
  });
});
