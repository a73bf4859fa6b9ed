import { useState } from 'react';
import { SocketEvent, useSocketEvent } from '../../../lib/socket';

export interface PresenceState {
  /** Online user ids among the people who share a chat with me. */
  online: ReadonlySet<string>;
  /**
   * The last seen of each contact as the latest `presence` event told it (null: hidden,
   * blocked or online). A contact absent here has the `lastSeen` their profile came with.
   */
  lastSeen: ReadonlyMap<string, string | null>;
}

/**
 * The server sends the full online list on connect and on changes (`getOnlineUser`);
 * the ext `presence` event patches it and carries the last seen.
 */
export function useOnlineUsers(): PresenceState {
  const [online, setOnline] = useState<ReadonlySet<string>>(() => new Set());
  const [lastSeen, setLastSeen] = useState<ReadonlyMap<string, string | null>>(() => new Map());
  useSocketEvent(SocketEvent.onlineUsers, (ids) => setOnline(new Set(ids)));
  useSocketEvent(SocketEvent.presence, ({ userId, online: isOnline, lastSeen: seen }) => {
    setOnline((current) => {
      if (current.has(userId) === isOnline) return current;
      const next = new Set(current);
      if (isOnline) next.add(userId);
      else next.delete(userId);
      return next;
    });
    setLastSeen((current) => new Map(current).set(userId, seen));
  });
  return { online, lastSeen };
}
