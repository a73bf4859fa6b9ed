import { useMemo } from 'react';
import { useQueries } from '@tanstack/react-query';
import { api } from '../../../lib/api';
import { queryKeys } from '../../../lib/queryKeys';
import type { Message, SystemNote, User } from '../../../lib/wire';

/** Everyone a message names: its sender and whom its notice is about. */
export function mentionedIn(m: { sender: string; system?: SystemNote | null }): string[] {
  return [m.sender, ...(m.system?.users ?? []), ...(m.system?.newOwner ? [m.system.newOwner] : [])];
}

/**
 * `names` completed with everyone the loaded messages mention who is not a member now
 * (someone who left or was removed, the sender of an old message): their names come
 * from GET /user/:id, once each per session.
 */
export function useNames(names: ReadonlyMap<string, string>, messages: readonly Pick<Message, 'sender' | 'system'>[]): ReadonlyMap<string, string> {
  const missing = useMemo(() => {
    const ids = new Set<string>();
    for (const m of messages) for (const id of mentionedIn(m)) if (!names.has(id)) ids.add(id);
    return [...ids].sort();
  }, [names, messages]);
  const found = useQueries({
    queries: missing.map((id) => ({
      queryKey: queryKeys.user(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<User>(`/user/${encodeURIComponent(id)}`, undefined, signal),
      staleTime: Infinity,
      retry: false,
    })),
  });
  return useMemo(() => {
    if (missing.length === 0) return names;
    const all = new Map(names);
    for (const q of found) if (q.data) all.set(q.data._id, q.data.name);
    return all;
    // `found` changes identity each render; its data is what matters.
  }, [names, missing, found.map((q) => q.data?._id).join()]);
}
