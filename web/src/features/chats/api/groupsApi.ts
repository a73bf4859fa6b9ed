import { apiRequest } from '../../../lib/api';
import type { ChatResponse, NewChatResponse } from '../../../lib/wire';

const chatPath = (chatId: string) => `/chat/${encodeURIComponent(chatId)}`;

/** A new group with me as its owner; `clientId` makes a retried click create it once. */
export async function createGroup(name: string, userIds: string[], clientId: string): Promise<string> {
  const { chatId } = await apiRequest<NewChatResponse>('/chat/group', { method: 'POST', body: { name, userIds, clientId } });
  return chatId;
}

export function renameGroup(chatId: string, name: string): Promise<ChatResponse> {
  return apiRequest<ChatResponse>(chatPath(chatId), { method: 'PATCH', body: { name } });
}

export function addMembers(chatId: string, userIds: string[]): Promise<ChatResponse> {
  return apiRequest<ChatResponse>(`${chatPath(chatId)}/members`, { method: 'POST', body: { userIds } });
}

/** Remove a member, or leave with my own id. */
export function removeMember(chatId: string, userId: string): Promise<void> {
  return apiRequest<void>(`${chatPath(chatId)}/members/${encodeURIComponent(userId)}`, { method: 'DELETE' });
}

export function setRole(chatId: string, userId: string, role: 'admin' | 'member'): Promise<ChatResponse> {
  return apiRequest<ChatResponse>(`${chatPath(chatId)}/members/${encodeURIComponent(userId)}`, { method: 'PATCH', body: { role } });
}
