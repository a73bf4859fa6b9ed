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
  Settings,
  SettingsPatch,
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
  Chat,
  ChatListItem,
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
  ServerToClientEvents,
  ClientToServerEvents,
} from './wire.gen';
/** Socket.IO event names, generated with their payload types. */
export { SocketEvent } from './wire.gen';
import type { Message, VerifyResponse, ChatEvent } from './wire.gen';

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
