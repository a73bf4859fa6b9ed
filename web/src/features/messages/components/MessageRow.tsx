import { memo } from 'react';
import type { Message } from '../../../lib/wire';
import { dayAndTime } from '../../../lib/time';
import type { Outgoing } from '../model/timeline';
import { bubbleFromMessage, bubbleFromOutgoing, canEdit, MessageBubble, seenByText } from './MessageBubble';

/** What every row of one pane shares; kept stable (by content) so unchanged rows skip rendering. */
export interface RowContext {
  meId: string;
  meName: string;
  peerName: string;
  isGroup: boolean;
  names: ReadonlyMap<string, string>;
}

/** The pane's actions, one stable object: they always call the pane's latest callbacks. */
export interface RowHandlers {
  retry: (clientId: string) => void;
  discard: (clientId: string) => void;
  edit: (message: Message, text: string) => void;
  startEditing: (id: string | null) => void;
  remove: (message: Message) => void;
  react: (message: Message, emoji: string, on: boolean) => void;
  reply: (message: Message) => void;
  jump: (id: string, seq: number) => void;
  copy: (text: string) => void;
  openImage: (src: string) => void;
}

interface MessageRowProps {
  message?: Message;
  outgoing?: Outgoing;
  firstOfRun: boolean;
  lastOfRun: boolean;
  seen: boolean;
  highlighted: boolean;
  editing: boolean;
  ctx: RowContext;
  handlers: RowHandlers;
}

/**
 * One message of the pane. Memoised on plain values: a new message arriving re-renders
 * its neighbours at most (a run that now continues), not the whole history.
 */
export const MessageRow = memo(function MessageRow({ message, outgoing, firstOfRun, lastOfRun, seen, highlighted, editing, ctx, handlers }: MessageRowProps) {
  const { meId, meName, peerName, isGroup, names } = ctx;
  const nameOf = (userId: string) => (userId === meId ? 'You' : (names.get(userId) ?? peerName));
  const bubble = message ? bubbleFromMessage(message, meId, seen) : outgoing ? bubbleFromOutgoing(outgoing) : null;
  if (!bubble) return null;
  const full = message ? message.image?.url : outgoing?.image?.previewUrl;
  const live = message && !message.deletedAt ? message : undefined;
  const own = live && live.sender === meId ? live : undefined;
  const sender = message?.sender ?? meId;
  const fromName = sender === meId ? 'you' : (names.get(sender) ?? peerName);
  const theirsInGroup = isGroup && sender !== meId;
  const groupExtras = isGroup
    ? {
        senderName: theirsInGroup && firstOfRun ? (names.get(sender) ?? 'A former member') : undefined,
        avatar: theirsInGroup ? (firstOfRun ? { name: names.get(sender) ?? '?', seed: sender } : ('space' as const)) : undefined,
        seenBy: message ? seenByText(message.seenBy, (id) => names.get(id)) : undefined,
        mentionNames: message?.mentions.map((id) => (id === meId ? meName : names.get(id)) ?? '').filter(Boolean),
        mentionsMe: message ? message.sender !== meId && message.mentions.includes(meId) : false,
      }
    : {};
  return (
    <MessageBubble
      {...bubble}
      {...groupExtras}
      firstOfRun={firstOfRun}
      lastOfRun={lastOfRun}
      imageAlt={bubble.imageSrc ? `Photo from ${fromName}, ${dayAndTime(bubble.timeIso)}` : undefined}
      highlighted={highlighted}
      quote={
        message?.replyPreview && !message.deletedAt
          ? {
              preview: message.replyPreview,
              author: nameOf(message.replyPreview.sender),
              onJump: () => handlers.jump(message.replyPreview!._id, message.replyPreview!.seq),
            }
          : undefined
      }
      onOpenImage={full ? () => handlers.openImage(full) : undefined}
      actions={
        live && {
          onCopy: live.text ? () => handlers.copy(live.text) : undefined,
          onReply: () => handlers.reply(live),
          onReact: (emoji) => handlers.react(live, emoji, !live.reactions.some((r) => r.emoji === emoji && r.users.includes(meId))),
          onEdit: own && canEdit(own, meId, Date.now()) ? () => handlers.startEditing(own._id) : undefined,
          onDelete: own && (() => handlers.remove(own)),
        }
      }
      reactions={live && { list: live.reactions, meId, nameOf, onToggle: (emoji, on) => handlers.react(live, emoji, on) }}
      editing={
        own && editing
          ? {
              onSave: (text) => handlers.edit(own, text),
              onCancel: () => handlers.startEditing(null),
            }
          : undefined
      }
      onRetry={outgoing ? () => handlers.retry(outgoing.clientId) : undefined}
      onDiscard={outgoing ? () => handlers.discard(outgoing.clientId) : undefined}
    />
  );
});
