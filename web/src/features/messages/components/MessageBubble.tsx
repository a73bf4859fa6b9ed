import { memo, useEffect, useRef, useState, type MouseEvent as ReactMouseEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { RotateCw, Trash2 } from 'lucide-react';
import { Avatar } from '../../../components/ui/Avatar';
import { formatTime, fullTimestamp } from '../../../lib/time';
import type { Message, Reaction, ReplyPreview } from '../../../lib/wire';
import type { Outgoing } from '../model/timeline';
import { EditBox, MessageActions } from './MessageActions';
import { Reactions } from './Reactions';
import { Ticks, type DeliveryState } from './Ticks';
import { splitMentions } from '../model/mentions';
import { linkify } from '../model/linkify';
import { MINE, THEIRS } from './colors';

/** How long after sending a message its sender may edit it (the server's rule). */
const EDIT_WINDOW_MS = 24 * 3600 * 1000;
/** A touch held this long opens the message's actions. */
export const LONG_PRESS_MS = 500;
/** A finger that moves further than this is scrolling, not pressing. */
const LONG_PRESS_SLOP_PX = 10;

export interface BubbleProps {
  mine: boolean;
  /** In a group, over the first of someone else's messages in a row: who sent it. */
  senderName?: string;
  /** In a group: "Seen by Ada and Bob". */
  seenBy?: string;
  /** Names of the members it mentions, shown as "@Name" chips in the text. */
  mentionNames?: string[];
  /** It mentions me: marked so I notice. */
  mentionsMe?: boolean;
  text: string;
  /** HH:mm, shown; `timeIso` is the full time, on hover and for screen readers. */
  time: string;
  timeIso: string;
  /** The first of a run of messages by one sender (a name, more space above) and the last (the bubble's tail). */
  firstOfRun?: boolean;
  lastOfRun?: boolean;
  /** In a group, beside someone else's messages: their avatar on the first of a run, room for it on the rest. */
  avatar?: { name: string; seed: string } | 'space';
  delivery?: DeliveryState;
  imageSrc?: string;
  imageAlt?: string;
  error?: string;
  /** Its text was changed after it was sent. */
  edited?: boolean;
  /** Deleted for everyone: a tombstone. */
  deleted?: boolean;
  /** Editing in place: the text box replaces the text. */
  editing?: { onSave: (text: string) => void; onCancel: () => void };
  /** For sent messages: reply and react; for mine also edit (within the window) and delete. */
  actions?: { onCopy?: () => void; onReply?: () => void; onReact?: (emoji: string) => void; onEdit?: () => void; onDelete?: () => void };
  /** The message this one answers, with its author's name; a click shows it in the history. */
  quote?: { preview: ReplyPreview; author: string; onJump: () => void };
  /** Briefly marked: the message a jump landed on. */
  highlighted?: boolean;
  /** `data-message-id`, which a jump scrolls to. */
  messageId?: string;
  /** The emoji on it, with a toggle for mine. */
  reactions?: { list: Reaction[]; meId: string; nameOf: (userId: string) => string; onToggle: (emoji: string, on: boolean) => void };
  onOpenImage?: () => void;
  onRetry?: () => void;
  onDiscard?: () => void;
}

/** The time a message was sent: HH:mm to see, the whole date on hover and for screen readers. */
export function MessageTime({ time, iso, className = '' }: { time: string; iso: string; className?: string }) {
  const full = fullTimestamp(iso);
  return (
    <time dateTime={iso} title={full} aria-label={full || undefined} className={className}>
      {time}
    </time>
  );
}

/** Message text with "@Name" chips and http(s) links (a new tab, no opener, no referrer). */
function RichText({ text, mentionNames, mine }: { text: string; mentionNames?: string[]; mine: boolean }) {
  const runs = mentionNames?.length ? splitMentions(text, mentionNames) : [{ text }];
  const link = `underline underline-offset-2 ${mine ? `${MINE.link} decoration-white/60` : `${THEIRS.link} decoration-blue-200/60`} hover:decoration-2`;
  return runs.map((run, i) =>
    run.mention ? (
      <span key={i} data-testid="mention" className={`rounded px-0.5 font-semibold ${mine ? 'bg-white/15' : 'bg-blue-500/25 text-blue-100'}`}>
        {run.text}
      </span>
    ) : (
      linkify(run.text).map((part, j) =>
        part.href ? (
          <a key={`${i}-${j}`} href={part.href} target="_blank" rel="noopener noreferrer" data-testid="message-link" className={link}>
            {part.text}
          </a>
        ) : (
          <span key={`${i}-${j}`}>{part.text}</span>
        ),
      )
    ),
  );
}

/** A touch held still for LONG_PRESS_MS opens the actions (phones have no hover). */
function useLongPress(enabled: boolean, onLongPress: () => void) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const origin = useRef<{ x: number; y: number } | null>(null);
  const fired = useRef(false);
  const cancel = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };
  useEffect(() => cancel, []);
  if (!enabled) return {};
  return {
    onPointerDown: (e: ReactPointerEvent) => {
      if (e.pointerType !== 'touch') return;
      fired.current = false;
      origin.current = { x: e.clientX, y: e.clientY };
      cancel();
      timer.current = setTimeout(() => {
        fired.current = true;
        onLongPress();
      }, LONG_PRESS_MS);
    },
    onPointerMove: (e: ReactPointerEvent) => {
      const o = origin.current;
      if (o && Math.hypot(e.clientX - o.x, e.clientY - o.y) > LONG_PRESS_SLOP_PX) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
    // The browser's own long-press menu would cover ours.
    onContextMenu: (e: ReactMouseEvent) => {
      if (fired.current || timer.current) e.preventDefault();
    },
  };
}

