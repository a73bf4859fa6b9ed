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
  /** The `_id` of the message this one answers. */
  replyTo?: string;
  /** Members it mentions (a group's `@name`). */
  mentions?: string[];
}

export interface Timeline {
  messages: Message[];
  hasMore: boolean;
  /**
   * The messages held end before the live end: a window loaded around an older
   * message (a reply's parent, a search result). Newer pages fill the gap until it
   * closes; messages past the gap are not kept meanwhile (paging down brings them).
   */
  hasNewer: boolean;
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
  | { type: 'windowLoaded'; chatId: string; messages: Message[]; hasMore: boolean; hasNewer: boolean }
  | { type: 'newerLoaded'; chatId: string; messages: Message[]; hasNewer: boolean }
  | { type: 'eventsMerged'; chatId: string; events: ChatEvent[]; lastSeq: number }
  | { type: 'seen'; payload: MessagesSeen; meId: string }
  | { type: 'markersRefreshed'; chatId: string; messages: Message[] };

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
  return { messages: [], hasMore: false, hasNewer: false, cursor: 0, seenUpToSeq: 0 };
}

/** What of `incoming` a timeline keeps: with a gap after it, nothing past its last message. */
function keepable(t: Timeline, incoming: Message[]): Message[] {
  if (!t.hasNewer) return incoming;
  const last = t.messages.at(-1)?.seq ?? 0;
  return incoming.filter((m) => m.seq <= last);
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
    // One past a window's gap is not kept: paging down to the live end brings it.
    const messages = withReplyPreviews(upsertMessages(t.messages, keepable(t, [message])), [message]);
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
      // The newest page replaces a window that ended before the live end.
      const replace = !action.older && current?.hasNewer === true;
      const base = current && !replace ? current : { ...emptyTimeline(), cursor: current?.cursor ?? 0, seenUpToSeq: current?.seenUpToSeq ?? 0 };
      const messages = upsertMessages(base.messages, action.messages);
      const timeline: Timeline = {
        ...base,
        messages,
        // An older page only says whether there is more above; the newest page sets the cursor.
        hasMore: action.older || !current || replace ? action.hasMore : base.hasMore,
        cursor: action.older ? base.cursor : Math.max(base.cursor, maxSeq(action.messages)),
      };
      const outbox = action.messages.reduce((o, m) => dropOutgoing(o, m.clientId), state.outbox);
      return { timelines: { ...state.timelines, [action.chatId]: timeline }, outbox };
    }

    case 'windowLoaded': {
      const base = state.timelines[action.chatId] ?? emptyTimeline();
      const timeline: Timeline = {
        ...base,
        messages: upsertMessages([], action.messages),
        hasMore: action.hasMore,
        hasNewer: action.hasNewer,
      };
      return { ...state, timelines: { ...state.timelines, [action.chatId]: timeline } };
    }

    case 'newerLoaded':
      return withTimeline(state, action.chatId, (t) => ({
        ...t,
        messages: upsertMessages(t.messages, action.messages),
        hasNewer: action.hasNewer,
        // Met the live end: everything up to it is held now.
        cursor: action.hasNewer ? t.cursor : Math.max(t.cursor, maxSeq(action.messages)),
      }));

    case 'eventsMerged': {
      const next = withTimeline(state, action.chatId, (t) => {
        const payloads = action.events.map((e) => e.payload);
        const messages = withReplyPreviews(upsertMessages(t.messages, keepable(t, payloads)), payloads);
        const cursor = Math.max(t.cursor, action.lastSeq, ...action.events.map((e) => e.seq));
        return { ...t, messages, cursor };
      });
      const outbox = action.events.reduce((o, e) => dropOutgoing(o, e.payload.clientId), next.outbox);
      return outbox === next.outbox ? next : { ...next, outbox };
    }

    case 'markersRefreshed':
      // Fresh copies of held messages (after a reconnect, to learn of reads missed while
      // away): only those already held are updated; "seen" never goes back.
      return withTimeline(state, action.chatId, (t) => {
        const held = new Set(t.messages.map((m) => m._id));
        const messages = upsertMessages(t.messages, action.messages.filter((m) => held.has(m._id)));
        return messages === t.messages ? t : { ...t, messages };
      });

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

/**
 * The replies held show their parents as the `changed` copies say they are now (an
 * edit or a delete arrives for the parent only). The same array when none changed.
 */
export function withReplyPreviews(messages: Message[], changed: Message[]): Message[] {
  const byId = new Map(changed.map((m) => [m._id, m]));
  let touched = false;
  const next = messages.map((m) => {
    const parent = m.replyPreview ? byId.get(m.replyPreview._id) : undefined;
    if (!m.replyPreview || !parent) return m;
    const text = parent.deletedAt ? '' : firstLine(parent.text);
    const deleted = parent.deletedAt !== null;
    if (text === m.replyPreview.text && deleted === m.replyPreview.deleted) return m;
    touched = true;
    return { ...m, replyPreview: { ...m.replyPreview, text, deleted } };
  });
  return touched ? next : messages;
}

/** As the server cuts a reply's preview: the first line, at most 140 characters. */
export function firstLine(text: string): string {
  const line = (text.trimStart().split('\n')[0] ?? '').trim();
  return [...line].length > 140 ? `${[...line].slice(0, 139).join('').trimEnd()}…` : line;
}

/** The oldest of my messages in a chat not known to be seen yet, or null. */
export function oldestUnseenOwn(timeline: Timeline | undefined, meId: string): Message | null {
  for (const m of timeline?.messages ?? []) {
    if (m.sender === meId && m.messageType !== 'system' && !m.deletedAt && !isSeen(timeline, m)) return m;
  }
  return null;
}

/** A live message skipped over some `seq`: something may have been missed, catch up. */
export function hasGapBefore(state: MessagesState, message: Message): boolean {
  const timeline = state.timelines[message.chatId];
  return timeline !== undefined && message.seq > timeline.cursor + 1;
}
