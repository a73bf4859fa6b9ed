import { describe, expect, it } from 'vitest';
import type { ChatListItem, Message } from '../../../lib/wire';
import { applyNewMessage, clearUnseen, isMuted, previewText, setMuted } from './chatListCache';

const chat = (id: string, unseenCount = 0, lastSeq = 1): ChatListItem => ({
  user: { _id: `u-${id}`, name: id, email: `${id}@example.com`, createdAt: '', updatedAt: '', lastSeen: null },
  members: [],
  chat: { _id: id, users: ['me', `u-${id}`], latestMessage: { text: 'old', sender: `u-${id}`, deleted: false }, unseenCount, createdAt: '', updatedAt: '', lastSeq, isGroup: false, name: null, owner: null, admins: [], mentionCount: 0, lastReadSeq: 0 },
});

const incoming = (chatId: string, sender: string, seq = 2): Message => ({
  _id: `m-${chatId}-${seq}`,
  chatId,
  sender,
  text: 'new',
  messageType: 'text',
  seen: false,
  seenAt: null,
  createdAt: '2026-11-25T18:00:00.000Z',
  updatedAt: '2026-11-25T18:00:00.000Z',
  clientId: 'c',
  replyTo: null,
  editedAt: null,
  deletedAt: null,
  reactions: [],
  seenBy: [],
  mentions: [],
  seq,
});

describe('chat list cache', () => {
  it('moves the chat with new activity to the top and counts it unseen', () => {
    const list = [chat('a'), chat('b'), chat('c')];
    const next = applyNewMessage(list, incoming('c', 'u-c'), { meId: 'me', activeChatId: 'a' });
    expect(next?.map((i) => i.chat._id)).toEqual(['c', 'a', 'b']);
    expect(next?.[0]?.chat).toMatchObject({ unseenCount: 1, latestMessage: { text: 'new', sender: 'u-c' }, lastSeq: 2 });
  });

  it('does not count my own messages or the open chat as unseen', () => {
    const list = [chat('a'), chat('b')];
    expect(applyNewMessage(list, incoming('b', 'me'), { meId: 'me', activeChatId: null })?.[0]?.chat.unseenCount).toBe(0);
    expect(applyNewMessage(list, incoming('b', 'u-b'), { meId: 'me', activeChatId: 'b' })?.[0]?.chat.unseenCount).toBe(0);
  });

  it('applies the same message only once', () => {
    const once = applyNewMessage([chat('a')], incoming('a', 'u-a'), { meId: 'me', activeChatId: null })!;
    const twice = applyNewMessage(once, incoming('a', 'u-a'), { meId: 'me', activeChatId: null });
    expect(twice?.[0]?.chat.unseenCount).toBe(1);
  });

  it('asks for a refetch when the chat is not in the list yet', () => {
    expect(applyNewMessage([chat('a')], incoming('zzz', 'u-z'), { meId: 'me', activeChatId: null })).toBeNull();
  });

  it('clears the badge of a chat', () => {
    expect(clearUnseen([chat('a', 4)], 'a')[0]?.chat.unseenCount).toBe(0);
  });

  it('previews an image as the server does, captioned or not', () => {
    expect(previewText({ text: 'look', messageType: 'image' })).toBe('📷 Image');
    expect(previewText({ text: '', messageType: 'image' })).toBe('📷 Image');
    expect(previewText({ text: 'hi', messageType: 'text' })).toBe('hi');
  });
});

describe('muted chats in the cache', () => {
  it('reads a chat without `muted` (an older server) as not muted', () => {
    expect(isMuted(chat('a'))).toBe(false);
    expect(isMuted({ chat: { ...chat('a').chat, muted: true } })).toBe(true);
  });

  it('sets one chat muted and back, and keeps the same list when nothing changes', () => {
    const list = [chat('a'), chat('b')];
    const muted = setMuted(list, 'b', true);
    expect(muted.map(isMuted)).toEqual([false, true]);
    expect(setMuted(muted, 'b', true)).toBe(muted);
    expect(setMuted(muted, 'b', false).map(isMuted)).toEqual([false, false]);
    expect(setMuted(list, 'nope', true)).toBe(list);
  });

  it('still counts unread in a muted chat', () => {
    const list = setMuted([chat('a'), chat('b')], 'b', true);
    const next = applyNewMessage(list, incoming('b', 'u-b'), { meId: 'me', activeChatId: 'a' });
    expect(next?.[0]?.chat).toMatchObject({ _id: 'b', unseenCount: 1, muted: true });
  });
});
