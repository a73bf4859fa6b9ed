import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ArrowDown, MessageCircle } from 'lucide-react';
import { Spinner } from '../../../components/ui/Spinner';
import type { Timeline, TimelineItem } from '../model/timeline';
import { isSeen } from '../model/timeline';
import { layoutRows } from '../model/layout';
import { ImageModal } from './ImageModal';
import { SystemNotice } from './MessageBubble';
import { MessageRow, type RowContext, type RowHandlers } from './MessageRow';
import { systemText } from '../../chats/model/group';
import { useNames } from '../../chats/hooks/useNames';
import { formatTime } from '../../../lib/time';
import { PANE } from './colors';
import type { Message } from '../../../lib/wire';
import { useToday } from '../../../lib/useToday';

const NEAR_BOTTOM_PX = 120;
/** Further from the bottom than this, the scroll-to-bottom button shows. */
const SHOW_DOWN_BUTTON_PX = 400;
const LOAD_OLDER_AT_PX = 80;

interface MessageListProps {
  items: TimelineItem[];
  timeline: Timeline | undefined;
  meId: string;
  peerName: string;
  names: ReadonlyMap<string, string>;
  /** My own name (mentions of me say it; `names` calls me "You"). */
  meName: string;
  isGroup: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  onEdit: (message: Message, text: string) => Promise<boolean>;
  onDelete: (message: Message) => Promise<boolean>;
  onReact: (message: Message, emoji: string, on: boolean) => Promise<boolean>;
  onReply: (message: Message) => void;
  /** Show a message in the history (a reply's parent): loaded first if it is not held. */
  onJump: (id: string, seq: number) => void;
  /** The message a jump is landing on; `key` changes with every jump. */
  jump: { id: string; key: number } | null;
  onLoadNewer: () => void;
  onJumpToLatest: () => void;
  /** The first message that was unread when the chat was opened: the "New messages" line goes above it. */
  unreadId?: string;
  /** The message being edited in place (the composer's Up arrow opens the last of mine). */
  editingId: string | null;
  onEditingChange: (id: string | null) => void;
  onCopy: (text: string) => void;
}

/** How long the message a jump landed on stays marked. */
const HIGHLIGHT_MS = 2000;

/**
 * Scroll rules: open at the "New messages" line when something was unread, else at the
 * newest; follow new messages only when the reader is already at the bottom (or sent
 * the message); scrolled up, a button goes down and counts what arrived meanwhile.
 * Loading older messages at the top keeps the visible message where it was.
 */
