import { describe, expect, it } from 'vitest';
import type { ChatListItem } from '../../../lib/wire';
import { titleFor, totalUnread } from './unread';

const chat = (id: string, unseenCount: number, muted?: boolean): ChatListItem => ({
  user: null,
  members: [],
  chat: {
    _id: id,
    users: [],
    latestMessage: null,
    unseenCount,
    mentionCount: 0,
    createdAt: '',
    updatedAt: '',
    isGroup: false,
    name: null,
    owner: null,
    admins: [],
    lastSeq: 0,
    lastReadSeq: 0,
    ...(muted === undefined ? {} : { muted }),
  },
});

const onScreen = (activeChatId: string | null) => ({ activeChatId, visible: true, arrivedWhileHidden: 0 });

describe('the tab title', () => {
  it('carries the unread count, and is plain natter at zero', () => {
    expect(titleFor(3)).toBe('(3) natter');
    expect(titleFor(1)).toBe('(1) natter');
    expect(titleFor(0)).toBe('natter');
  });
});

describe('the unread total', () => {
  it('adds up every chat, with none loaded as zero', () => {
    expect(totalUnread([chat('a', 2), chat('b', 1), chat('c', 0)], onScreen(null))).toBe(3);
    expect(totalUnread(undefined, onScreen(null))).toBe(0);
  });

  it('leaves out muted chats, while a chat without `muted` counts', () => {
    expect(totalUnread([chat('a', 2, true), chat('b', 1, false), chat('c', 4)], onScreen(null))).toBe(5);
  });

  it('does not count the chat on screen while the tab is visible', () => {
    expect(totalUnread([chat('a', 2), chat('b', 1)], onScreen('a'))).toBe(1);
  });

  it('counts what reached the open chat while the tab was hidden, once', () => {
    const hidden = { activeChatId: 'a', visible: false, arrivedWhileHidden: 2 };
    expect(totalUnread([chat('a', 0), chat('b', 1)], hidden)).toBe(3);
    // A refetch while hidden brings the server's count of the same two messages.
    expect(totalUnread([chat('a', 2), chat('b', 1)], hidden)).toBe(3);
    expect(totalUnread([chat('a', 0, true)], hidden)).toBe(0);
  });
});
