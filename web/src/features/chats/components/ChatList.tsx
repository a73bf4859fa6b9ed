import { MessageCircle } from 'lucide-react';
import { Skeleton } from '../../../components/ui/Skeleton';
import { Button } from '../../../components/ui/Button';
import { useChats } from '../hooks/useChats';
import { ChatRow } from './ChatRow';
import { useToday } from '../../../lib/useToday';

export interface ChatListProps {
  meId: string;
  activeChatId: string | null;
  isOnline: (userId: string) => boolean;
  isTyping: (chatId: string) => boolean;
}

export function ChatList({ meId, activeChatId, isOnline, isTyping }: ChatListProps) {
  const chats = useChats();
  // Each row's time ("14:02", "Yesterday") is against the reader's day, which changes at midnight.
  const today = useToday();

  if (chats.isPending) {
    return (
      <div className="space-y-2 px-1" aria-busy="true" aria-label="Loading chats">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="flex items-center gap-3 px-3 py-2.5">
            <Skeleton className="size-11 rounded-full" />
            <div className="flex-1 space-y-2">
              <Skeleton className="h-3.5 w-1/2" />
              <Skeleton className="h-3 w-3/4" />
            </div>
          </div>
        ))}
      </div>
    );
  }
  if (chats.isError) {
    return (
      <div role="alert" className="flex flex-col items-center gap-3 px-4 py-10 text-center text-sm text-gray-300">
        <p>Could not load your chats.</p>
        <Button variant="secondary" onClick={() => void chats.refetch()}>
          Try again
        </Button>
      </div>
    );
  }
  if (chats.data.length === 0) {
    return (
      <div className="flex flex-col items-center gap-3 px-6 py-12 text-center text-sm text-gray-300">
        <span className="inline-flex size-12 items-center justify-center rounded-2xl bg-blue-600/15 text-blue-300">
          <MessageCircle size={24} aria-hidden="true" />
        </span>
        <p>No chats yet — search for someone to start one</p>
      </div>
    );
  }
  return (
    <nav aria-label="Chats">
      <ul className="space-y-1">
        {chats.data.map((item) => (
          <li key={item.chat._id}>
            <ChatRow
              item={item}
              meId={meId}
              active={item.chat._id === activeChatId}
              online={item.user ? isOnline(item.user._id) : false}
              typing={isTyping(item.chat._id)}
              today={today}
            />
          </li>
        ))}
      </ul>
    </nav>
  );
}
