import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/queryKeys';
import { SocketEvent, useSocketEvent } from '../../../lib/socket';
import { blockUser, fetchBlocks, unblockUser } from '../api/blocksApi';

/** Whom I blocked; refetched when any of my tabs blocks or unblocks (`blocksChanged`). */
export function useBlocks() {
  const queryClient = useQueryClient();
  useSocketEvent(SocketEvent.blocksChanged, () => void queryClient.invalidateQueries({ queryKey: queryKeys.blocks }));
  return useQuery({ queryKey: queryKeys.blocks, queryFn: fetchBlocks });
}

/** Whether I blocked `userId` (false while unknown). */
export function useIsBlocked(userId: string | undefined): boolean {
  const blocks = useBlocks();
  return !!userId && !!blocks.data?.some((b) => b.user._id === userId);
}

/** Block or unblock; the list and the chat list (last seen) are read again after. */
export function useSetBlocked() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, blocked }: { userId: string; blocked: boolean }) =>
      blocked ? blockUser(userId) : unblockUser(userId),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.blocks });
      void queryClient.invalidateQueries({ queryKey: queryKeys.chats });
    },
  });
}
