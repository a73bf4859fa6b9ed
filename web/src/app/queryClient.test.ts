import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../lib/api';
import { queryKeys } from '../lib/queryKeys';
import { createQueryClient } from './queryClient';

afterEach(() => vi.unstubAllGlobals());

describe('a 401 anywhere', () => {
  // A second tab after a logout elsewhere: its sends and marks (not queries) got 401s
  // and it stayed on the chat screen.
  it('ends the session in the cache, even from a call outside a query', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ message: 'Log in again.', code: 'unauthenticated' }), { status: 401 })));
    const client = createQueryClient();
    client.setQueryData(queryKeys.me, { _id: 'u1' });
    await expect(api.post('/chat/c1/read', { upToSeq: 3 })).rejects.toMatchObject({ status: 401 });
    expect(client.getQueryData(queryKeys.me)).toBeNull();
  });
});
