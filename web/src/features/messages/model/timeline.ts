import type { ChatEvent, Message, MessagesSeen } from '../../../lib/wire';

/**
 * The message state machine of the web client, kept pure so it can be tested without a
 * browser. Two halves:
 *
 * - `timelines`: per chat, the server's messages, unique by `_id` and ordered by `seq`.
 *   Every source (first page, older pages, live `newMessage`, acks, catch-up events) goes
 *   through the same upsert, so arrival order never matters and nothing shows twice.
 * - `outbox`: messages typed here and not yet confirmed. Each carries a `clientId` that
 *   never changes across retries, so the server's idempotency (sender, clientId) turns
 *   any number of resends into one stored message.
 *
 * An outgoing message leaves the outbox the moment the server's copy is seen, whether
 * that copy comes from the ack or from a `newMessage` that overtook it.
 */

export type OutgoingStatus = 'sending' | 'failed';

export interface OutgoingImage {
  file: File;
  /** Object URL for the local preview while the upload is pending. */
  previewUrl: string;
}

export interface Outgoing {
  clientId: string;
  chatId: string;
  senderId: string;
  text: string;
  image?: OutgoingImage;
  createdAt: string;
  status: OutgoingStatus;
  attempts: number;
  error?: string;
  /** False once the server refused it for good (a 4xx): only a manual retry then. */
  retryable: boolean;
}

export interface Timeline {
  messages: Message[];
  hasMore: boolean;
  /** Highest chat `seq` up to which this client is known to hold every change. */
  cursor: number;
  /** The other members' read marker: my messages with `seq <= seenUpToSeq` are seen. */
  seenUpToSeq: number;
}

export interface MessagesState {
  timelines: Record<string, Timeline>;
  outbox: Outgoing[];
}

export const initialMessagesState: MessagesState = { timelines: {}, outbox: [] };

export type MessagesAction =
  | { type: 'queued'; outgoing: Omit<Outgoing, 'status' | 'attempts' | 'retryable'> }
  | { type: 'sendStarted'; clientId: string }
  | { type: 'sendSucceeded'; clientId: string; message: Message }
  | { type: 'sendFailed'; clientId: string; error: string; retryable: boolean }
  | { type: 'discarded'; clientId: string }
  | { type: 'received'; message: Message }
  | { type: 'pageLoaded'; chatId: string; messages: Message[]; hasMore: boolean; older: boolean }
  | { type: 'eventsMerged'; chatId: string; events: ChatEvent[]; lastSeq: number }
  | { type: 'seen'; payload: MessagesSeen; meId: string };

function bySeq(a: Message, b: Message): number {
  return a.seq - b.seq || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);
}

/** Which copy of the same message to keep: the later version; "seen" never goes back. */
function mergeVersions(existing: Message, incoming: Message): Message {
  const base = incoming.updatedAt >= existing.updatedAt ? incoming : existing;
  const seen = existing.seen || incoming.seen;
  return {
    ...base,
    seen,
    seenAt: base.seenAt ?? (seen ? (existing.seenAt ?? incoming.seenAt) : null),
  };
}

/** Upserts by `_id` and keeps the list ordered by `seq`. Returns the same array when nothing changed. */
export function upsertMessages(list: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return list;
  const byId = new Map(list.map((m) => [m._id, m]));
  let changed = false;
  for (const message of incoming) {
    const existing = byId.get(message._id);
    const next = existing ? mergeVersions(existing, message) : message;
    if (next !== existing) {
      byId.set(message._id, next);
      changed = true;
    }
  }
  if (!changed) return list;
  return [...byId.values()].sort(bySeq);
}

function emptyTimeline(): Timeline {
  return { messages: [], hasMore: false, cursor: 0, seenUpToSeq: 0 };
}

function maxSeq(messages: Message[]): number {
  return messages.reduce((max, m) => Math.max(max, m.seq), 0);
}

function withTimeline(state: MessagesState, chatId: string, update: (t: Timeline) => Timeline): MessagesState {
  const current = state.timelines[chatId];
  if (!current) return state;
  const next = update(current);
  return next === current ? state : { ...state, timelines: { ...state.timelines, [chatId]: next } };
}

function dropOutgoing(outbox: Outgoing[], clientId: string | null | undefined): Outgoing[] {
  if (!clientId || !outbox.some((o) => o.clientId === clientId)) return outbox;
  return outbox.filter((o) => o.clientId !== clientId);
}

function updateOutgoing(state: MessagesState, clientId: string, update: (o: Outgoing) => Outgoing): MessagesState {
  if (!state.outbox.some((o) => o.clientId === clientId)) return state;
  return { ...state, outbox: state.outbox.map((o) => (o.clientId === clientId ? update(o) : o)) };
}

