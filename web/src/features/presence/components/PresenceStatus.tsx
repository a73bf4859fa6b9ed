import { useNow } from '../hooks/useNow';
import { formatLastSeen } from '../lastSeen';

/** "typing…", "online", "last seen 5 min ago" or "offline" under the name in the chat header. */
export function PresenceStatus({ online, typing, lastSeen }: { online: boolean; typing: boolean; lastSeen?: string | null }) {
  const now = useNow();
  if (typing) return <TypingStatus text="typing…" />;
  const offline = (lastSeen && formatLastSeen(lastSeen, now)) || 'offline';
  return (
    <span className={`inline-flex items-center gap-1.5 ${online ? 'text-green-400' : 'text-gray-400'}`}>
      <span aria-hidden="true" className={`size-2 rounded-full ${online ? 'bg-green-500' : 'bg-gray-500'}`} />
      <span data-testid="presence-text">{online ? 'online' : offline}</span>
    </span>
  );
}

export function TypingStatus({ text }: { text: string }) {
  return (
    <span className="font-medium text-blue-300" data-testid="typing-indicator">
      {text}
    </span>
  );
}

/** "Ada is typing…", "Ada and Bob are typing…", "3 people are typing…". */
export function typingText(names: string[]): string {
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/** A group's header line: who is typing, or how many members it has. */
export function GroupStatus({ typingNames, members }: { typingNames: string[]; members: number }) {
  if (typingNames.length > 0) return <TypingStatus text={typingText(typingNames)} />;
  return <span className="text-gray-300">{members} members</span>;
}
