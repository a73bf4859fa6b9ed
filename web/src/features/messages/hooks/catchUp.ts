import type { ChatEvent, ChatEventKind } from '../../../lib/wire';
import { fetchEvents, fetchMessagesNear } from '../api/messagesApi';
import { oldestUnseenOwn } from '../model/timeline';
import type { MessagesStore } from './messagesStore';

const MAX_PAGES = 50;
// Every kind carries its message as it is now (a group change, its notice).
const MESSAGE_KINDS = new Set<ChatEventKind>([
  'message.created',
  'message.edited',
  'message.deleted',
  'reaction.added',
  'reaction.removed',
  'chat.created',
  'member.added',
  'member.removed',
  'chat.renamed',
  'member.role_changed',
]);

/**
 * Brings loaded timelines up to the server's `lastSeq` through
 * GET /chat/:id/events?after=<cursor>. Chats never opened in this session are skipped:
 * their first page is fetched fresh when they open.
 */
export function createCatchUp(store: MessagesStore, onGroupChanged?: () => void) {
  const running = new Map<string, Promise<void>>();
  /** Chats opened from what this browser saved (no network then): they catch up on the next connect. */
  const restored = new Set<string>();

  async function run(chatId: string, targetSeq: number) {
    for (let page = 0; page < MAX_PAGES; page++) {
      const timeline = store.getState().timelines[chatId];
      if (!timeline || timeline.cursor >= targetSeq) return;
      const { events, lastSeq } = await fetchEvents(chatId, timeline.cursor);
      // Message rows carry the message as it is now; kinds this client does not know are skipped.
      const messageEvents = events.filter((e): e is ChatEvent => MESSAGE_KINDS.has(e.kind) && typeof e.payload === 'object' && e.payload !== null);
      // The group changed while this client was away: its list entry (name, members) is stale.
      if (events.some((e) => e.chat)) onGroupChanged?.();
      store.dispatch({ type: 'eventsMerged', chatId, events: messageEvents, lastSeq: events.length ? Math.max(...events.map((e) => e.seq)) : lastSeq });
      targetSeq = Math.max(targetSeq, lastSeq);
      if (events.length === 0) return;
    }
  }

  function chat(chatId: string, targetSeq: number): Promise<void> {
    const current = running.get(chatId);
    // One catch-up per chat at a time; a later request chains after it.
    const next = (current ?? Promise.resolve())
      .then(() => run(chatId, targetSeq))
      .catch(() => undefined)
      .finally(() => {
        if (running.get(chatId) === next) running.delete(chatId);
      });
    running.set(chatId, next);
    return next;
  }

  /**
   * Read markers are not in the events feed: a `messagesSeen` missed while away left my
   * messages single-ticked until a later one was read. Re-read the held messages from
   * the oldest of mine not seen yet (an `after` page, which marks nothing read).
   */
  async function refreshSeen(meId: string): Promise<void> {
    const timelines = store.getState().timelines;
    await Promise.all(
      Object.keys(timelines).map(async (chatId) => {
        const oldest = oldestUnseenOwn(timelines[chatId], meId);
        if (!oldest) return;
        try {
          const page = await fetchMessagesNear(chatId, { after: oldest.seq - 1 });
          store.dispatch({ type: 'markersRefreshed', chatId, messages: page.messages });
        } catch {
          // The next reconnect tries again.
        }
      }),
    );
  }

  return {
    chat,
    refreshSeen,
    markRestored(chatId: string) {
      restored.add(chatId);
    },
    /** True once per restore: the first connect after it must catch up too, not only reconnects. */
    takeRestored(): boolean {
      const any = restored.size > 0;
      restored.clear();
      return any;
    },
    /** `chats` comes from a fresh GET /chat/all: each chat's current lastSeq. */
    all(chats: Array<{ chatId: string; lastSeq: number }>): Promise<void> {
      return Promise.all(chats.map((c) => chat(c.chatId, c.lastSeq))).then(() => undefined);
    },
  };
}

export type CatchUp = ReturnType<typeof createCatchUp>;
