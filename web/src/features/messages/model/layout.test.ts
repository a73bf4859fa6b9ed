import { describe, expect, it } from 'vitest';
import type { Message } from '../../../lib/wire';
import { firstUnreadId, holdsUnreadStart, layoutRows, type Row } from './layout';
import type { TimelineItem } from './timeline';

const ME = 'me';
const ADA = 'ada';
const BOB = 'bob';
const NOW = new Date(2026, 11, 3, 18, 0);

function msg(seq: number, sender: string, at: Date, overrides: Partial<Message> = {}): Message {
  return {
    _id: `m-${seq}`,
    chatId: 'c',
    sender,
    text: `message ${seq}`,
    messageType: 'text',
    seen: false,
    seenAt: null,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    seq,
    clientId: `client-${seq}`,
    replyTo: null,
    editedAt: null,
    deletedAt: null,
    reactions: [],
    seenBy: [],
    mentions: [],
    ...overrides,
  };
}

const item = (m: Message): TimelineItem => ({ kind: 'message', key: m.clientId, message: m });
const min = (h: number, m: number, day = 3) => new Date(2026, 11, day, h, m);

/** A compact picture of the rows: "day:Today", "unread", "m-3[first,last]". */
function shape(rows: Row[]): string[] {
  return rows.map((r) =>
    r.kind === 'day' ? `day:${r.label}` : r.kind === 'unread' ? 'unread' : `${r.item.kind === 'message' ? r.item.message._id : r.key}${r.firstOfRun ? '<' : ''}${r.lastOfRun ? '>' : ''}`,
  );
}

describe('layoutRows', () => {
  it('puts a separator before the first message of each day', () => {
    const rows = layoutRows([item(msg(1, ADA, min(9, 0, 2))), item(msg(2, ADA, min(9, 1, 3)))], ME, { now: NOW });
    expect(shape(rows)).toEqual(['day:Yesterday', 'm-1<>', 'day:Today', 'm-2<>']);
  });

  it('groups one sender within 5 minutes, and a pause, another sender or a notice breaks the run', () => {
    const items = [
      msg(1, ADA, min(10, 0)),
      msg(2, ADA, min(10, 4)),
      msg(3, ADA, min(10, 9)), // 5 min after the previous: still one run
      msg(4, ADA, min(10, 15)), // 6 min: a new run
      msg(5, BOB, min(10, 15)),
      msg(6, BOB, min(10, 16), { system: { kind: 'renamed', name: 'x' } as unknown as Message['system'] }),
      msg(7, BOB, min(10, 16)),
    ].map(item);
    expect(shape(layoutRows(items, ME, { now: NOW }))).toEqual(['day:Today', 'm-1<', 'm-2', 'm-3>', 'm-4<>', 'm-5<>', 'm-6<>', 'm-7<>']);
  });

  it('counts my unsent messages as mine in a run', () => {
    const sent = item(msg(1, ME, min(10, 0)));
    const pending: TimelineItem = {
      kind: 'outgoing',
      key: 'out-1',
      outgoing: { clientId: 'out-1', chatId: 'c', senderId: ME, text: 'hi', createdAt: min(10, 1).toISOString(), status: 'sending', attempts: 1, retryable: true },
    };
    expect(shape(layoutRows([sent, pending], ME, { now: NOW }))).toEqual(['day:Today', 'm-1<', 'out-1>']);
  });

  it('draws the unread line before its message and starts a new run there', () => {
    const items = [msg(1, ADA, min(10, 0)), msg(2, ADA, min(10, 1)), msg(3, ADA, min(10, 2))].map(item);
    expect(shape(layoutRows(items, ME, { unreadId: 'm-2', now: NOW }))).toEqual(['day:Today', 'm-1<>', 'unread', 'm-2<', 'm-3>']);
  });

  it('is empty for an empty chat', () => {
    expect(layoutRows([], ME)).toEqual([]);
  });
});

describe('where the unread line goes', () => {
  const history = [msg(10, ADA, min(9, 0)), msg(11, ME, min(9, 1)), msg(14, ADA, min(9, 2)), msg(15, ADA, min(9, 3)), msg(17, ADA, min(9, 4))];

  it('before the first message from someone else past my read marker', () => {
    expect(firstUnreadId(history, ME, { afterSeq: 11, count: 3 })).toBe('m-14');
  });

  it('never before the count the chat list gave (a stale marker)', () => {
    expect(firstUnreadId(history, ME, { afterSeq: 0, count: 2 })).toBe('m-15');
  });

  it('nowhere when nothing was unread, or the marker is past everything', () => {
    expect(firstUnreadId(history, ME, { afterSeq: 11, count: 0 })).toBeUndefined();
    expect(firstUnreadId(history, ME, null)).toBeUndefined();
    expect(firstUnreadId(history, ME, { afterSeq: 17, count: 1 })).toBeUndefined();
  });

  it('skips my own messages, notices and deleted ones', () => {
    const list = [
      msg(20, ME, min(9, 0)),
      msg(21, ADA, min(9, 1), { deletedAt: min(9, 2).toISOString() }),
      msg(22, ADA, min(9, 2), { system: { kind: 'renamed' } as unknown as Message['system'] }),
      msg(23, ADA, min(9, 3)),
    ];
    expect(firstUnreadId(list, ME, { afterSeq: 19, count: 1 })).toBe('m-23');
  });

  it('knows when older pages are still needed to reach it', () => {
    const page = [msg(100, ADA, min(9, 0)), msg(101, ADA, min(9, 1))];
    expect(holdsUnreadStart(page, ME, { afterSeq: 50, count: 40 }, true)).toBe(false);
    expect(holdsUnreadStart(page, ME, { afterSeq: 50, count: 40 }, false)).toBe(true);
    expect(holdsUnreadStart(page, ME, { afterSeq: 99, count: 2 }, true)).toBe(true);
    expect(holdsUnreadStart(page, ME, { afterSeq: 0, count: 1 }, true)).toBe(true);
    expect(holdsUnreadStart(page, ME, { afterSeq: 0, count: 0 }, true)).toBe(true);
  });
});
