import type { ChatListItem, Message, Settings } from '../../../lib/wire';

export type Permission = NotificationPermission | 'unsupported';

export interface AlertContext {
  meId: string;
  /** The chat on screen, or null. */
  activeChatId: string | null;
  visible: boolean;
  /** The message's chat as the cached list has it (undefined: a chat not listed yet). */
  chat: ChatListItem | undefined;
  /** Undefined while not loaded: then nothing sounds or pops up. */
  settings: Pick<Settings, 'sound' | 'desktop'> | undefined;
  permission: Permission;
}

export interface Alerts {
  sound: boolean;
  notify: boolean;
}

const NONE: Alerts = { sound: false, notify: false };

/**
 * Which alerts a live `newMessage` earns. Never for my own messages (another tab of
 * mine sent it), a group's notices or a muted chat; never for the chat I am looking
 * at. The sound follows the `sound` setting; the browser notification needs the tab
 * hidden, the `desktop` setting and the browser's permission.
 */
export function alertsFor(message: Pick<Message, 'sender' | 'messageType' | 'chatId'>, ctx: AlertContext): Alerts {
  if (message.sender === ctx.meId || message.messageType === 'system') return NONE;
  if (ctx.chat?.chat.muted === true) return NONE;
  if (ctx.visible && ctx.activeChatId === message.chatId) return NONE;
  if (!ctx.settings) return NONE;
  return {
    sound: ctx.settings.sound,
    notify: !ctx.visible && ctx.settings.desktop && ctx.permission === 'granted',
  };
}

export interface NotificationText {
  title: string;
  body: string;
}

const BODY_MAX = 140;

/**
 * What a notification says, as the server's push does: the sender's name (in a group
 * "Sender · Group"), and the text's first line or "📷 Photo".
 */
export function notificationText(message: Pick<Message, 'sender' | 'messageType' | 'text'>, chat: ChatListItem | undefined): NotificationText {
  const sender = senderName(chat, message.sender);
  const title = chat?.chat.isGroup && chat.chat.name ? `${sender} · ${chat.chat.name}` : sender;
  const firstLine = message.text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
  const body = firstLine ? (firstLine.length > BODY_MAX ? `${firstLine.slice(0, BODY_MAX - 1)}…` : firstLine) : message.messageType === 'image' ? '📷 Photo' : '';
  return { title, body };
}

function senderName(chat: ChatListItem | undefined, senderId: string): string {
  if (!chat) return 'New message';
  if (chat.user?._id === senderId) return chat.user.name;
  return chat.members.find((m) => m._id === senderId)?.name ?? 'Someone';
}
