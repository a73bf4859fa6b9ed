import { useEffect } from 'react';
import { emit, SocketEvent, useSocketStatus } from '../../../lib/socket';
import { useDocumentVisible } from '../../../lib/useDocumentVisible';

/**
 * Tells the server which chat is on screen; re-sent on every (re)connect because rooms
 * die with the old socket. A hidden tab is not viewing: it leaves the chat, so the
 * server does not mark arriving messages seen for someone who is not looking.
 */
export function useJoinChat(chatId: string) {
  const { connected, epoch } = useSocketStatus();
  const visible = useDocumentVisible();
  useEffect(() => {
    if (!connected || !visible) return;
    emit(SocketEvent.joinChat, chatId);
    return () => emit(SocketEvent.leaveChat, chatId);
  }, [chatId, connected, epoch, visible]);
}
