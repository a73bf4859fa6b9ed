import { api } from '../../../lib/api';
import type { BlockedUser, BlocksAnswer, Id } from '../../../lib/wire';

export async function fetchBlocks(): Promise<BlockedUser[]> {
  return (await api.get<BlocksAnswer>('/me/blocks')).blocks;
}

export const blockUser = (id: Id) => api.post<void>(`/user/${encodeURIComponent(id)}/block`);
export const unblockUser = (id: Id) => api.delete<void>(`/user/${encodeURIComponent(id)}/block`);