/** Adds server messages to a loaded timeline; live messages only advance the cursor without a gap. */
function applyMessage(state: MessagesState, message: Message): MessagesState {
  const next = withTimeline(state, message.chatId, (t) => {
    const messages = upsertMessages(t.messages, [message]);
    const cursor = message.seq === t.cursor + 1 ? message.seq : t.cursor;
    return messages === t.messages && cursor === t.cursor ? t : { ...t, messages, cursor };
  });
  const outbox = dropOutgoing(next.outbox, message.clientId);
  return outbox === next.outbox ? next : { ...next, outbox };
}

export function messagesReducer(state: MessagesState, action: MessagesAction): MessagesState {
  switch (action.type) {
    case 'queued':
      if (state.outbox.some((o) => o.clientId === action.outgoing.clientId)) return state;
      return {
        ...state,
        outbox: [...state.outbox, { ...action.outgoing, status: 'sending', attempts: 0, retryable: true }],
      };

    case 'sendStarted':
      return updateOutgoing(state, action.clientId, (o) => ({
        ...o,
        status: 'sending',
        attempts: o.attempts + 1,
        error: undefined,
      }));

    case 'sendFailed':
      return updateOutgoing(state, action.clientId, (o) => ({
        ...o,
        status: 'failed',
        error: action.error,
        retryable: action.retryable,
      }));

    case 'discarded':
      return { ...state, outbox: dropOutgoing(state.outbox, action.clientId) };

    case 'sendSucceeded': {
      const next = applyMessage(state, action.message);
      // The ack names the clientId even if the server's copy lacks it.
      const outbox = dropOutgoing(next.outbox, action.clientId);
      return outbox === next.outbox ? next : { ...next, outbox };
    }

    case 'received':
      return applyMessage(state, action.message);

    case 'pageLoaded': {
      const current = state.timelines[action.chatId];
      const base = current ?? emptyTimeline();
      const messages = upsertMessages(base.messages, action.messages);
      const timeline: Timeline = {
        ...base,
        messages,
        // An older page only says whether there is more above; the newest page sets the cursor.
        hasMore: action.older || !current ? action.hasMore : base.hasMore,
        cursor: action.older ? base.cursor : Math.max(base.cursor, maxSeq(action.messages)),
      };
      const outbox = action.messages.reduce((o, m) => dropOutgoing(o, m.clientId), state.outbox);
      return { timelines: { ...state.timelines, [action.chatId]: timeline }, outbox };
    }

    case 'eventsMerged': {
      const next = withTimeline(state, action.chatId, (t) => {
        const messages = upsertMessages(
          t.messages,
          action.events.map((e) => e.payload),
        );
        const cursor = Math.max(t.cursor, action.lastSeq, ...action.events.map((e) => e.seq));
        return { ...t, messages, cursor };
      });
      const outbox = action.events.reduce((o, e) => dropOutgoing(o, e.payload.clientId), next.outbox);
      return outbox === next.outbox ? next : { ...next, outbox };
    }

    case 'seen': {
      const { payload, meId } = action;
      if (payload.seenBy === meId) return state;
      const ids = new Set(payload.messageIds);
      return withTimeline(state, payload.chatId, (t) => ({
        ...t,
        seenUpToSeq: Math.max(t.seenUpToSeq, payload.upToSeq),
        messages: t.messages.map((m) =>
          m.sender !== payload.seenBy && !m.seenBy.includes(payload.seenBy) && (ids.has(m._id) || m.seq <= payload.upToSeq)
            ? { ...m, seen: true, seenAt: m.seenAt ?? payload.seenAt, seenBy: [...m.seenBy, payload.seenBy] }
            : m,
        ),
      }));
    }
  }
}

// ---- selectors ----

export type TimelineItem =
  | { kind: 'message'; key: string; message: Message }
  | { kind: 'outgoing'; key: string; outgoing: Outgoing };

/**
 * What a chat pane shows: the server's messages in `seq` order, then this client's
 * unconfirmed ones. Keys use the clientId when there is one, so a bubble keeps its
 * identity when it turns from pending into sent.
 */
export function selectItems(state: MessagesState, chatId: string): TimelineItem[] {
  const timeline = state.timelines[chatId];
  const items: TimelineItem[] = (timeline?.messages ?? []).map((message) => ({
    kind: 'message',
    key: message.clientId ?? message._id,
    message,
  }));
  for (const outgoing of state.outbox) {
    if (outgoing.chatId === chatId) items.push({ kind: 'outgoing', key: outgoing.clientId, outgoing });
  }
  return items;
}

/** Outgoing messages to resend automatically (after a reconnect or a back-off). */
export function selectRetryable(state: MessagesState): Outgoing[] {
  return state.outbox.filter((o) => o.status === 'failed' && o.retryable);
}

export function isSeen(timeline: Timeline | undefined, message: Message): boolean {
  return message.seen || (timeline !== undefined && message.seq <= timeline.seenUpToSeq);
}

/** A live message skipped over some `seq`: something may have been missed, catch up. */
export function hasGapBefore(state: MessagesState, message: Message): boolean {
  const timeline = state.timelines[message.chatId];
  return timeline !== undefined && message.seq > timeline.cursor + 1;
}
