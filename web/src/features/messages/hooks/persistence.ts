import { toStored, type OfflineStore } from '../../../lib/offlineStore';
import { changedTimelines, outboxChanges, toStoredOutgoing } from '../model/persist';
import type { MessagesStore } from './messagesStore';
import type { Sender } from './sender';

const HISTORY_WRITE_DELAY_MS = 1_000;

/**
 * Ties the message store to this browser's offline store: every unsent message is
 * written as it is queued and deleted once the server has it; the unsent messages of
 * an earlier visit are queued again (same clientId, so the server keeps one of each,
 * even if the earlier visit's send did land) and handed to the sender, oldest first;
 * the newest messages of each chat are written a second after they change.
 */
export function attachPersistence(store: MessagesStore, sender: Sender, offline: OfflineStore, meId: string): () => void {
  let state = store.getState();
  const dirty = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    timer = null;
    const { timelines } = store.getState();
    for (const chatId of dirty) {
      const t = timelines[chatId];
      if (t && !t.hasNewer) void offline.putTimeline(toStored(chatId, t.messages, t.hasMore));
    }
    dirty.clear();
  };

  const unsubscribe = store.subscribe(() => {
    const next = store.getState();
    const { added, removed } = outboxChanges(state.outbox, next.outbox);
    for (const o of added) void offline.putOutgoing(toStoredOutgoing(o));
    for (const id of removed) void offline.deleteOutgoing(id);
    for (const chatId of changedTimelines(state.timelines, next.timelines)) dirty.add(chatId);
    if (dirty.size > 0 && timer === null) timer = setTimeout(flush, HISTORY_WRITE_DELAY_MS);
    state = next;
  });

  let disposed = false;
  void offline.outbox().then((kept) => {
    if (disposed) return;
    for (const o of kept) {
      if (o.senderId !== meId) continue;
      store.dispatch({
        type: 'queued',
        outgoing: {
          clientId: o.clientId,
          chatId: o.chatId,
          senderId: o.senderId,
          text: o.text,
          image: o.image ? { file: o.image.file, previewUrl: URL.createObjectURL(o.image.file) } : undefined,
          createdAt: o.createdAt,
          replyTo: o.replyTo,
          mentions: o.mentions,
        },
      });
      sender.enqueue(o.clientId);
    }
  });

  return () => {
    disposed = true;
    unsubscribe();
    if (timer !== null) {
      clearTimeout(timer);
      flush();
    }
  };
}
