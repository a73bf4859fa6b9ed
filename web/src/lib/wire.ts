/**
 * Wire types of the natter API (REST under /api/v1 and Socket.IO events).
 *
 * Every shape the server sends is generated from the Rust types in
 * `crates/app/src/wire/` into `wire.gen.ts` and re-exported here; this file adds only
 * what the client sends and a few aliases. It is the ONLY place the web client
 * declares wire shapes: import them from here.
 */

export type {
  ApiErrorBody,
  SendMessageRequest,
  User,
  BlockedUser,
  BlocksAnswer,
  BlocksChanged,
  MessageOnlyResponse,
  VerifyResponse,
  MessageImage,
  Reaction,
  ReplyPreview,
  Message,
  LatestMessage,
  ChatListResponse,
  ChatResponse,
  SystemNote,
  MembersChanged,
  NewChatResponse,
  SendMessageResponse,
  MessageResponse,
  MessagesPage,
  SearchHit,
  SearchResponse,
  ChatEvent,
  EventsPage,
  MessagesSeen,
  Typing,
  Presence,
  ChatRef,
  MarkReadPayload,
  SendMessageAck,
  EventAck,
  ClientToServerEvents,
} from './wire.gen';
import type {
  Message,
  VerifyResponse,
  ChatEvent,
  Chat as GenChat,
  ChatListItem as GenChatListItem,
  Settings as GenSettings,
  SettingsPatch as GenSettingsPatch,
  ServerToClientEvents as GenServerToClientEvents,
} from './wire.gen';
import { SocketEvent as GenSocketEvent } from './wire.gen';

// ---- issue 13 (notifications), ahead of wire.gen.ts ----
// The server's Rust types gain these fields and the `chatMuted` event; until
// wire.gen.ts is regenerated with them, they are declared here once. When it is,
// delete this block and export `Chat`, `ChatListItem`, `Settings`, `SettingsPatch`,
// `ChatMuted`, `ServerToClientEvents` and `SocketEvent` from './wire.gen' as above.

/** A chat; `muted` is absent on a server without mute (read it as false). */
export type Chat = GenChat & {
  /** You muted it: no sound, notification, push or mail for it; its unread still counts. */
  muted?: boolean;
};
export type ChatListItem = Omit<GenChatListItem, 'chat'> & { chat: Chat };
/** Minutes a message may stay unread before a mail about it; null: never. */
export type UnreadMailAfterMinutes = null | 5 | 15 | 60;
export type Settings = GenSettings & {
  /** Absent on a server that does not send unread mail. */
  unreadMailAfterMinutes?: UnreadMailAfterMinutes;
};
export type SettingsPatch = GenSettingsPatch & { unreadMailAfterMinutes?: UnreadMailAfterMinutes };
/** To my other tabs: I muted or unmuted a chat. */
export interface ChatMuted {
  chatId: string;
  muted: boolean;
}
export interface ServerToClientEvents extends GenServerToClientEvents {
  chatMuted: (payload: ChatMuted) => void;
}
/** Socket.IO event names, generated with their payload types. */
export const SocketEvent = { ...GenSocketEvent, chatMuted: 'chatMuted' } as const;
/** `GET /push/key`: the server's VAPID public key, base64url (65-byte uncompressed P-256). */
export interface PushKeyResponse {
  publicKey: string;
}
/** `POST /push/subscriptions`: what `PushSubscription.toJSON()` gives. */
export interface PushSubscriptionRequest {
  endpoint: string;
  expirationTime: number | null;
  keys: { p256dh: string; auth: string };
}
/** `DELETE /push/subscriptions`. */
export interface PushUnsubscribeRequest {
  endpoint: string;
}
/** The JSON a Web Push carries to the service worker (`public/sw.js` reads it). */
export interface PushPayload {
  v: 1;
  type: 'message';
  chatId: string;
  messageId: string;
  seq: number;
  /** The sender's name, or "Sender · Group name" in a group. */
  title: string;
  /** The first line of the text, or "📷 Photo". */
  body: string;
  url: string;
}

/** Opaque, time-ordered id (UUIDv7 on natter). */
export type Id = string;
/** RFC 3339 UTC timestamp with milliseconds. */
export type Timestamp = string;
export type MessageType = Message['messageType'];
export type ChatEventKind = ChatEvent['kind'];
/** `update/user` answers like `verify`. */
export type UpdateUserResponse = VerifyResponse;

// ---- what the client sends ----

export interface LoginRequest {
  email: string;
}
export interface VerifyRequest {
  email: string;
  otp: string;
}
export interface UpdateUserRequest {
  name: string;
}
export interface NewChatRequest {
  otherUserId: Id;
}
export interface MarkReadRequest {
  upToSeq: number;
}
