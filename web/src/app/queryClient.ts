import { QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError, setUnauthorizedHandler } from '../lib/api';
import { rememberMe } from '../lib/offlineStore';
import { queryKeys } from '../lib/queryKeys';

/** Any 401 means the session ended (logout elsewhere, expiry): drop to the login screen. */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        if (error instanceof ApiError && error.status === 401) client.setQueryData(queryKeys.me, null);
      },
    }),

    defaultOptions: {
      queries: {
        retry: (count, error) => !(error instanceof ApiError && error.status < 500 && error.status !== 0) && count < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
  // Mutations and the outbox call the API outside the query cache: a 401 there too.
  setUnauthorizedHandler(() => {
    rememberMe(null);
    if (client.getQueryData(queryKeys.me)) client.setQueryData(queryKeys.me, null);
  });
  return client;
}
