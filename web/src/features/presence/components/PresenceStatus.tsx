/** "typing…", "online" or "offline" under the name in the chat header. */
export function PresenceStatus({ online, typing }: { online: boolean; typing: boolean }) {
  if (typing) {
    return (
      <span className="font-medium text-blue-300" data-testid="typing-indicator">
        typing…
      </span>
    );
  }
  return (
    <span className={`inline-flex items-center gap-1.5 ${online ? 'text-green-400' : 'text-gray-400'}`}>
      <span aria-hidden="true" className={`size-2 rounded-full ${online ? 'bg-green-500' : 'bg-gray-500'}`} />
      {online ? 'online' : 'offline'}
    </span>
  );
}
