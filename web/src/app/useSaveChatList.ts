import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { offlineStoreFor } from '../lib/offlineStore';
import { queryKeys } from '../lib/queryKeys';
import type { ChatListItem } from '../lib/wire';

const SAVE_DELAY_MS = 1_000;

/** Saves the chat list as it changes (fetched or live-updated), a second after the last change, for reading offline. */
export function useSaveChatList(meId: string) {
  const queryClient = useQueryClient();
  useEffect(() => {
    const offline = offlineStoreFor(meId);
    let timer: ReturnType<typeof setTimeout> | null = null;
    const save = () => {
      timer = null;
      const list = queryClient.getQueryData<ChatListItem[]>(queryKeys.chats);
      if (list) void offline.putChats(list);
    };
    const unsubscribe = queryClient.getQueryCache().subscribe((event) => {
      if (event.type !== 'updated' || event.query.queryKey[0] !== queryKeys.chats[0]) return;
      if (event.action.type !== 'success' && event.action.type !== 'setState') return;
      if (timer === null) timer = setTimeout(save, SAVE_DELAY_MS);
    });
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [meId, queryClient]);
}
