import { useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/queryKeys';
import type { ChatListItem } from '../../../lib/wire';
import { setChatMuted } from '../api/chatsApi';
import { setMuted } from './chatListCache';

/**
 * Mute or unmute a chat. The list shows the change at once and goes back if the server
 * refuses; my other tabs hear it as `chatMuted` (see `useChatListLiveUpdates`).
 */
export function useMuteChat() {
  const queryClient = useQueryClient();
  const apply = (chatId: string, muted: boolean) => {
    const list = queryClient.getQueryData<ChatListItem[]>(queryKeys.chats);
    if (list) queryClient.setQueryData(queryKeys.chats, setMuted(list, chatId, muted));
  };
  return useMutation({
    mutationFn: ({ chatId, muted }: { chatId: string; muted: boolean }) => setChatMuted(chatId, muted),
    onMutate: async ({ chatId, muted }) => {
      // A list fetch already on its way would bring the old state back over the new one.
      await queryClient.cancelQueries({ queryKey: queryKeys.chats });
      apply(chatId, muted);
    },
    onError: (_error, { chatId, muted }) => apply(chatId, !muted),
  });
}
