import { useQuery } from '@tanstack/react-query';
import { ApiError } from '../../../lib/api';
import { rememberedMe, rememberMe } from '../../../lib/offlineStore';
import { queryKeys } from '../../../lib/queryKeys';
import { fetchMe } from '../api/authApi';

/** GET /me, remembered; without network, the user this browser last saw logged in (the app then reads what it saved). */
export async function fetchMeOrRemembered() {
  try {
    const me = await fetchMe();
    rememberMe(me);
    return me;
  } catch (error) {
    const remembered = error instanceof ApiError && error.status === 0 ? rememberedMe() : null;
    if (remembered) return remembered;
    throw error;
  }
}

/** Logged-in state is "GET /me succeeds": the client never sees the session token. */
export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: fetchMeOrRemembered, staleTime: 5 * 60_000, retry: 1 });
}
