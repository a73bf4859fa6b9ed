/**
 * Wire types of the natter API (REST under /api/v1 and Socket.IO events), exactly as
 * written in shared/design/API.md.
 *
 * This file is the ONLY place in the web client that declares wire shapes. It is kept by
 * hand for now and will be generated from the Rust DTOs (`*Dto` in the server crates,
 * via the OpenAPI document) once the server exports them; do not retype these shapes
 * anywhere else, import them from here.
 */

/** Opaque, time-ordered id (UUIDv7 on natter). */
export type Id = string;
/** RFC 3339 UTC timestamp with milliseconds. */
export type Timestamp = string;

export interface User {
  _id: Id;
  name: string;
  email: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  /** ext: null while online or hidden. */
  lastSeen?: Timestamp | null;
}

export interface MessageImage {
  url: string;
  publicId: string;
  width: number;
  height: number;
  thumbUrl?: string;
}

export type MessageType = 'text' | 'image' | 'file' | 'system';

export interface Reaction {
  emoji: string;
  users: Id[];
}

export interface Message {
  _id: Id;
  chatId: Id;
  sender: Id;
  text: string;
  messageType: MessageType;
  /** Absent for text messages. */
  image?: MessageImage;
  seen: boolean;
  seenAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  // ext
  seq: number;
  clientId?: string | null;
  replyTo?: Id | null;
  editedAt?: Timestamp | null;
  deletedAt?: Timestamp | null;
  reactions?: Reaction[];
}

export interface LatestMessage {
  text: string;
  sender: Id;
}

export interface Chat {
  _id: Id;
  users: Id[];
  latestMessage: LatestMessage | null;
  unseenCount: number;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  // ext
  isGroup?: boolean;
  name?: string | null;
  lastSeq: number;
  lastReadSeq?: number;
}

/** One row of GET /api/v1/chat/all; `user` is the other member (null for groups). */
export interface ChatListItem {
  user: User | null;
  chat: Chat;
}

export interface ChatListResponse {
  chats: ChatListItem[];
}

/** Every 4xx/5xx body. */
export interface ApiErrorBody {
  message: string;
  code: string;
  fields?: Record<string, string>;
}

// ---- auth ----

export interface LoginRequest {
  email: string;
}
export interface MessageOnlyResponse {
  message: string;
}
export interface VerifyRequest {
  email: string;
  otp: string;
}
/** `token` is for API clients; the web client relies on the HttpOnly cookie and ignores it. */
export interface VerifyResponse {
  message: string;
  user: User;
  token: string;
}
export interface UpdateUserRequest {
  name: string;
}
export interface UpdateUserResponse {
  message: string;
  user: User;
  token: string;
}

// ---- chats and messages ----

export interface NewChatRequest {
  otherUserId: Id;
}
export interface NewChatResponse {
  message: string;
  chatId: Id;
}
export interface SendMessageRequest {
  chatId: Id;
  text: string;
  clientId: string;
  replyTo?: Id;
}
/** POST /api/v1/message answer: `message` is the stored Message. */
export interface SendMessageResponse {
  message: Message;
  sender: User | Id;
}
export interface MessagesPage {
  messages: Message[];
  user: User | null;
  hasMore: boolean;
}
export interface MarkReadRequest {
  upToSeq: number;
}
export type ChatEventType = 'newMessage' | 'messageUpdated' | 'messageDeleted';
export interface ChatEvent {
  seq: number;
  type: ChatEventType;
  message: Message;
}
export interface EventsPage {
  events: ChatEvent[];
  lastSeq: number;
}

// ---- Socket.IO payloads ----

export interface MessagesSeen {
  chatId: Id;
  seenBy: Id;
  messageIds: Id[];
  seenAt: Timestamp;
  upToSeq: number;
}
export interface Typing {
  chatId: Id;
  userId: Id;
}
export interface ChatRef {
  chatId: Id;
}
export interface MarkReadPayload {
  chatId: Id;
  upToSeq: number;
}
export interface Presence {
  userId: Id;
  online: boolean;
  lastSeen: Timestamp | null;
}
/** Ack of the `sendMessage` socket event: comes only after commit. */
export type SendMessageAck = { message: Message } | { error: ApiErrorBody | string };
