import { memo } from 'react';
import { RotateCw, Trash2 } from 'lucide-react';
import { formatTime } from '../../../lib/time';
import type { Message, Reaction, ReplyPreview } from '../../../lib/wire';
import type { Outgoing } from '../model/timeline';
import { EditBox, MessageActions } from './MessageActions';
import { Reactions } from './Reactions';
import { Ticks, type DeliveryState } from './Ticks';
import { splitMentions } from '../model/mentions';

/** How long after sending a message its sender may edit it (the server's rule). */
const EDIT_WINDOW_MS = 24 * 3600 * 1000;

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
  time: string;
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
  actions?: { onReply?: () => void; onReact?: (emoji: string) => void; onEdit?: () => void; onDelete?: () => void };
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

/** Mine on the right in blue, theirs on the left in gray; the image opens full size. */
export const MessageBubble = memo(function MessageBubble(props: BubbleProps) {
  const { mine, senderName, seenBy, mentionNames, mentionsMe, text, time, delivery, imageSrc, imageAlt, error, edited, deleted, editing, actions, reactions, quote, highlighted, messageId, onOpenImage, onRetry, onDiscard } = props;
  const mark = highlighted ? 'ring-2 ring-amber-300 ring-offset-2 ring-offset-gray-900' : '';
  if (deleted) {
    return (
      <div className={`flex ${mine ? 'justify-end' : 'justify-start'}`} data-testid="message" data-mine={mine} data-deleted="true" data-message-id={messageId} data-highlighted={highlighted || undefined}>
        <div className={`flex max-w-[min(80%,34rem)] items-center gap-2 rounded-2xl border border-dashed border-white/20 px-3.5 py-2 text-sm text-gray-300 italic ${mark}`}>
          <span>{mine ? 'You deleted this message' : 'This message was deleted'}</span>
          <time className="text-[11px] not-italic text-gray-300">{time}</time>
        </div>
      </div>
    );
  }
  return (
    <div
      className={`group flex ${mine ? 'justify-end' : 'justify-start'}`}
      data-testid="message"
      data-mine={mine}
      data-state={delivery}
      data-message-id={messageId}
      data-highlighted={highlighted || undefined}
    >
      <div className={`relative flex max-w-[min(80%,34rem)] flex-col ${mine ? 'items-end' : 'items-start'}`}>
        {senderName && (
          <span className="mb-0.5 px-1 text-xs font-medium text-blue-200" data-testid="sender-name">
            {senderName}
          </span>
        )}
        <div
          className={`rounded-2xl px-3.5 py-2 shadow-sm ${
            mine ? 'rounded-br-md bg-blue-600 text-white' : 'rounded-bl-md bg-gray-700 text-gray-50'
          } ${delivery === 'failed' ? 'ring-1 ring-red-400/70' : ''} ${mentionsMe && !mark ? 'ring-2 ring-amber-400/70' : ''} ${mark} transition-shadow`}
          data-mentions-me={mentionsMe || undefined}
        >
          {quote && <Quote {...quote} mine={mine} />}
          {imageSrc && (
            <button
              type="button"
              onClick={onOpenImage}
              aria-label="Open image full size"
              className="-mx-1.5 mt-0.5 mb-1 block overflow-hidden rounded-xl"
            >
              <img src={imageSrc} alt={imageAlt ?? 'Shared image'} loading="lazy" className="max-h-72 w-auto max-w-full object-cover" />
            </button>
          )}
          {editing ? (
            <EditBox initial={text} onSave={editing.onSave} onCancel={editing.onCancel} />
          ) : (
            text && (
              <p className="text-[15px] leading-snug break-words whitespace-pre-wrap">
                {mentionNames?.length
                  ? splitMentions(text, mentionNames).map((run, i) =>
                      run.mention ? (
                        <span key={i} data-testid="mention" className={`rounded px-0.5 font-semibold ${mine ? 'bg-white/15' : 'bg-blue-500/25 text-blue-100'}`}>
                          {run.text}
                        </span>
                      ) : (
                        run.text
                      ),
                    )
                  : text}
              </p>
            )
          )}
          <div className={`mt-0.5 flex items-center justify-end gap-1 text-[11px] ${mine ? 'text-blue-100' : 'text-gray-300'}`}>
            {edited && <span data-testid="edited">edited</span>}
            <time>{time}</time>
            {mine && delivery && <Ticks state={delivery} seenBy={seenBy} />}
          </div>
        </div>
        {reactions && <Reactions reactions={reactions.list} meId={reactions.meId} nameOf={reactions.nameOf} onToggle={reactions.onToggle} />}
        {actions && !editing && <MessageActions side={mine ? 'left' : 'right'} {...actions} />}
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
      <span className={`line-clamp-1 break-all ${preview.deleted ? 'italic opacity-80' : ''}`}>{line}</span>
    </button>
  );
}

export function bubbleFromMessage(message: Message, meId: string, seen: boolean): BubbleProps {
  const mine = message.sender === meId;
  return {
    mine,
    text: message.text,
    time: formatTime(message.createdAt),
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
export function SystemNotice({ text, time }: { text: string; time: string }) {
  return (
    <div className="flex justify-center py-1" data-testid="system-notice">
      <p className="max-w-[90%] rounded-full bg-white/5 px-3 py-1 text-center text-xs text-gray-300">
        {text} <time className="text-gray-400">· {time}</time>
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
    delivery: outgoing.status === 'failed' ? 'failed' : 'pending',
    imageSrc: outgoing.image?.previewUrl,
    error: outgoing.status === 'failed' ? outgoing.error : undefined,
  };
}
