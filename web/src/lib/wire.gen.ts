// Generated from crates/app/src/wire/ (mod.rs, socket.rs) by `NATTER_WRITE_WIRE=1 cargo test -p natter-app wire`.
// Do not edit: change the Rust types and regenerate.

export type ApiErrorBody = { message: string, code: string, 
/**
 * Which input was wrong and why: validation errors only.
 */
fields?: { [key in string]: string }, };

export type SendMessageRequest = { chatId: string, 
/**
 * Required in a JSON send (only a multipart send can carry an image instead):
 * something that is not only spaces, at most 4000 characters.
 */
text?: string, 
/**
 * Makes the send idempotent: a retry with the same id returns the original.
 * Without one the server makes one, so the send is never a duplicate.
 */
clientId?: string, 
/**
 * A message of the same chat this one answers.
 */
replyTo?: string, };

export type User = { _id: string, name: string, 
/**
 * The address, or `""` where the viewer may not see it (see `users::Profile`).
 * An empty string rather than a missing field: the seed's client treats `email`
 * as a string (it renders it, lower-cases it to filter), and a missing field
 * would be `undefined` there; `""` keeps it working and the type stays true.
 */
email: string, createdAt: string, updatedAt: string, };

export type MessageOnlyResponse = { message: string, };

export type VerifyResponse = { message: string, user: User, token: string, };

export type MessageImage = { url: string, publicId: string, width: number, height: number, thumbUrl: string, };

export type Reaction = { emoji: string, 
/**
 * The users' `_id`s, in the order they reacted.
 */
users: Array<string>, };

export type ReplyPreview = { _id: string, 
/**
 * Its place in the chat: `GET /message/:chatId?around=<seq>` shows it.
 */
seq: number, sender: string, messageType: "text" | "image" | "file" | "system", 
/**
 * Its first line now, at most 140 characters (cut ones end in `…`); empty when
 * deleted, and for an image without a caption.
 */
text: string, 
/**
 * Deleted for everyone since.
 */
deleted: boolean, };

export type Message = { _id: string, chatId: string, sender: string, text: string, messageType: "text" | "image" | "file" | "system", image?: MessageImage, seen: boolean, seenAt: string | null, createdAt: string, updatedAt: string, seq: number, clientId: string, replyTo: string | null, 
/**
 * When its sender last changed its text.
 */
editedAt: string | null, 
/**
 * When it was deleted for everyone: then `text` is empty and `image` absent.
 */
deletedAt: string | null, 
/**
 * Each emoji on it with who reacted, in the order the emoji were first used.
 */
reactions: Array<Reaction>, 
/**
 * The message `replyTo` names, as it is now; absent when this is no reply.
 */
replyPreview?: ReplyPreview, };

export type LatestMessage = { text: string, sender: string, };

export type Chat = { _id: string, users: Array<string>, latestMessage: LatestMessage | null, unseenCount: number, createdAt: string, updatedAt: string, isGroup: boolean, name: string | null, lastSeq: number, lastReadSeq: number, };

export type ChatListItem = { user: User | null, chat: Chat, };

export type ChatListResponse = { chats: Array<ChatListItem>, };

export type NewChatResponse = { message: string, chatId: string, };

export type SendMessageResponse = { message: Message, sender: string, };

export type MessageResponse = { message: Message, };

export type MessageEdit = { text: string, 
/**
 * When the next text replaced it.
 */
replacedAt: string, };

export type MessageEdits = { edits: Array<MessageEdit>, };

export type MessagesPage = { messages: Array<Message>, user: User | null, 
/**
 * Older messages exist (with `after`: newer ones do, as the seed read it).
 */
hasMore: boolean, 
/**
 * With `around` or `after`: newer messages exist past this page. Otherwise false.
 */
hasNewer: boolean, };

export type SearchHit = { message: Message, 
/**
 * `[start, end)` ranges of `message.text` to highlight, in UTF-16 code units (as
 * JavaScript indexes strings), ascending, never overlapping; may be empty.
 */
highlights: Array<[number, number]>, };

export type SearchResponse = { messages: Array<SearchHit>, 
/**
 * Older results exist: ask again with `before` = the last result's `_id`.
 */
hasMore: boolean, };

export type ChatEvent = { seq: number, 
/**
 * What changed (more kinds come with groups).
 */
kind: "message.created" | "message.edited" | "message.deleted" | "reaction.added" | "reaction.removed", 
/**
 * Who made the change.
 */
actor: string, at: string, 
/**
 * The message the change is about, as it is now (a tombstone once deleted).
 */
payload: Message, };

export type EventsPage = { events: Array<ChatEvent>, lastSeq: number, };

export type MessagesSeen = { chatId: string, seenBy: string, messageIds: Array<string>, seenAt: string, upToSeq: number, };

export type Typing = { chatId: string, userId: string, };

export type Presence = { userId: string, online: boolean, };

export type Invite = { email: string, createdAt: string, 
/**
 * When the invitee joined with it; null while it is open.
 */
usedAt: string | null, };

export type InviteAnswer = { message: string, invite: Invite, };

export type InvitesAnswer = { invites: Array<Invite>, };

export type ChatRef = { chatId: string, };

export type MarkReadPayload = { chatId: string, upToSeq: number, };

export type SendMessageAck = { message: Message, } | { error: ApiErrorBody, };

export type EventAck = { ok: boolean, } | { error: ApiErrorBody, };

export const SocketEvent = {
  // server -> client
  onlineUsers: 'getOnlineUser',
  newMessage: 'newMessage',
  messageUpdated: 'messageUpdated',
  messageDeleted: 'messageDeleted',
  messagesSeen: 'messagesSeen',
  userTyping: 'userTyping',
  userStoppedTyping: 'userStoppedTyping',
  chatUpdated: 'chatUpdated',
  presence: 'presence',
  // client -> server
  joinChat: 'joinChat',
  leaveChat: 'leaveChat',
  typing: 'typing',
  stopTyping: 'stopTyping',
  sendMessage: 'sendMessage',
  markRead: 'markRead',
} as const;

export interface ServerToClientEvents {
  getOnlineUser: (userIds: Array<string>) => void;
  newMessage: (message: Message) => void;
  messageUpdated: (message: Message) => void;
  messageDeleted: (message: Message) => void;
  messagesSeen: (payload: MessagesSeen) => void;
  userTyping: (payload: Typing) => void;
  userStoppedTyping: (payload: Typing) => void;
  chatUpdated: (chat: Chat) => void;
  presence: (payload: Presence) => void;
}

export interface ClientToServerEvents {
  joinChat: (chatId: string | ChatRef, ack?: (answer: EventAck) => void) => void;
  leaveChat: (chatId: string | ChatRef, ack?: (answer: EventAck) => void) => void;
  typing: (payload: ChatRef) => void;
  stopTyping: (payload: ChatRef) => void;
  sendMessage: (payload: SendMessageRequest, ack: (answer: SendMessageAck) => void) => void;
  markRead: (payload: MarkReadPayload, ack?: (answer: EventAck) => void) => void;
}
