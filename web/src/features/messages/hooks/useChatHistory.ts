import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../lib/api';
import { fetchMessages, fetchMessagesNear, MAX_PAGE_SIZE } from '../api/messagesApi';
import type { Timeline } from '../model/timeline';
import { useMessagesContext } from './MessagesProvider';

/** Opening a chat reaches back at most this many pages (of MAX_PAGE_SIZE) for where unread starts. */
const MAX_REACH_BACK_PAGES = 3;

/**
 * Loads the newest page whenever a chat opens (merging with what is already held, and
 * letting the server mark the other member's messages seen), and older pages on demand.
 * A jump to a message not held loads the window around it instead; newer pages then
 * fill the gap down to the live end (or the newest page replaces the window).
 *
 * `reachesBack(timeline)` says whether what is held goes back far enough (to where the
 * unread messages start): until it does, opening loads bigger older pages, a few at
 * most; `opened` turns true once that is done.
 */
export function useChatHistory(chatId: string, reachesBack: (timeline: Timeline) => boolean = () => true) {
  const { store, offline, catchUp } = useMessagesContext();
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>(() =>
    store.getState().timelines[chatId] ? 'ready' : 'loading',
  );
  const [error, setError] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [opened, setOpened] = useState(false);
  const reachesBackRef = useRef(reachesBack);
  reachesBackRef.current = reachesBack;
  const olderInFlight = useRef(false);
  const newerInFlight = useRef(false);

  useEffect(() => {
    let cancelled = false;
    setStatus(store.getState().timelines[chatId] ? 'ready' : 'loading');
    const open = async () => {
      const page = await fetchMessages(chatId);
      if (cancelled) return;
      store.dispatch({ type: 'pageLoaded', chatId, messages: page.messages, hasMore: page.hasMore, older: false });
      olderInFlight.current = true;
      try {
        for (let n = 0; n < MAX_REACH_BACK_PAGES; n++) {
          const t = store.getState().timelines[chatId];
          const oldest = t?.messages[0];
          if (!t || !oldest || !t.hasMore || t.hasNewer || reachesBackRef.current(t)) break;
          const older = await fetchMessages(chatId, oldest.seq, MAX_PAGE_SIZE);
          if (cancelled) return;
          store.dispatch({ type: 'pageLoaded', chatId, messages: older.messages, hasMore: older.hasMore, older: true });
        }
      } finally {
        olderInFlight.current = false;
      }
      setStatus('ready');
      setOpened(true);
    };
    open().catch(async (e: unknown) => {
      if (cancelled) return;
      // No network: what this browser saved of the chat, if nothing newer is held.
      if (e instanceof ApiError && e.status === 0 && !store.getState().timelines[chatId]) {
        const saved = await offline.timeline(chatId);
        if (cancelled) return;
        if (saved && !store.getState().timelines[chatId]) {
          store.dispatch({ type: 'pageLoaded', chatId, messages: saved.messages, hasMore: saved.hasMore, older: false });
          catchUp.markRestored(chatId);
          setError(null);
          setStatus('ready');
          setOpened(true);
          return;
        }
      }
      setError(e instanceof ApiError ? e.message : 'Could not load messages.');
      if (!store.getState().timelines[chatId]) setStatus('error');
      else setStatus('ready');
      setOpened(true);
    });
    return () => {
      cancelled = true;
    };
  }, [chatId, store, offline, catchUp, attempt]);

  const loadOlder = useCallback(async () => {
    const timeline = store.getState().timelines[chatId];
    const oldest = timeline?.messages[0];
    if (!timeline?.hasMore || !oldest || olderInFlight.current) return;
    olderInFlight.current = true;
    setLoadingOlder(true);
    try {
      const page = await fetchMessages(chatId, oldest.seq);
      store.dispatch({ type: 'pageLoaded', chatId, messages: page.messages, hasMore: page.hasMore, older: true });
    } catch {
      // The user can scroll up again to retry; the toast layer would only add noise here.
    } finally {
      olderInFlight.current = false;
      setLoadingOlder(false);
    }
  }, [chatId, store]);

  const loadNewer = useCallback(async () => {
    const timeline = store.getState().timelines[chatId];
    const newest = timeline?.messages.at(-1);
    if (!timeline?.hasNewer || !newest || newerInFlight.current) return;
    newerInFlight.current = true;
    try {
      const page = await fetchMessagesNear(chatId, { after: newest.seq });
      store.dispatch({ type: 'newerLoaded', chatId, messages: page.messages, hasNewer: page.hasNewer });
    } catch {
      // Scrolling down again retries.
    } finally {
      newerInFlight.current = false;
    }
  }, [chatId, store]);

  /** Make sure message `id` (at `seq`) is held: if it is not, show the window around it. */
  const loadAround = useCallback(
    async (id: string, seq: number) => {
      if (store.getState().timelines[chatId]?.messages.some((m) => m._id === id)) return true;
      try {
        const page = await fetchMessagesNear(chatId, { around: seq });
        store.dispatch({ type: 'windowLoaded', chatId, messages: page.messages, hasMore: page.hasMore, hasNewer: page.hasNewer });
        return true;
      } catch {
        return false;
      }
    },
    [chatId, store],
  );

  return { status, opened, error, loadingOlder, loadOlder, loadNewer, loadAround, reload: () => setAttempt((n) => n + 1) };
}