/** Mine on the right in blue, theirs on the left in gray; the image opens full size. */
export const MessageBubble = memo(function MessageBubble(props: BubbleProps) {
  const { mine, senderName, seenBy, mentionNames, mentionsMe, text, time, timeIso, delivery, imageSrc, imageAlt, error, edited, deleted, editing, actions, reactions, quote, highlighted, messageId, onOpenImage, onRetry, onDiscard } = props;
  const { firstOfRun = true, lastOfRun = true, avatar } = props;
  const [menuOpen, setMenuOpen] = useState(false);
  const press = useLongPress(Boolean(actions) && !editing && !deleted, () => setMenuOpen(true));
  const mark = highlighted ? 'ring-2 ring-amber-300 ring-offset-2 ring-offset-gray-900' : '';
  const side = mine ? 'justify-end' : 'justify-start';
  const avatarSlot =
    avatar === undefined ? null : avatar === 'space' ? (
      <span className="w-9 shrink-0" aria-hidden="true" />
    ) : (
      <span className="shrink-0 self-start pt-5">
        <Avatar name={avatar.name} seed={avatar.seed} size="sm" />
      </span>
    );
  if (deleted) {
    return (
      <div className={`flex min-w-0 gap-2 ${side}`} data-testid="message" data-mine={mine} data-deleted="true" data-message-id={messageId} data-highlighted={highlighted || undefined}>
        {avatarSlot}
        <div className={`flex min-w-0 max-w-[min(80%,34rem)] items-center gap-2 rounded-2xl border border-dashed border-white/20 px-3.5 py-2 text-sm text-gray-300 italic ${mark}`}>
          <span>{mine ? 'You deleted this message' : 'This message was deleted'}</span>
          <MessageTime time={time} iso={timeIso} className="text-[11px] not-italic text-gray-300" />
        </div>
      </div>
    );
  }
  // Rounded all round inside a run; the corner towards the sender's side only on its last.
  const tail = lastOfRun ? (mine ? 'rounded-br-md' : 'rounded-bl-md') : '';
  return (
    <div
      className={`group flex min-w-0 gap-2 ${side}`}
      data-testid="message"
      data-mine={mine}
      data-state={delivery}
      data-message-id={messageId}
      data-highlighted={highlighted || undefined}
      data-first-of-run={firstOfRun || undefined}
    >
      {avatarSlot}
      <div className={`relative flex min-w-0 max-w-[min(80%,34rem)] flex-col ${mine ? 'items-end' : 'items-start'}`}>
        {senderName && (
          <span className="mb-0.5 px-1 text-xs font-medium text-blue-200" data-testid="sender-name">
            {senderName}
          </span>
        )}
        <div
          {...press}
          data-testid="bubble"
          className={`max-w-full min-w-0 rounded-2xl px-3.5 py-2 shadow-sm [-webkit-touch-callout:none] [@media(hover:none)]:select-none ${
            mine ? `${MINE.bg} ${MINE.text}` : `${THEIRS.bg} ${THEIRS.text}`
          } ${tail} ${delivery === 'failed' ? 'ring-1 ring-red-400/70' : ''} ${mentionsMe && !mark ? 'ring-2 ring-amber-400/70' : ''} ${mark} transition-shadow`}
          data-mentions-me={mentionsMe || undefined}
        >
          {quote && <Quote {...quote} mine={mine} />}
          {imageSrc && (
            <button
              type="button"
              onClick={onOpenImage}
              aria-label={`${imageAlt ?? 'Photo'}: open full size`}
              className="-mx-1.5 mt-0.5 mb-1 block max-w-[calc(100%+0.75rem)] overflow-hidden rounded-xl"
            >
              <img src={imageSrc} alt={imageAlt ?? 'Photo'} loading="lazy" className="max-h-72 w-auto max-w-full object-cover" />
            </button>
          )}
          {editing ? (
            <EditBox initial={text} onSave={editing.onSave} onCancel={editing.onCancel} />
          ) : (
            text && (
              <p className="text-[15px] leading-snug wrap-anywhere whitespace-pre-wrap">
                <RichText text={text} mentionNames={mentionNames} mine={mine} />
              </p>
            )
          )}
          <div className={`mt-0.5 flex items-center justify-end gap-1 text-[11px] ${mine ? MINE.meta : THEIRS.meta}`}>
            {edited && <span data-testid="edited">edited</span>}
            <MessageTime time={time} iso={timeIso} />
            {mine && delivery && <Ticks state={delivery} seenBy={seenBy} />}
          </div>
        </div>
        {reactions && <Reactions reactions={reactions.list} meId={reactions.meId} nameOf={reactions.nameOf} onToggle={reactions.onToggle} />}
        {actions && !editing && <MessageActions side={mine ? 'left' : 'right'} open={menuOpen} onClose={() => setMenuOpen(false)} {...actions} />}
        {delivery === 'failed' && (
          <div className="mt-1 flex items-center gap-1 text-xs text-red-200">
            <span>{error ?? 'Not sent'}</span>
            <button
              type="button"
              onClick={onRetry}
              className="inline-flex min-h-11 items-center gap-1 rounded-lg px-2 font-medium text-white hover:bg-white/5"
            >
              <RotateCw size={14} aria-hidden="true" /> Retry
            </button>
            <button
              type="button"
              onClick={onDiscard}
              aria-label="Discard message"
              className="inline-flex size-11 items-center justify-center rounded-lg text-gray-300 hover:bg-white/5 hover:text-white"
            >
              <Trash2 size={14} aria-hidden="true" />
            </button>
          </div>
        )}
      </div>
    </div>
  );
});

