import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { offlineStoreFor, type OfflineStore } from '../../../lib/offlineStore';
import { queryKeys } from '../../../lib/queryKeys';
import { SocketEvent, useSocketEvent, useSocketStatus } from '../../../lib/socket';
import { hasGapBefore } from '../model/timeline';
import { createCatchUp, type CatchUp } from './catchUp';
import { createMessagesStore, type MessagesStore } from './messagesStore';
import { attachPersistence } from './persistence';
import { createSender, type Sender } from './sender';

interface MessagesContextValue {
  store: MessagesStore;
  sender: Sender;
  catchUp: CatchUp;
  meId: string;
  /** This browser's saved outbox and history for the user. */
  offline: OfflineStore;
}

const MessagesContext = createContext<MessagesContextValue | null>(null);

export function useMessagesContext(): MessagesContextValue {
  const value = useContext(MessagesContext);
  if (!value) throw new Error('useMessagesContext outside <MessagesProvider>');
  return value;
}

/**
 * Owns the logged-in user's message state for the whole session: it listens to the
 * message events once (not per pane), runs the outbox, and resends what is owed after
 * a reconnect or when the browser comes back online. Unsent messages and the newest
 * history are saved in this browser (IndexedDB) as they change.
 */
export function MessagesProvider({ meId, children }: { meId: string; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [value] = useState<MessagesContextValue>(() => {
    const store = createMessagesStore();
    const groupChanged = () => void queryClient.invalidateQueries({ queryKey: queryKeys.chats });
    return { store, sender: createSender(store), catchUp: createCatchUp(store, groupChanged), meId, offline: offlineStoreFor(meId) };
  });
  const { store, sender, catchUp, offline } = value;

  // The outbox and the newest history survive a reload; an earlier visit's unsent messages go out now.
  useEffect(() => attachPersistence(store, sender, offline, meId), [store, sender, offline, meId]);
  const { epoch } = useSocketStatus();

  useSocketEvent(SocketEvent.newMessage, (message) => {
    const gap = hasGapBefore(store.getState(), message);
    store.dispatch({ type: 'received', message });
    // A jump in seq means a live event may have been missed: ask the events feed.
    if (gap) catchUp.chat(message.chatId, message.seq);
  });
  // An edit or a delete: the message as it is now replaces the older copy (by updatedAt).
  useSocketEvent(SocketEvent.messageUpdated, (message) => store.dispatch({ type: 'received', message }));
  useSocketEvent(SocketEvent.messageDeleted, (message) => store.dispatch({ type: 'received', message }));
  useSocketEvent(SocketEvent.messagesSeen, (payload) => store.dispatch({ type: 'seen', payload, meId }));

  useEffect(() => {
    if (epoch > 1) sender.retryAll();
  }, [epoch, sender]);

  useEffect(() => {
    const onOnline = () => sender.retryAll();
    window.addEventListener('online', onOnline);
    return () => {
      window.removeEventListener('online', onOnline);
      sender.dispose();
    };
  }, [sender]);

  return <MessagesContext.Provider value={value}>{children}</MessagesContext.Provider>;
}
