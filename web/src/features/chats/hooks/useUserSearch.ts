import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/queryKeys';
import { searchUsers } from '../api/chatsApi';

/** Searches users 250 ms after the last keystroke; an empty box searches nothing. */
export function useUserSearch(input: string) {
  const [q, setQ] = useState(input.trim());
  useEffect(() => {
    const id = setTimeout(() => setQ(input.trim()), 250);
    return () => clearTimeout(id);
  }, [input]);
  return useQuery({
    queryKey: queryKeys.userSearch(q),
    queryFn: ({ signal }) => searchUsers(q, signal),
    enabled: q.length > 0,
    staleTime: 30_000,
  });
}
