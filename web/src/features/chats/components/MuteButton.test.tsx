import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useQuery } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import { queryKeys } from '../../../lib/queryKeys';
import type { ChatListItem } from '../../../lib/wire';
import { renderAt, stubFetch } from '../../../test/render';
import { MuteButton } from './MuteButton';

const item: ChatListItem = {
  user: { _id: 'ada', name: 'Ada', email: '', createdAt: '', updatedAt: '', lastSeen: null },
  members: [],
  chat: { _id: 'c1', users: ['me', 'ada'], latestMessage: null, unseenCount: 0, mentionCount: 0, createdAt: '', updatedAt: '', isGroup: false, name: null, owner: null, admins: [], lastSeq: 0, lastReadSeq: 0 },
};

/** The button as the header shows it: with its chat as the cached list has it. */
function Harness({ onError }: { onError: (m: string) => void }) {
  const list = useQuery({ queryKey: queryKeys.chats, queryFn: async () => [item], initialData: [item], staleTime: Infinity });
  return <MuteButton item={list.data[0] ?? item} onError={onError} />;
}

function setup(status: number) {
  const { calls } = stubFetch({ 'PUT /api/v1/chat/c1/mute': () => ({ status }), 'DELETE /api/v1/chat/c1/mute': () => ({ status }) });
  const onError = vi.fn();
  const view = renderAt(<Harness onError={onError} />);
  const read = () => view.queryClient.getQueryData<ChatListItem[]>(queryKeys.chats);
  return { calls, onError, read };
}

describe('MuteButton', () => {
  it('mutes with PUT and shows it at once in the cached list', async () => {
    const { calls, read } = setup(204);
    await userEvent.click(screen.getByRole('button', { name: 'Mute chat' }));
    await waitFor(() => expect(calls.map((c) => c.key)).toEqual(['PUT /api/v1/chat/c1/mute']));
    expect(read()?.[0]?.chat.muted).toBe(true);
    expect(screen.getByRole('button', { name: 'Unmute chat' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('goes back and says so when the server refuses', async () => {
    const { read, onError } = setup(500);
    await userEvent.click(screen.getByRole('button', { name: 'Mute chat' }));
    await waitFor(() => expect(onError).toHaveBeenCalledWith('Could not mute this chat.'));
    expect(read()?.[0]?.chat.muted).toBe(false);
  });
});
