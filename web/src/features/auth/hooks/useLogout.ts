import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { clearAllDrafts } from '../../../lib/drafts';
import { forgetOfflineStore, rememberMe } from '../../../lib/offlineStore';
import { disconnectSocket } from '../../../lib/socket';
import { queryKeys } from '../../../lib/queryKeys';
import { logout } from '../api/authApi';

/** Revokes the session, drops every cached answer, draft and saved message of the old user, and goes to /login. */
export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      const me = queryClient.getQueryData<{ _id: string } | null>(queryKeys.me);
      disconnectSocket();
      // Nothing of the old user stays in this browser: not the saved chats, not the outbox.
      rememberMe(null);
      if (me) void forgetOfflineStore(me._id);
      clearAllDrafts();
      queryClient.clear();
      queryClient.setQueryData(queryKeys.me, null);
      navigate('/login', { replace: true });
    },
  });
}
