import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ChatListItem } from '../../../lib/wire';
import { renderAt } from '../../../test/render';
import { ChatRow } from './ChatRow';

const ME = 'me';

function item(latest: ChatListItem['chat']['latestMessage'], unseenCount = 0, updatedAt = ''): ChatListItem {
  return {
    user: { _id: 'grace', name: 'Grace Hopper', email: 'grace@example.com', createdAt: '', updatedAt: '', lastSeen: null },
    members: [],
    chat: {
      _id: 'c1',
      users: [ME, 'grace'],
      latestMessage: latest,
      unseenCount,
      createdAt: '',
      updatedAt,
      isGroup: false,
      name: null,
      lastReadSeq: 0,
      owner: null,
      mentionCount: 0,
      admins: [],
      lastSeq: 4,
    },
  };
}

const row = (i: ChatListItem, online = false) =>
  renderAt(<ChatRow item={i} meId={ME} online={online} typing={false} active={false} />);

describe('ChatRow', () => {
  it('prefixes my own latest message with "You: "', () => {
    row(item({ text: 'see you at 5', sender: ME, deleted: false }));
    expect(screen.getByTestId('chat-preview')).toHaveTextContent(/^You: see you at 5$/);
  });

  it('says a deleted latest message was deleted, whatever it carried', () => {
    row(item({ text: '', sender: 'grace', deleted: true }));
    expect(screen.getByTestId('chat-preview')).toHaveTextContent(/^Message deleted$/);
  });

  it("shows the other member's latest message without a prefix", () => {
    row(item({ text: 'on my way', sender: 'grace', deleted: false }));
    expect(screen.getByTestId('chat-preview')).toHaveTextContent(/^on my way$/);
  });

  it('shows the unseen count in a badge, and no badge at zero', () => {
    const { unmount } = row(item({ text: 'ping', sender: 'grace', deleted: false }, 3));
    expect(screen.getByTestId('unseen-badge')).toHaveTextContent('3');
    expect(screen.getByLabelText('3 unread')).toBeInTheDocument();
    unmount();
    row(item({ text: 'ping', sender: 'grace', deleted: false }, 0));
    expect(screen.queryByTestId('unseen-badge')).not.toBeInTheDocument();
  });

  it('never shows a badge on the chat being read, even if the cached count is stale', () => {
    renderAt(<ChatRow item={item({ text: 'ping', sender: 'grace', deleted: false }, 2)} meId={ME} online={false} typing={false} active />);
    expect(screen.queryByTestId('unseen-badge')).not.toBeInTheDocument();
  });

  it("shows when the latest message came, shortly, with the whole date on hover", () => {
    const today = new Date();
    today.setHours(9, 5, 0, 0);
    const { unmount } = row(item({ text: 'ping', sender: 'grace', deleted: false }, 0, today.toISOString()));
    const time = screen.getByTestId('chat-time');
    expect(time).toHaveTextContent(/^09:05$/);
    expect(time).toHaveAttribute('dateTime', today.toISOString());
    expect(time.getAttribute('title')).toMatch(/ at 09:05$/);
    unmount();
    const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1, 22, 0);
    row(item({ text: 'ping', sender: 'grace', deleted: false }, 0, yesterday.toISOString()));
    expect(screen.getByTestId('chat-time')).toHaveTextContent('Yesterday');
  });

  it('shows no time for a chat without messages', () => {
    row(item(null, 0, new Date().toISOString()));
    expect(screen.queryByTestId('chat-time')).not.toBeInTheDocument();
  });

  it('links to the chat and shows presence', () => {
    row(item(null), true);
    expect(screen.getByRole('link')).toHaveAttribute('href', '/chat/c1');
    expect(screen.getByTestId('online-dot')).toHaveAttribute('data-online', 'true');
    expect(screen.getByTestId('chat-preview')).toHaveTextContent('No messages yet');
  });

  it('marks a muted chat with an icon and keeps counting its unread, in grey', () => {
    const muted = item({ text: 'ping', sender: 'grace', deleted: false }, 2);
    row({ ...muted, chat: { ...muted.chat, muted: true } });
    expect(screen.getByRole('img', { name: 'muted' })).toBeInTheDocument();
    expect(screen.getByTestId('unseen-badge')).toHaveTextContent('2');
    expect(screen.getByTestId('unseen-badge')).toHaveAttribute('data-muted', 'true');
  });

  it('shows no muted icon for a chat without `muted` (an older server)', () => {
    row(item({ text: 'ping', sender: 'grace', deleted: false }, 1));
    expect(screen.queryByTestId('muted-icon')).not.toBeInTheDocument();
    expect(screen.getByTestId('unseen-badge')).toHaveAttribute('data-muted', 'false');
  });
});