/** The quoted parent at the top of a reply: its author and first line, or that it is gone. */
function Quote({ preview, author, onJump, mine }: { preview: ReplyPreview; author: string; onJump: () => void; mine: boolean }) {
  const line = preview.deleted
    ? 'This message was deleted'
    : preview.text || (preview.messageType === 'image' ? '📷 Image' : '');
  return (
    <button
      type="button"
      onClick={onJump}
      data-testid="reply-quote"
      aria-label={`Show the message ${author} wrote: ${line}`}
      className={`-mx-1.5 mt-0.5 mb-1.5 flex min-h-11 w-[calc(100%+0.75rem)] min-w-40 flex-col items-start rounded-lg border-l-4 px-2.5 py-1 text-left text-[13px] leading-snug ${
        mine ? 'border-blue-200 bg-blue-900/40 hover:bg-blue-900/60' : 'border-blue-400 bg-gray-800/60 hover:bg-gray-800'
      }`}
    >
      <span className={`font-semibold ${mine ? 'text-blue-100' : 'text-blue-300'}`}>{author}</span>
      <span className={`line-clamp-1 wrap-anywhere ${preview.deleted ? 'italic opacity-80' : ''}`}>{line}</span>
    </button>
  );
}

export function bubbleFromMessage(message: Message, meId: string, seen: boolean): BubbleProps {
  const mine = message.sender === meId;
  return {
    mine,
    text: message.text,
    time: formatTime(message.createdAt),
    timeIso: message.createdAt,
    delivery: mine ? (seen ? 'seen' : 'sent') : undefined,
    imageSrc: message.image ? (message.image.thumbUrl ?? message.image.url) : undefined,
    edited: Boolean(message.editedAt),
    deleted: Boolean(message.deletedAt),
    messageId: message._id,
  };
}

/** Whether I may still edit `message` at `now` (ms): mine, not deleted, within the window. */
export function canEdit(message: Message, meId: string, now: number): boolean {
  return message.sender === meId && !message.deletedAt && now - Date.parse(message.createdAt) < EDIT_WINDOW_MS;
}

/** A group's notice ("Ada added Bob"), centred between the messages. */
export function SystemNotice({ text, time, iso }: { text: string; time: string; iso: string }) {
  return (
    <div className="flex justify-center py-1" data-testid="system-notice">
      <p className="max-w-[90%] rounded-full bg-white/5 px-3 py-1 text-center text-xs text-gray-300">
        {text} <span className="text-gray-400">· </span>
        <MessageTime time={time} iso={iso} className="text-gray-400" />
      </p>
    </div>
  );
}

/** "Seen by Ada", "Seen by Ada and Bob", "Seen by 4 people": who of a group read my message. */
export function seenByText(ids: string[], nameOf: (id: string) => string | undefined): string | undefined {
  if (ids.length === 0) return undefined;
  const names = ids.map((id) => nameOf(id) ?? 'a former member');
  if (names.length === 1) return `Seen by ${names[0]}`;
  if (names.length === 2) return `Seen by ${names[0]} and ${names[1]}`;
  return `Seen by ${names.length} people: ${names.join(', ')}`;
}

export function bubbleFromOutgoing(outgoing: Outgoing): BubbleProps {
  return {
    mine: true,
    text: outgoing.text,
    time: formatTime(outgoing.createdAt),
    timeIso: outgoing.createdAt,
    delivery: outgoing.status === 'failed' ? 'failed' : 'pending',
    imageSrc: outgoing.image?.previewUrl,
    error: outgoing.status === 'failed' ? outgoing.error : undefined,
  };
}
