import { useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/queryKeys';
import { updateName } from '../api/profileApi';

export function useUpdateName() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateName,
    onSuccess: (user) => {
      queryClient.setQueryData(queryKeys.me, user);
      // Other people's chat rows carry my name; mine carry theirs — nothing else to refresh.
    },
  });
}
