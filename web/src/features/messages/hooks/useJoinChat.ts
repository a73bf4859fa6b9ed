import { useEffect } from 'react';
import { emit, SocketEvent, useSocketStatus } from '../../../lib/socket';

/** Tells the server which chat is on screen; re-sent on every (re)connect because rooms die with the old socket. */
export function useJoinChat(chatId: string) {
  const { connected, epoch } = useSocketStatus();
  useEffect(() => {
    if (!connected) return;
    emit(SocketEvent.joinChat, chatId);
    return () => emit(SocketEvent.leaveChat, chatId);
  }, [chatId, connected, epoch]);
}
