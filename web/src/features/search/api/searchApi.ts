import { api } from '../../../lib/api';
import type { SearchResponse } from '../../../lib/wire';

/** The server's bounds on `q`, once trimmed. */
export const MAX_QUERY_CHARS = 200;

/** Messages of my chats matching `q`, newest first, each with the ranges to highlight. */
export function searchMessages(q: string, signal?: AbortSignal): Promise<SearchResponse> {
  return api.get<SearchResponse>('/search', { q, limit: 20 }, signal);
}
