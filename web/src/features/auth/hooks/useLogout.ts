import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { clearAllDrafts } from '../../../lib/drafts';
import { disconnectSocket } from '../../../lib/socket';
import { queryKeys } from '../../../lib/queryKeys';
import { logout } from '../api/authApi';

/** Revokes the session, drops every cached answer and draft of the old user, and goes to /login. */
export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      disconnectSocket();
      clearAllDrafts();
      queryClient.clear();
      queryClient.setQueryData(queryKeys.me, null);
      navigate('/login', { replace: true });
    },
  });
}
