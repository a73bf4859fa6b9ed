import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/queryKeys';
import { MAX_QUERY_CHARS, searchMessages } from '../api/searchApi';

/** Searches messages 300 ms after the last keystroke; an empty box searches nothing. */
export function useMessageSearch(input: string) {
  const [q, setQ] = useState(input.trim());
  useEffect(() => {
    const id = setTimeout(() => setQ(input.trim().slice(0, MAX_QUERY_CHARS)), 300);
    return () => clearTimeout(id);
  }, [input]);
  return useQuery({
    queryKey: queryKeys.messageSearch(q),
    queryFn: ({ signal }) => searchMessages(q, signal),
    enabled: q.length > 0,
    staleTime: 10_000,
  });
}
