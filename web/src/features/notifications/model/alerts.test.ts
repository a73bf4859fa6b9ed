import { describe, expect, it } from 'vitest';
import type { ChatListItem, Message, User } from '../../../lib/wire';
import { alertsFor, notificationText, type AlertContext } from './alerts';

const person = (id: string, name: string): User => ({ _id: id, name, email: '', createdAt: '', updatedAt: '', lastSeen: null });

const direct = (muted?: boolean): ChatListItem => ({
  user: person('ada', 'Ada'),
  members: [],
  chat: {
    _id: 'c1',
    users: ['me', 'ada'],
    latestMessage: null,
    unseenCount: 0,
    mentionCount: 0,
    createdAt: '',
    updatedAt: '',
    isGroup: false,
    name: null,
    owner: null,
    admins: [],
    lastSeq: 0,
    lastReadSeq: 0,
    ...(muted === undefined ? {} : { muted }),
  },
});

const group: ChatListItem = {
  ...direct(),
  user: null,
  members: [person('me', 'Me'), person('ada', 'Ada'), person('bo', 'Bo')],
  chat: { ...direct().chat, isGroup: true, name: 'Rowing club' },
};

const msg = (over: Partial<Message> = {}): Pick<Message, 'sender' | 'messageType' | 'chatId' | 'text'> => ({
  sender: 'ada',
  messageType: 'text',
  chatId: 'c1',
  text: 'Lunch?',
  ...over,
});

const ctx = (over: Partial<AlertContext> = {}): AlertContext => ({
  meId: 'me',
  activeChatId: 'other',
  visible: true,
  chat: direct(),
  settings: { sound: true, desktop: true },
  permission: 'granted',
  ...over,
});

describe('which messages alert', () => {
  it('chimes for a message in a chat I am not viewing, and does not pop up while the tab is visible', () => {
    expect(alertsFor(msg(), ctx())).toEqual({ sound: true, notify: false });
  });

  it('notifies while the tab is hidden, also for the chat left open in it', () => {
    expect(alertsFor(msg(), ctx({ visible: false }))).toEqual({ sound: true, notify: true });
    expect(alertsFor(msg(), ctx({ visible: false, activeChatId: 'c1' }))).toEqual({ sound: true, notify: true });
  });

  it('stays quiet for the chat on screen', () => {
    expect(alertsFor(msg(), ctx({ activeChatId: 'c1' }))).toEqual({ sound: false, notify: false });
  });

  it('never alerts for my own messages, a group notice or a muted chat', () => {
    const hidden = { visible: false };
    expect(alertsFor(msg({ sender: 'me' }), ctx(hidden))).toEqual({ sound: false, notify: false });
    expect(alertsFor(msg({ messageType: 'system' }), ctx(hidden))).toEqual({ sound: false, notify: false });
    expect(alertsFor(msg(), ctx({ ...hidden, chat: direct(true) }))).toEqual({ sound: false, notify: false });
  });

  it('follows the settings, and says nothing before they are loaded', () => {
    const hidden = { visible: false };
    expect(alertsFor(msg(), ctx({ ...hidden, settings: { sound: false, desktop: true } }))).toEqual({ sound: false, notify: true });
    expect(alertsFor(msg(), ctx({ ...hidden, settings: { sound: true, desktop: false } }))).toEqual({ sound: true, notify: false });
    expect(alertsFor(msg(), ctx({ ...hidden, settings: undefined }))).toEqual({ sound: false, notify: false });
  });

  it('needs the browser permission for a notification', () => {
    for (const permission of ['default', 'denied', 'unsupported'] as const) {
      expect(alertsFor(msg(), ctx({ visible: false, permission })).notify).toBe(false);
    }
  });

  it('treats a chat not listed yet (someone just started it) as not muted', () => {
    expect(alertsFor(msg(), ctx({ visible: false, chat: undefined }))).toEqual({ sound: true, notify: true });
  });
});

describe('what a notification says', () => {
  it("is the sender's name and the first line", () => {
    expect(notificationText(msg({ text: '\nLunch at 12?\nor later' }), direct())).toEqual({ title: 'Ada', body: 'Lunch at 12?' });
  });

  it('names the group after the sender', () => {
    expect(notificationText(msg({ sender: 'bo' }), group)).toEqual({ title: 'Bo · Rowing club', body: 'Lunch?' });
  });

  it('says "📷 Photo" for an image without a caption, and keeps a caption', () => {
    expect(notificationText(msg({ messageType: 'image', text: '' }), direct()).body).toBe('📷 Photo');
    expect(notificationText(msg({ messageType: 'image', text: 'the view' }), direct()).body).toBe('the view');
  });

  it('cuts a long line to 140 characters', () => {
    const body = notificationText(msg({ text: 'x'.repeat(300) }), direct()).body;
    expect(body).toHaveLength(140);
    expect(body.endsWith('…')).toBe(true);
  });
});
