import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useJoinChat } from './useJoinChat';

// The socket is the boundary: what the hook tells the server is what we check.
const socket = vi.hoisted(() => ({ emit: vi.fn<(event: string, chatId: string) => void>() }));
vi.mock('../../../lib/socket', () => ({
  SocketEvent: { joinChat: 'joinChat', leaveChat: 'leaveChat' },
  emit: socket.emit,
  useSocketStatus: () => ({ connected: true, epoch: 1 }),
}));

function setVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('useJoinChat', () => {
  afterEach(() => {
    act(() => setVisibility('visible'));
    socket.emit.mockClear();
  });

  it('leaves the chat while the tab is hidden, so arriving messages are not marked seen, and rejoins when shown', () => {
    const { unmount } = renderHook(() => useJoinChat('c1'));
    expect(socket.emit.mock.calls).toEqual([['joinChat', 'c1']]);
    act(() => setVisibility('hidden'));
    expect(socket.emit.mock.calls).toEqual([['joinChat', 'c1'], ['leaveChat', 'c1']]);
    act(() => setVisibility('visible'));
    expect(socket.emit.mock.calls).toEqual([['joinChat', 'c1'], ['leaveChat', 'c1'], ['joinChat', 'c1']]);
    unmount();
  });

  it('does not join a chat opened in a hidden tab', () => {
    setVisibility('hidden');
    const { unmount } = renderHook(() => useJoinChat('c2'));
    expect(socket.emit).not.toHaveBeenCalled();
    unmount();
  });
});
