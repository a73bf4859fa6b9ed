import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useToast } from '../../../components/ui/Toast';
import { ApiError } from '../../../lib/api';
import { queryKeys } from '../../../lib/queryKeys';
import { startChat } from '../api/chatsApi';

export function useStartChat(onStarted?: () => void) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  return useMutation({
    mutationFn: startChat,
    onSuccess: async (chatId) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.chats });
      onStarted?.();
      navigate(`/chat/${chatId}`);
    },
    onError: (e) => toast.show(e instanceof ApiError ? e.message : 'Could not start the chat.'),
  });
}
