import { useNow } from '../hooks/useNow';
import { formatLastSeen } from '../lastSeen';

/** "typing…", "online", "last seen 5 min ago" or "offline" under the name in the chat header. */
export function PresenceStatus({ online, typing, lastSeen }: { online: boolean; typing: boolean; lastSeen?: string | null }) {
  const now = useNow();
  if (typing) {
    return (
      <span className="font-medium text-blue-300" data-testid="typing-indicator">
        typing…
      </span>
    );
  }
  const offline = (lastSeen && formatLastSeen(lastSeen, now)) || 'offline';
  return (
    <span className={`inline-flex items-center gap-1.5 ${online ? 'text-green-400' : 'text-gray-400'}`}>
      <span aria-hidden="true" className={`size-2 rounded-full ${online ? 'bg-green-500' : 'bg-gray-500'}`} />
      <span data-testid="presence-text">{online ? 'online' : offline}</span>
    </span>
  );
}
