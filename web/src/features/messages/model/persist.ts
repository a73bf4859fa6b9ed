import type { StoredOutgoing } from '../../../lib/offlineStore';
import type { MessagesState, Outgoing, Timeline } from './timeline';

/** Which unsent messages to write and which to drop, between two states of the outbox. */
export function outboxChanges(prev: Outgoing[], next: Outgoing[]): { added: Outgoing[]; removed: string[] } {
  if (prev === next) return { added: [], removed: [] };
  const before = new Set(prev.map((o) => o.clientId));
  const after = new Set(next.map((o) => o.clientId));
  return {
    added: next.filter((o) => !before.has(o.clientId)),
    removed: [...before].filter((id) => !after.has(id)),
  };
}

/** The chats whose timeline changed and holds the live end (a window around an old message is not kept). */
export function changedTimelines(prev: MessagesState['timelines'], next: MessagesState['timelines']): string[] {
  if (prev === next) return [];
  return Object.entries(next)
    .filter(([chatId, t]: [string, Timeline]) => prev[chatId] !== t && !t.hasNewer && t.messages.length > 0)
    .map(([chatId]) => chatId);
}

export function toStoredOutgoing(o: Outgoing): StoredOutgoing {
  return {
    clientId: o.clientId,
    chatId: o.chatId,
    senderId: o.senderId,
    text: o.text,
    ...(o.image ? { image: { file: o.image.file } } : {}),
    createdAt: o.createdAt,
    ...(o.replyTo ? { replyTo: o.replyTo } : {}),
    ...(o.mentions?.length ? { mentions: o.mentions } : {}),
  };
}
