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
replyTo?: string, 
/**
 * In a group, the members this message mentions (`@name`): at most 50; those no
 * longer in it are dropped.
 */
mentions?: Array<string>, };

export type User = { _id: string, name: string, 
/**
 * The address, or `""` where the viewer may not see it (see `users::Profile`).
 * An empty string rather than a missing field: the seed's client treats `email`
 * as a string (it renders it, lower-cases it to filter), and a missing field
 * would be `undefined` there; `""` keeps it working and the type stays true.
 */
email: string, createdAt: string, updatedAt: string, 
/**
 * When a contact was last online: null while they are online, where either of
 * you hides it (`showLastSeen`), across a block, and for people you share no chat
 * with.
 */
lastSeen: string | null, };

export type Settings = { 
/**
 * Whether your contacts see when you were last online. `false` also hides
 * theirs from you.
 */
showLastSeen: boolean, 
/**
 * A soft sound when a message arrives in a chat you are not viewing.
 */
sound: boolean, 
/**
 * The browser's notifications while natter's tab is hidden (the browser asks for
 * its permission separately).
 */
desktop: boolean, 
/**
 * A mail about messages still unread after this many minutes (5, 15 or 60);
 * `null`: no such mail.
 */
unreadMailAfterMinutes: number | null, };

export type SettingsPatch = { showLastSeen?: boolean, sound?: boolean, desktop?: boolean, 
/**
 * 5, 15 or 60 minutes, or `null` for no such mail; left out: unchanged.
 */
unreadMailAfterMinutes?: number | null, };

export type BlockedUser = { user: User, blockedAt: string, };

export type BlocksAnswer = { blocks: Array<BlockedUser>, };

export type BlocksChanged = { userId: string, blocked: boolean, };

export type ChatMuted = { chatId: string, muted: boolean, };

export type PushKey = { 
/**
 * The VAPID public key: an uncompressed P-256 point, base64url.
 */
publicKey: string, };

export type PushKeys = { p256dh: string, auth: string, };

export type PushSubscriptionRequest = { endpoint: string, expirationTime?: number | null, keys: PushKeys, };

export type PushUnsubscribeRequest = { endpoint: string, };

export type PushSubscriptionResponse = { endpoint: string, };

export type MessageOnlyResponse = { message: string, };

export type VerifyResponse = { message: string, user: User, token: string, };

export type MessageImage = { url: string, publicId: string, width: number, height: number, thumbUrl: string, };

export type Reaction = { emoji: string, 
/**
 * The users' `_id`s, in the order they reacted.
 */
users: Array<string>, };

export type ChatEventKind = "message.created" | "message.edited" | "message.deleted" | "reaction.added" | "reaction.removed" | "chat.created" | "member.added" | "member.removed" | "chat.renamed" | "member.role_changed";

export type SystemNote = { 
/**
 * The change: `chat.created`, `member.added`, `member.removed` (the sender among
 * `users`: they left), `chat.renamed`, `member.role_changed`.
 */
kind: ChatEventKind, 
/**
 * Whom it is about: added, removed, or given a role.
 */
users: Array<string>, 
/**
 * The group's name, when created or renamed.
 */
name: string | null, role: "admin" | "member" | null, 
/**
 * Who owns the group now, when its owner left.
 */
newOwner: string | null, };

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
 * The members other than its sender who have seen it (for a group's "seen by").
 */
seenBy: Array<string>, 
/**
 * The members it mentions (`@name`, in a group).
 */
mentions: Array<string>, 
/**
 * For `messageType: "system"`: what happened to the group (then `text` is empty).
 */
system?: SystemNote, 
/**
 * The message `replyTo` names, as it is now; absent when this is no reply.
 */
replyPreview?: ReplyPreview, };

export type LatestMessage = { text: string, sender: string, 
/**
 * When the latest message is a group's system message: what it says.
 */
system?: SystemNote, 
/**
 * It was deleted for everyone (then `text` is empty).
 */
deleted: boolean, };

export type Chat = { _id: string, users: Array<string>, latestMessage: LatestMessage | null, unseenCount: number, 
/**
 * Of the unseen messages, those that mention you.
 */
mentionCount: number, createdAt: string, updatedAt: string, isGroup: boolean, name: string | null, 
/**
 * A group's owner (null for a 1:1 chat).
 */
owner: string | null, 
/**
 * A group's admins, its owner not among them.
 */
admins: Array<string>, lastSeq: number, lastReadSeq: number, 
/**
 * You muted the chat (no sound, push or mail; unread still counts). Only in
 * your own view of it (the chat list); absent where the chat is shaped for
 * everyone (`chatUpdated`): keep what you had.
 */
muted?: boolean, };

export type ChatListItem = { user: User | null, chat: Chat, 
/**
 * A group's members (empty for a 1:1 chat, whose other member is `user`).
 */
members: Array<User>, };

export type ChatListResponse = { chats: Array<ChatListItem>, };

export type ChatResponse = { chat: Chat, };

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
 * What changed.
 */
kind: ChatEventKind, 
/**
 * Who made the change.
 */
actor: string, at: string, 
/**
 * The message the change is about, as it is now (a tombstone once deleted; for a
 * group change, its system message).
 */
payload: Message, 
/**
 * For a group change: the group as it is now.
 */
chat?: Chat, };

export type EventsPage = { events: Array<ChatEvent>, lastSeq: number, };

export type MessagesSeen = { chatId: string, seenBy: string, messageIds: Array<string>, seenAt: string, upToSeq: number, };

export type Typing = { chatId: string, userId: string, };

export type MembersChanged = { chatId: string, added: Array<string>, removed: Array<string>, chat: Chat | null, };

export type Presence = { userId: string, online: boolean, lastSeen: string | null, };

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
  membersChanged: 'membersChanged',
  presence: 'presence',
  blocksChanged: 'blocksChanged',
  chatMuted: 'chatMuted',
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
  membersChanged: (payload: MembersChanged) => void;
  presence: (payload: Presence) => void;
  blocksChanged: (payload: BlocksChanged) => void;
  chatMuted: (payload: ChatMuted) => void;
}

export interface ClientToServerEvents {
  joinChat: (chatId: string | ChatRef, ack?: (answer: EventAck) => void) => void;
  leaveChat: (chatId: string | ChatRef, ack?: (answer: EventAck) => void) => void;
  typing: (payload: ChatRef) => void;
  stopTyping: (payload: ChatRef) => void;
  sendMessage: (payload: SendMessageRequest, ack: (answer: SendMessageAck) => void) => void;
  markRead: (payload: MarkReadPayload, ack?: (answer: EventAck) => void) => void;
}
