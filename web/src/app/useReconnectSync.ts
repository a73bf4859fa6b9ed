import { useEffect, useMemo, useRef } from 'react';
import { useRefreshChats } from '../features/chats/hooks/useRefreshChats';
import { useCatchUp } from '../features/messages/hooks/useCatchUp';
import { serialRun } from '../lib/serialRun';
import { useSocketStatus } from '../lib/socket';

/**
 * Delivery contract, point 4: socket events are only the fast path. After every
 * reconnect (and when the browser says it is online again, or the tab comes back),
 * refetch /chat/all and pull /chat/:id/events for each chat that moved past what
 * this client holds, then the read markers of my messages not seen yet.
 *
 * A trigger while a sync runs asks for one more after it (`serialRun`): the browser's
 * `online` comes before the socket is back, so a sync started then can read the chats
 * before another tab sends what it typed offline, and this tab's socket, joining after
 * that send, does not get it live either.
 */
export function useReconnectSync(meId: string) {
  const { epoch } = useSocketStatus();
  const refreshChats = useRefreshChats();
  const catchUp = useCatchUp();
  const pass = async () => {
    try {
      await catchUp.all(await refreshChats());
      // Reads while away come in no event: re-read the ticks of my unseen messages.
      await catchUp.refreshSeen(meId);
    } catch {
      // Offline again: the next reconnect or `online` event tries once more.
    }
  };
  const latest = useRef(pass);
  useEffect(() => {
    latest.current = pass;
  });
  const sync = useMemo(() => serialRun(() => latest.current()), []);

  useEffect(() => {
    // The first connect too, when a chat was opened from saved history (offline at load).
    if (epoch > 1 || (epoch === 1 && catchUp.takeRestored())) void sync();
  }, [epoch, sync, catchUp]);

  useEffect(() => {
    const onOnline = () => void sync();
    const onVisible = () => document.visibilityState === 'visible' && void sync();
    window.addEventListener('online', onOnline);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('online', onOnline);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [sync]);
}
