import { memo, useMemo } from 'react';
import { useNames } from '../hooks/useNames';
import { Link } from 'react-router';
import { BellOff } from 'lucide-react';
import { Avatar } from '../../../components/ui/Avatar';
import type { ChatListItem } from '../../../lib/wire';
import { fullTimestamp, shortTime } from '../../../lib/time';
import { memberNames, systemText } from '../model/group';
import { isMuted } from '../hooks/chatListCache';

export interface ChatRowProps {
  item: ChatListItem;
  meId: string;
  online: boolean;
  typing: boolean;
  active: boolean;
  /** The reader's current day (see `useToday`); the time is shown against it. */
  today?: Date;
}

export function chatTitle(item: ChatListItem): string {
  return item.user?.name ?? item.chat.name ?? 'Unknown';
}

/** The latest line of a chat: "You: …", in a group "Ada: …", or a group's notice as a sentence. */
function previewOf(item: ChatListItem, meId: string, names: ReadonlyMap<string, string>): string {
  const latest = item.chat.latestMessage;
  if (!latest) return '';
  if (latest.system) return systemText(latest.system, latest.sender, (id) => names.get(id));
  const text = latest.deleted ? 'Message deleted' : latest.text || '📷 Image';
  if (latest.sender === meId) return `You: ${text}`;
  return item.chat.isGroup ? `${names.get(latest.sender) ?? 'Someone'}: ${text}` : text;
}

/** One conversation in the sidebar: who, presence, when and what the latest line was, and how many are unread. */
export const ChatRow = memo(function ChatRow({ item, meId, online, typing, active, today }: ChatRowProps) {
  const { chat, user } = item;
  const name = chatTitle(item);
  const latest = chat.latestMessage;
  // The open chat is being read: it never shows a badge, whatever a stale refetch says.
  const unseen = active ? 0 : chat.unseenCount;
  // Muted: still counted, but grey, so it does not call for attention.
  const muted = isMuted(item);
  const members = useMemo(() => memberNames(item, meId), [item, meId]);
  const latestOnly = useMemo(() => (latest ? [latest] : []), [latest]);
  const names = useNames(members, latestOnly);
  const preview = typing ? 'typing…' : latest ? previewOf(item, meId, names) : 'No messages yet';

  return (
    <Link
      to={`/chat/${chat._id}`}
      aria-current={active ? 'page' : undefined}
      data-testid="chat-row"
      data-chat-id={chat._id}
      className={`group flex min-h-16 items-center gap-3 rounded-xl px-3 py-2.5 transition-colors hover:bg-white/5 ${
        active ? 'bg-blue-600/15 ring-1 ring-blue-500/30' : ''
      }`}
    >
      <span className="relative">
        <Avatar name={name} seed={user?._id ?? chat._id} />
        {user && (
          <span
            data-testid="online-dot"
            data-online={online}
            title={online ? 'Online' : 'Offline'}
            className={`absolute right-0 bottom-0 size-3.5 rounded-full ring-2 ring-gray-800 ${online ? 'bg-green-500' : 'bg-gray-500'}`}
          />
        )}
      </span>
      <span className="min-w-0 flex-1">
        <span className="flex min-w-0 items-center gap-1.5">
          <span className={`truncate ${unseen > 0 && !muted ? 'font-semibold text-white' : 'font-medium text-gray-100'}`}>{name}</span>
          {muted && (
            <BellOff size={14} data-testid="muted-icon" aria-label="muted" role="img" className="shrink-0 text-gray-400" />
          )}
        </span>
        <span
          data-testid="chat-preview"
          className={`block truncate text-sm ${typing ? 'text-blue-300 italic' : unseen > 0 ? 'text-gray-200' : 'text-gray-400'}`}
        >
          {preview}
        </span>
      </span>
      <span className="sr-only">{online ? ', online' : ', offline'}</span>
      {/* When, and under it what is unread: the time stays in one column down the list. */}
      <span className="flex shrink-0 flex-col items-end justify-center gap-1 self-stretch">
        {latest && (
          // The chat's last activity: the latest message's time (a send moves it).
          <time
            dateTime={chat.updatedAt}
            title={fullTimestamp(chat.updatedAt)}
            data-testid="chat-time"
            className={`shrink-0 text-xs tabular-nums ${unseen > 0 && !muted ? 'font-semibold text-blue-200' : 'text-gray-400'}`}
          >
            {shortTime(chat.updatedAt, today)}
          </time>
        )}
        <span className="flex items-center gap-1.5 empty:hidden">
          {!active && chat.mentionCount > 0 && (
            <span
              data-testid="mention-badge"
              aria-label={`${chat.mentionCount} mentioning you`}
              className="inline-flex size-6 items-center justify-center rounded-full bg-amber-400 text-xs font-bold text-gray-900"
            >
              @
            </span>
          )}
          {unseen > 0 && (
            <span
              data-testid="unseen-badge"
              aria-label={`${unseen} unread`}
              data-muted={muted}
              className={`inline-flex h-6 min-w-6 items-center justify-center rounded-full px-1.5 text-xs font-semibold ${
                muted ? 'bg-gray-600 text-gray-100' : 'bg-blue-600 text-white'
              }`}
            >
              {unseen > 99 ? '99+' : unseen}
            </span>
          )}
        </span>
      </span>
    </Link>
  );
});
