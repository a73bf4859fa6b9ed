import { useCallback, useEffect, useRef, useState } from 'react';
import { SocketEvent, useSocketEvent } from '../../../lib/socket';
import type { Typing } from '../../../lib/wire';

/** A typing signal with no refresh for this long is stale (the sender refreshes every ≤2 s). */
export const TYPING_TTL_MS = 5000;

const keyOf = ({ chatId, userId }: Typing) => `${chatId}\u0000${userId}`;

/** Who is typing where, from `userTyping` / `userStoppedTyping`, each entry expiring by itself. */
export function useTypingUsers(meId: string) {
  const [typing, setTyping] = useState<ReadonlyMap<string, Typing>>(() => new Map());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const stop = useCallback((t: Typing) => {
    const key = keyOf(t);
    clearTimeout(timers.current.get(key));
    timers.current.delete(key);
    setTyping((current) => {
      if (!current.has(key)) return current;
      const next = new Map(current);
      next.delete(key);
      return next;
    });
  }, []);

  useSocketEvent(SocketEvent.userTyping, (t) => {
    if (t.userId === meId) return;
    const key = keyOf(t);
    clearTimeout(timers.current.get(key));
    timers.current.set(key, setTimeout(() => stop(t), TYPING_TTL_MS));
    setTyping((current) => (current.has(key) ? current : new Map(current).set(key, t)));
  });
  useSocketEvent(SocketEvent.userStoppedTyping, stop);
  // A message from someone ends their typing at once.
  useSocketEvent(SocketEvent.newMessage, (m) => stop({ chatId: m.chatId, userId: m.sender }));

  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((t) => clearTimeout(t));
  }, []);

  /** Who is typing in `chatId` now, in the order they started. */
  return useCallback(
    (chatId: string) => [...typing.values()].filter((t) => t.chatId === chatId).map((t) => t.userId),
    [typing],
  );
}
