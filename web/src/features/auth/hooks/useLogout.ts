import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { disconnectSocket } from '../../../lib/socket';
import { queryKeys } from '../../../lib/queryKeys';
import { logout } from '../api/authApi';

/** Revokes the session, drops every cached answer of the old user, and goes to /login. */
export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      disconnectSocket();
      queryClient.clear();
      queryClient.setQueryData(queryKeys.me, null);
      navigate('/login', { replace: true });
    },
  });
}
