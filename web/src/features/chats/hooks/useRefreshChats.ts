import { useCallback } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/queryKeys';
import { fetchChats } from '../api/chatsApi';

/** Refetches /chat/all now (bypassing staleness) and returns each chat's current lastSeq. */
export function useRefreshChats() {
  const queryClient = useQueryClient();
  return useCallback(async () => {
    const list = await queryClient.fetchQuery({ queryKey: queryKeys.chats, queryFn: fetchChats, staleTime: 0 });
    return list.map((item) => ({ chatId: item.chat._id, lastSeq: item.chat.lastSeq ?? 0 }));
  }, [queryClient]);
}
