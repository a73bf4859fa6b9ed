import { api, apiRequest } from '../../../lib/api';
import type { ChatListItem, ChatListResponse, NewChatResponse, User } from '../../../lib/wire';

export async function fetchChats(): Promise<ChatListItem[]> {
  const { chats } = await api.get<ChatListResponse>('/chat/all');
  return chats;
}

/** Mute (PUT) or unmute (DELETE) a chat for me; 204 either way. */
export function setChatMuted(chatId: string, muted: boolean): Promise<void> {
  return apiRequest<void>(`/chat/${encodeURIComponent(chatId)}/mute`, { method: muted ? 'PUT' : 'DELETE' });
}

export function searchUsers(q: string, signal?: AbortSignal): Promise<User[]> {
  return api.get<User[]>('/user/all', { q, limit: 20 }, signal);
}

/** Returns the existing 1:1 chat if there is one. */
export async function startChat(otherUserId: string): Promise<string> {
  const { chatId } = await api.post<NewChatResponse>('/chat/new', { otherUserId });
  return chatId;
}
