import type { ChatListItem, Message } from '../../../lib/wire';

/**
 * Pure updates of the cached chat list, applied when socket events arrive so the
 * sidebar moves without refetching. Returns null when the chat is unknown (a chat
 * someone else just started): the caller refetches then.
 */
export function applyNewMessage(
  list: ChatListItem[],
  message: Message,
  opts: { meId: string; activeChatId: string | null },
): ChatListItem[] | null {
  const index = list.findIndex((item) => item.chat._id === message.chatId);
  const current = list[index];
  if (!current) return null;
  if (message.seq <= (current.chat.lastSeq ?? 0) && current.chat.latestMessage) return list; // already applied
  // A group's notice is not unread (the server does not count it either).
  const fromOther = message.sender !== opts.meId && message.messageType !== 'system';
  const unseen = fromOther && opts.activeChatId !== message.chatId;
  const updated: ChatListItem = {
    ...current,
    chat: {
      ...current.chat,
      latestMessage: { text: previewText(message), sender: message.sender, deleted: false, ...(message.system ? { system: message.system } : {}) },
      unseenCount: unseen ? current.chat.unseenCount + 1 : opts.activeChatId === message.chatId ? 0 : current.chat.unseenCount,
      mentionCount:
        unseen && message.mentions.includes(opts.meId)
          ? current.chat.mentionCount + 1
          : opts.activeChatId === message.chatId
            ? 0
            : current.chat.mentionCount,
      lastSeq: Math.max(current.chat.lastSeq ?? 0, message.seq),
      updatedAt: message.createdAt,
    },
  };
  // Newest activity first: the chat that just moved goes to the top.
  return [updated, ...list.slice(0, index), ...list.slice(index + 1)];
}

export function clearUnseen(list: ChatListItem[], chatId: string): ChatListItem[] {
  return list.some((i) => i.chat._id === chatId && (i.chat.unseenCount > 0 || i.chat.mentionCount > 0))
    ? list.map((i) => (i.chat._id === chatId ? { ...i, chat: { ...i.chat, unseenCount: 0, mentionCount: 0 } } : i))
    : list;
}

/** What the chat list shows of a message: as the server (and the seed) do, an image is "📷 Image", captioned or not. */
export function previewText(message: Pick<Message, 'text' | 'messageType'>): string {
  return message.messageType === 'image' ? '📷 Image' : message.text;
}

/** Whether I muted the chat; a server without mute sends no `muted`, which reads as false. */
export function isMuted(item: Pick<ChatListItem, 'chat'>): boolean {
  return item.chat.muted === true;
}

export function setMuted(list: ChatListItem[], chatId: string, muted: boolean): ChatListItem[] {
  return list.some((i) => i.chat._id === chatId && isMuted(i) !== muted)
    ? list.map((i) => (i.chat._id === chatId ? { ...i, chat: { ...i.chat, muted } } : i))
    : list;
}
