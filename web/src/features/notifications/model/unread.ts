import type { ChatListItem } from '../../../lib/wire';

/** What the tab says: `(3) natter`, or plain `natter` with nothing unread. */
export function titleFor(unread: number): string {
  return unread > 0 ? `(${unread}) natter` : 'natter';
}

export interface UnreadContext {
  /** The chat on screen (the route's), or null. */
  activeChatId: string | null;
  /** Whether the tab is on screen. */
  visible: boolean;
  /**
   * Messages from others that reached the active chat while the tab was hidden: the
   * cached list never counts the open chat, yet nobody was looking.
   */
  arrivedWhileHidden: number;
}

/**
 * The count the tab's title and favicon show. Muted chats are left out: muting says
 * "do not call me for this", and the title is how a background tab calls. Their rows
 * still show their count (in grey). The chat on screen counts only while the tab is
 * hidden.
 */
export function totalUnread(list: readonly ChatListItem[] | undefined, ctx: UnreadContext): number {
  let total = 0;
  for (const item of list ?? []) {
    if (item.chat.muted === true) continue;
    if (item.chat._id === ctx.activeChatId) {
      // A refetch while hidden may already carry the server's count of the same messages.
      if (!ctx.visible) total += Math.max(item.chat.unseenCount, ctx.arrivedWhileHidden);
      continue;
    }
    total += item.chat.unseenCount;
  }
  return total;
}
