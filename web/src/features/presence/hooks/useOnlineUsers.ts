import { useState } from 'react';
import { SocketEvent, useSocketEvent } from '../../../lib/socket';

/**
 * Online user ids among the people who share a chat with me. The server sends the full
 * list on connect and on changes (`getOnlineUser`); the ext `presence` event patches it.
 */
export function useOnlineUsers(): ReadonlySet<string> {
  const [online, setOnline] = useState<ReadonlySet<string>>(() => new Set());
  useSocketEvent(SocketEvent.onlineUsers, (ids) => setOnline(new Set(ids)));
  useSocketEvent(SocketEvent.presence, ({ userId, online: isOnline }) =>
    setOnline((current) => {
      if (current.has(userId) === isOnline) return current;
      const next = new Set(current);
      if (isOnline) next.add(userId);
      else next.delete(userId);
      return next;
    }),
  );
  return online;
}
