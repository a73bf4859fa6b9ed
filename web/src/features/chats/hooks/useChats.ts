import { useEffect } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useToast } from '../../../components/ui/Toast';
import { ApiError } from '../../../lib/api';
import { currentOfflineStore } from '../../../lib/offlineStore';
import { queryKeys } from '../../../lib/queryKeys';
import { SocketEvent, useSocketEvent } from '../../../lib/socket';
import type { ChatListItem } from '../../../lib/wire';
import { fetchChats } from '../api/chatsApi';
import { applyNewMessage, clearUnseen, setMuted } from './chatListCache';

/** GET /chat/all; without network, the list as this browser last saved it (the session shell saves it). */
async function fetchChatsOrSaved(): Promise<ChatListItem[]> {
  try {
    return await fetchChats();
  } catch (error) {
    const saved = error instanceof ApiError && error.status === 0 ? await currentOfflineStore()?.chats() : null;
    if (saved) return saved;
    throw error;
  }
}

export function useChats() {
  return useQuery({ queryKey: queryKeys.chats, queryFn: fetchChatsOrSaved });
}

/**
 * Keeps the cached chat list live: previews, unseen badges and order follow `newMessage`;
 * a read marker of mine (this or another tab) clears the badge; the open chat never
 * counts as unseen; a mute from another tab of mine shows here too.
 */
export function useChatListLiveUpdates(meId: string, activeChatId: string | null) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  // The first list can arrive after the open chat was marked read (a page opened at a
  // chat): its count for that chat is stale, and showed once the chat was left.
  const loaded = useChats().isSuccess;
  const update = (fn: (list: ChatListItem[]) => ChatListItem[] | null) => {
    const list = queryClient.getQueryData<ChatListItem[]>(queryKeys.chats);
    if (!list) return;
    const next = fn(list);
    if (next === null) void queryClient.invalidateQueries({ queryKey: queryKeys.chats });
    else if (next !== list) queryClient.setQueryData(queryKeys.chats, next);
  };

  const fetching = () => queryClient.isFetching({ queryKey: queryKeys.chats }) > 0;

  useSocketEvent(SocketEvent.newMessage, (message) => {
    // A list fetch on its way (after a read marker, a group change) may have been
    // answered before this message: its answer would overwrite the update below and
    // lose the message's preview and unread count. Fetch again instead.
    const stale = fetching();
    update((list) => applyNewMessage(list, message, { meId, activeChatId }));
    if (stale) void queryClient.invalidateQueries({ queryKey: queryKeys.chats });
  });
  useSocketEvent(SocketEvent.messagesSeen, (seen) => {
    if (seen.seenBy !== meId) return;
    // A list fetch that started before the marker moved would bring the old count
    // back: refetch (cancelling any such fetch) now that the server has the new one.
    // With none on its way the update below is the whole change: refetching anyway made
    // every message read in an open chat cost a list fetch, and each of those turned
    // the next message into one more (above), two fetches a message in a burst.
    const stale = fetching();
    update((list) => clearUnseen(list, seen.chatId));
    if (stale) void queryClient.invalidateQueries({ queryKey: queryKeys.chats });
  });
  // I muted or unmuted it in another tab.
  useSocketEvent(SocketEvent.chatMuted, ({ chatId, muted }) => update((list) => setMuted(list, chatId, muted)));
  useSocketEvent(SocketEvent.chatUpdated, () => void queryClient.invalidateQueries({ queryKey: queryKeys.chats }));
  // A deleted message may be a chat's preview: the list says so once refetched.
  useSocketEvent(SocketEvent.messageDeleted, () => void queryClient.invalidateQueries({ queryKey: queryKeys.chats }));
  useSocketEvent(SocketEvent.membersChanged, (changed) => {
    if (changed.chat === null) {
      // I left or was removed: the chat is gone for me, here and in every other tab.
      const gone = queryClient.getQueryData<ChatListItem[]>(queryKeys.chats)?.find((i) => i.chat._id === changed.chatId);
      update((list) => list.filter((i) => i.chat._id !== changed.chatId));
      if (activeChatId === changed.chatId) {
        navigate('/chat');
        toast.show(`You are no longer in “${gone?.chat.name ?? 'the group'}”.`);
      }
      return;
    }
    void queryClient.invalidateQueries({ queryKey: queryKeys.chats });
  });

  useEffect(() => {
    if (activeChatId && loaded) update((list) => clearUnseen(list, activeChatId));
    // `update` only reads the cache; re-running on its identity would be noise.
  }, [activeChatId, loaded]);
}
