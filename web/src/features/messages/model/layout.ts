import { dayKey, dayLabel } from '../../../lib/time';
import type { Message } from '../../../lib/wire';
import type { TimelineItem } from './timeline';

/**
 * How a pane lays out its timeline: a separator at each new day, the "New messages" line
 * before the first unread one, and runs of messages by one sender (one name, tight
 * spacing) that a new day, the unread line, a notice or a pause of 5 minutes breaks.
 */

/** Longest pause between two messages of one run. */
export const RUN_GAP_MS = 5 * 60 * 1000;

export type Row =
  | { kind: 'day'; key: string; label: string; iso: string }
  | { kind: 'unread'; key: string }
  | { kind: 'item'; key: string; item: TimelineItem; firstOfRun: boolean; lastOfRun: boolean };

/** Where the chat stood when it was opened: my read marker and the unread count the list gave. */
export interface UnreadMark {
  afterSeq: number;
  count: number;
}

function senderOf(item: TimelineItem, meId: string): string {
  return item.kind === 'message' ? item.message.sender : meId;
}

function createdAtOf(item: TimelineItem): string {
  return item.kind === 'message' ? item.message.createdAt : item.outgoing.createdAt;
}

function isNotice(item: TimelineItem): boolean {
  return item.kind === 'message' && Boolean(item.message.system);
}

export function layoutRows(items: TimelineItem[], meId: string, opts: { unreadId?: string; now?: Date } = {}): Row[] {
  const now = opts.now ?? new Date();
  const rows: Row[] = [];
  let prev: TimelineItem | undefined;
  let lastItemRow: Extract<Row, { kind: 'item' }> | undefined;
  for (const item of items) {
    const at = createdAtOf(item);
    const day = dayKey(at);
    const newDay = !prev || dayKey(createdAtOf(prev)) !== day;
    if (newDay) rows.push({ kind: 'day', key: `day-${day}`, label: dayLabel(at, now), iso: at });
    const unreadHere = opts.unreadId !== undefined && item.kind === 'message' && item.message._id === opts.unreadId;
    if (unreadHere) rows.push({ kind: 'unread', key: 'unread' });
    const continues =
      prev !== undefined &&
      !newDay &&
      !unreadHere &&
      !isNotice(item) &&
      !isNotice(prev) &&
      senderOf(prev, meId) === senderOf(item, meId) &&
      Date.parse(at) - Date.parse(createdAtOf(prev)) <= RUN_GAP_MS;
    if (lastItemRow && !continues) lastItemRow.lastOfRun = true;
    lastItemRow = { kind: 'item', key: item.key, item, firstOfRun: !continues, lastOfRun: false };
    rows.push(lastItemRow);
    prev = item;
  }
  if (lastItemRow) lastItemRow.lastOfRun = true;
  return rows;
}

function countsAsUnread(m: Message, meId: string): boolean {
  return m.sender !== meId && !m.system && !m.deletedAt;
}

/**
 * The `_id` of the first unread message: the first from someone else past my read
 * marker, but no earlier than the list's count says (a stale marker would put it too
 * high). None when nothing was unread.
 */
export function firstUnreadId(messages: Message[], meId: string, mark: UnreadMark | null): string | undefined {
  if (!mark || mark.count <= 0) return undefined;
  const theirs = messages.filter((m) => countsAsUnread(m, meId));
  const bySeq = theirs.findIndex((m) => m.seq > mark.afterSeq);
  if (bySeq < 0) return undefined;
  const byCount = Math.max(0, theirs.length - mark.count);
  return theirs[Math.max(bySeq, byCount)]?._id;
}

/** Whether the messages held reach back to where the unread ones start (or there is nothing older). */
export function holdsUnreadStart(messages: Message[], meId: string, mark: UnreadMark | null, hasMore: boolean): boolean {
  if (!mark || mark.count <= 0 || !hasMore) return true;
  const oldest = messages[0];
  if (!oldest) return true;
  if (oldest.seq <= mark.afterSeq) return true;
  return messages.filter((m) => countsAsUnread(m, meId)).length >= mark.count;
}
