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
export type {
  Chat,
  ChatListItem,
  ChatMuted,
  ServerToClientEvents,
  PushKey as PushKeyResponse,
  PushSubscriptionRequest,
  PushUnsubscribeRequest,
} from './wire.gen';
export { SocketEvent } from './wire.gen';
import type {
  Message,
  VerifyResponse,
  ChatEvent,
  Settings as GenSettings,
  SettingsPatch as GenSettingsPatch,
} from './wire.gen';

/** Minutes a message may stay unread before a mail about it; null: never. */
export type UnreadMailAfterMinutes = null | 5 | 15 | 60;
/** The server answers only the choices it accepts (5, 15, 60 or null). */
export type Settings = Omit<GenSettings, 'unreadMailAfterMinutes'> & {
  unreadMailAfterMinutes: UnreadMailAfterMinutes;
};
export type SettingsPatch = Omit<GenSettingsPatch, 'unreadMailAfterMinutes'> & {
  unreadMailAfterMinutes?: UnreadMailAfterMinutes;
};
/** The JSON a Web Push carries to the service worker (`public/sw.js` reads it), as
 * `PushPayload` in `crates/app/src/push.rs` writes it. */
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
