import { api, apiRequest } from '../../../lib/api';
import type { EventsPage, MessageResponse, MessagesPage, SendMessageRequest, SendMessageResponse } from '../../../lib/wire';

export const PAGE_SIZE = 50;
/** A REST send that hangs longer than this counts as failed and is retried with the same clientId. */
const SEND_TIMEOUT_MS = 15_000;

/** The most the server gives in one page. */
export const MAX_PAGE_SIZE = 200;

/** Newest page, or the page just above `before` when scrolling up. */
export function fetchMessages(chatId: string, before?: number, limit = PAGE_SIZE): Promise<MessagesPage> {
  return api.get<MessagesPage>(`/message/${encodeURIComponent(chatId)}`, { before, limit });
}

/** The page around one message (`seq`), or the one just below `after` when scrolling down from there. */
export function fetchMessagesNear(chatId: string, near: { around: number } | { after: number }): Promise<MessagesPage> {
  return api.get<MessagesPage>(`/message/${encodeURIComponent(chatId)}`, { ...near, limit: PAGE_SIZE });
}

export function fetchEvents(chatId: string, after: number): Promise<EventsPage> {
  return api.get<EventsPage>(`/chat/${encodeURIComponent(chatId)}/events`, { after, limit: 200 });
}

export function postTextMessage(body: SendMessageRequest): Promise<SendMessageResponse> {
  return apiRequest<SendMessageResponse>('/message', {
    method: 'POST',
    body,
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
}

export function postImageMessage(fields: { chatId: string; text: string; clientId: string; image: File; replyTo?: string; mentions?: string[] }): Promise<SendMessageResponse> {
  const form = new FormData();
  form.set('chatId', fields.chatId);
  form.set('text', fields.text);
  form.set('clientId', fields.clientId);
  if (fields.replyTo) form.set('replyTo', fields.replyTo);
  for (const id of fields.mentions ?? []) form.append('mentions', id);
  form.set('image', fields.image, fields.image.name);
  return apiRequest<SendMessageResponse>('/message', {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS * 4),
  });
}

export function markRead(chatId: string, upToSeq: number): Promise<void> {
  return api.post<void>(`/chat/${encodeURIComponent(chatId)}/read`, { upToSeq });
}

/** A new text for one of my messages; the answer is the message as it is now. */
export function editMessage(messageId: string, text: string): Promise<MessageResponse> {
  return apiRequest<MessageResponse>(`/message/${encodeURIComponent(messageId)}`, { method: 'PATCH', body: { text } });
}

/** Delete one of my messages for everyone; the answer is its tombstone. */
export function deleteMessage(messageId: string): Promise<MessageResponse> {
  return apiRequest<MessageResponse>(`/message/${encodeURIComponent(messageId)}`, { method: 'DELETE' });
}

/** Add (`on`) or take back my reaction with one emoji. */
export function setReaction(messageId: string, emoji: string, on: boolean): Promise<MessageResponse> {
  return apiRequest<MessageResponse>(`/message/${encodeURIComponent(messageId)}/reactions/${encodeURIComponent(emoji)}`, {
    method: on ? 'PUT' : 'DELETE',
  });
}
