/**
 * "last seen 5 min ago": how long ago a contact went offline, in words, for the chat
 * header. `now` is passed in so a ticking clock re-renders it (and tests pin it).
 */
export function formatLastSeen(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const minutes = Math.floor(Math.max(0, now - at) / 60_000);
  if (minutes < 1) return 'last seen just now';
  if (minutes < 60) return `last seen ${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `last seen ${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days === 1) return 'last seen yesterday';
  if (days < 7) return `last seen ${days} days ago`;
  return `last seen on ${new Date(at).toLocaleDateString()}`;
}
