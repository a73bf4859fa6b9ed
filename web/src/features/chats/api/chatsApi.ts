import { api } from '../../../lib/api';
import type { ChatListItem, ChatListResponse, NewChatResponse, User } from '../../../lib/wire';

export async function fetchChats(): Promise<ChatListItem[]> {
  const { chats } = await api.get<ChatListResponse>('/chat/all');
  return chats;
}

export function searchUsers(q: string, signal?: AbortSignal): Promise<User[]> {
  return api.get<User[]>('/user/all', { q, limit: 20 }, signal);
}

/** Returns the existing 1:1 chat if there is one. */
export async function startChat(otherUserId: string): Promise<string> {
  const { chatId } = await api.post<NewChatResponse>('/chat/new', { otherUserId });
  return chatId;
}