export function MessageList(props: MessageListProps) {
  const { items, timeline, meId, meName, peerName, names: memberNames, isGroup, loadingOlder, onLoadOlder, onRetry, onDiscard, onEdit, onDelete, onReact } = props;
  const { onReply, onJump, jump, onLoadNewer, onJumpToLatest, unreadId, editingId, onEditingChange: setEditingId, onCopy } = props;
  const loaded = useMemo(() => items.flatMap((i) => (i.kind === 'message' ? [i.message] : [])), [items]);
  const names = useNames(memberNames, loaded);
  // Day separators say "Today" against the reader's day, which changes at midnight.
  const today = useToday();
  const rows = useMemo(() => layoutRows(items, meId, { unreadId, now: today }), [items, meId, unreadId, today]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const nearBottom = useRef(true);
  const prevFirstKey = useRef<string | undefined>(undefined);
  const prevLastKey = useRef<string | undefined>(undefined);
  const prevHeight = useRef(0);
  // A page appended below a window is read from where the reader is, not jumped over.
  const prevHasNewer = useRef(false);
  const toLatest = useRef(false);
  const [highlightId, setHighlightId] = useState<string | null>(null);
  // Scrolled up: the button down, and how many arrived from others meanwhile.
  const [away, setAway] = useState(false);
  const [newWhileAway, setNewWhileAway] = useState(0);
  const [openImage, setOpenImage] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const closeImage = useCallback(() => setOpenImage(null), []);
  // Rows skip rendering unless their message changed: what they share is stable by content...
  const namesKey = [...names].map(([id, name]) => `${id}=${name}`).join('\u0000');
  const rowContext = useMemo<RowContext>(
    () => ({ meId, meName, peerName, isGroup, names }),
    // `names` is rebuilt on every chat list change; its content is what matters.
    [meId, meName, peerName, isGroup, namesKey],
  );
  // ...and their actions call the latest callbacks through one object that never changes.
  const latest = useRef({ onRetry, onDiscard, onEdit, setEditingId, onDelete, onReact, onReply, onJump, onCopy });
  latest.current = { onRetry, onDiscard, onEdit, setEditingId, onDelete, onReact, onReply, onJump, onCopy };
  const handlers = useMemo<RowHandlers>(
    () => ({
      retry: (id) => latest.current.onRetry(id),
      discard: (id) => latest.current.onDiscard(id),
      edit: (message, text) => void latest.current.onEdit(message, text).then((ok) => ok && latest.current.setEditingId(null)),
      startEditing: (id) => latest.current.setEditingId(id),
      remove: (message) => void latest.current.onDelete(message),
      react: (message, emoji, on) => void latest.current.onReact(message, emoji, on),
      reply: (message) => latest.current.onReply(message),
      jump: (id, seq) => latest.current.onJump(id, seq),
      copy: (text) => latest.current.onCopy(text),
      openImage: (src) => setOpenImage(src),
    }),
    [],
  );

  const scrollToBottom = useCallback((smooth = false) => {
    const el = scrollRef.current;
    if (!el) return;
    el.scrollTo({ top: el.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
    setNewWhileAway(0);
  }, []);

  // The pane gets shorter (the connection bar, a toast, the phone's keyboard): a list
  // that was at the bottom stays there instead of hiding the newest messages.
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    let height = el.clientHeight;
    const observer = new ResizeObserver(() => {
      if (el.clientHeight !== height && nearBottom.current) el.scrollTop = el.scrollHeight;
      height = el.clientHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const first = items[0];
  const last = items.at(-1);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const firstKey = first?.key;
    const lastKey = last?.key;
    const unreadLine = el.querySelector<HTMLElement>('[data-testid="unread-line"]');
    if (prevLastKey.current === undefined && unreadLine) {
      // Opening with unread messages: at the line, with a little of what was read above it.
      el.scrollTop = unreadLine.offsetTop - 48;
      nearBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    } else if (prevLastKey.current === undefined || (toLatest.current && !timeline?.hasNewer)) {
      el.scrollTop = el.scrollHeight; // first render of this chat, or back to the live end: the newest
      toLatest.current = false;
    } else if (firstKey !== prevFirstKey.current && lastKey === prevLastKey.current) {
      el.scrollTop += el.scrollHeight - prevHeight.current; // older page prepended
    } else if (timeline?.hasNewer && !prevHasNewer.current) {
      // A window replaced the list: away from both edges (which would page from there)
      // until the jump below centres its message.
      el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
    } else if (lastKey !== prevLastKey.current && !prevHasNewer.current) {
      const mineJustSent = last?.kind === 'outgoing';
      if (nearBottom.current || mineJustSent) el.scrollTop = el.scrollHeight;
      else {
        const from = items.findIndex((i) => i.key === prevLastKey.current);
        const arrived = items.slice(from + 1).filter((i) => i.kind === 'message' && i.message.sender !== meId && !i.message.system).length;
        if (arrived > 0) setNewWhileAway((n) => n + arrived);
      }
    }
    prevFirstKey.current = firstKey;
    prevLastKey.current = lastKey;
    prevHeight.current = el.scrollHeight;
    prevHasNewer.current = timeline?.hasNewer ?? false;
  }, [first?.key, last?.key, last?.kind, timeline?.hasNewer]);

  // After the scroll rules above: a jump centres its message and marks it a moment.
  const landed = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (!jump || landed.current === jump.key) return;
    const target = scrollRef.current?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(jump.id)}"]`);
    if (!target) return;
    landed.current = jump.key;
    target.scrollIntoView({ block: 'center' });
    nearBottom.current = false;
    setHighlightId(jump.id);
  }, [jump, items]);
  useEffect(() => {
    if (!highlightId) return;
    const t = setTimeout(() => setHighlightId(null), HIGHLIGHT_MS);
    return () => clearTimeout(t);
  }, [highlightId]);

  // Screen readers hear messages from the other side as they arrive (not history).
  const lastAnnounced = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!last || last.kind !== 'message') return;
    if (lastAnnounced.current === undefined) {
      lastAnnounced.current = last.key;
      return;
    }
    if (last.key === lastAnnounced.current) return;
    lastAnnounced.current = last.key;
    if (last.message.sender !== meId) {
      const who = names.get(last.message.sender) ?? peerName;
      const what = last.message.system
        ? systemText(last.message.system, last.message.sender, (id) => names.get(id))
        : `${who}: ${last.message.text || (last.message.image ? 'sent an image' : '')}`;
      setAnnouncement(what);
    }
  }, [last, meId, names, peerName]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    nearBottom.current = fromBottom < NEAR_BOTTOM_PX;
    // Following new messages scrolls on each of them: set state only when it changes, or
    // each scroll re-renders the list (and a fast burst hit React's nested-update limit).
    if (nearBottom.current && newWhileAway !== 0) setNewWhileAway(0);
    const isAway = fromBottom > SHOW_DOWN_BUTTON_PX;
    if (isAway !== away) setAway(isAway);
    if (el.scrollTop < LOAD_OLDER_AT_PX && timeline?.hasMore) onLoadOlder();
    if (timeline?.hasNewer && el.scrollHeight - el.scrollTop - el.clientHeight < LOAD_OLDER_AT_PX) onLoadNewer();
  };

  return (
    <div className="relative min-h-0 flex-1">
      <div
        ref={scrollRef}
        onScroll={onScroll}
        // Images grow the list after layout: stay pinned to the bottom if we were there.
        onLoadCapture={() => nearBottom.current && scrollToBottom()}
        data-testid="message-list"
        id="messages"
        role="log"
        aria-label={`Messages with ${peerName}`}
        tabIndex={0}
        className="h-full overflow-y-auto overscroll-contain px-3 py-4 sm:px-6"
      >
        {loadingOlder && (
          <div className="flex justify-center py-2 text-blue-300">
            <Spinner size="sm" label="Loading older messages" />
          </div>
        )}
        {items.length === 0 ? (
          <div className="flex h-full flex-col items-center justify-center gap-3 text-center text-gray-300">
            <span className="inline-flex size-14 items-center justify-center rounded-2xl bg-blue-600/15 text-blue-300">
              <MessageCircle size={28} aria-hidden="true" />
            </span>
            <p>Say hello 👋</p>
          </div>
        ) : (
          <ol className="flex flex-col">
            {timeline && !timeline.hasMore && !timeline.hasNewer && (
              <li data-testid="conversation-start" className="flex flex-col items-center gap-1 pt-2 pb-4 text-center text-sm text-gray-300">
                <span className="inline-flex size-10 items-center justify-center rounded-full bg-blue-600/15 text-blue-300">
                  <MessageCircle size={20} aria-hidden="true" />
                </span>
                This is the start of the conversation
              </li>
            )}
            {rows.map((row) => {
              if (row.kind === 'day') {
                return (
                  <li key={row.key} data-testid="day-separator" className="flex justify-center pt-4 pb-1">
                    <h3 className={`rounded-full border border-white/10 bg-gray-800/95 px-3 py-0.5 text-xs font-medium shadow-sm ${PANE.day}`}>
                      <time dateTime={row.iso.slice(0, 10)}>{row.label}</time>
                    </h3>
                  </li>
                );
              }
              if (row.kind === 'unread') {
                return (
                  // A list holds only items: the separator role sits inside its item.
                  <li key={row.key} data-testid="unread-line" className="my-3">
                    <div role="separator" aria-label="New messages" className={`flex items-center gap-3 text-xs font-semibold ${PANE.unread}`}>
                      <span className="h-px flex-1 bg-sky-300/50" aria-hidden="true" />
                      New messages
                      <span className="h-px flex-1 bg-sky-300/50" aria-hidden="true" />
                    </div>
                  </li>
                );
              }
              const { item, firstOfRun, lastOfRun } = row;
              if (item.kind === 'message' && item.message.system) {
                return (
                  <li key={item.key} className="mt-2">
                    <SystemNotice
                      text={systemText(item.message.system, item.message.sender, (id) => names.get(id))}
                      time={formatTime(item.message.createdAt)}
                      iso={item.message.createdAt}
                    />
                  </li>
                );
              }
              return (
                <li key={item.key} className={firstOfRun ? 'mt-3' : 'mt-0.5'}>
                  <MessageRow
                    message={item.kind === 'message' ? item.message : undefined}
                    outgoing={item.kind === 'outgoing' ? item.outgoing : undefined}
                    firstOfRun={firstOfRun}
                    lastOfRun={lastOfRun}
                    seen={item.kind === 'message' && isSeen(timeline, item.message)}
                    highlighted={item.kind === 'message' && item.message._id === highlightId}
                    editing={item.kind === 'message' && item.message._id === editingId}
                    ctx={rowContext}
                    handlers={handlers}
                  />
                </li>
              );
            })}
          </ol>
        )}
      </div>
      {timeline?.hasNewer ? (
        <button
          type="button"
          onClick={() => {
            toLatest.current = true;
            onJumpToLatest();
          }}
          className="absolute bottom-3 left-1/2 inline-flex min-h-11 -translate-x-1/2 items-center gap-1.5 rounded-full bg-blue-600 px-4 text-sm font-medium text-white shadow-lg shadow-black/40 hover:bg-blue-500"
        >
          Jump to latest <ArrowDown size={16} aria-hidden="true" />
        </button>
      ) : (
        (away || newWhileAway > 0) && (
          <button
            type="button"
            data-testid="scroll-to-bottom"
            onClick={() => scrollToBottom(true)}
            aria-label={newWhileAway > 0 ? `Scroll to the newest messages, ${newWhileAway} new` : 'Scroll to the newest messages'}
            title="Newest messages"
            className="absolute right-4 bottom-4 inline-flex size-12 items-center justify-center rounded-full border border-white/10 bg-gray-800 text-gray-100 shadow-lg shadow-black/40 hover:bg-gray-700"
          >
            <ArrowDown size={20} aria-hidden="true" />
            {newWhileAway > 0 && (
              <span
                data-testid="new-count"
                aria-hidden="true"
                className="absolute -top-1.5 -right-1 inline-flex h-6 min-w-6 items-center justify-center rounded-full bg-blue-600 px-1.5 text-xs font-semibold text-white tabular-nums"
              >
                {newWhileAway > 99 ? '99+' : newWhileAway}
              </span>
            )}
          </button>
        )
      )}
      <div aria-live="polite" aria-atomic="true" className="sr-only" data-testid="live-region">
        {announcement}
      </div>
      {openImage && <ImageModal src={openImage} onClose={closeImage} />}
    </div>
  );
}
