import { useCallback, useEffect, useRef } from 'react';
import { emit, SocketEvent } from '../../../lib/socket';

const REFRESH_MS = 2000;
const IDLE_MS = 2000;

/**
 * Emits `typing` at most every 2 s while keys are being pressed, and `stopTyping` after
 * 2 s without a keystroke, on send, or when the chat closes.
 */
export function useTypingEmitter(chatId: string) {
  const lastSent = useRef(0);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const active = useRef(false);

  const stopTyping = useCallback(() => {
    clearTimeout(idleTimer.current);
    if (!active.current) return;
    active.current = false;
    lastSent.current = 0;
    emit(SocketEvent.stopTyping, { chatId });
  }, [chatId]);

  const notifyTyping = useCallback(() => {
    const now = Date.now();
    if (!active.current || now - lastSent.current >= REFRESH_MS) {
      emit(SocketEvent.typing, { chatId });
      lastSent.current = now;
      active.current = true;
    }
    clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(stopTyping, IDLE_MS);
  }, [chatId, stopTyping]);

  useEffect(() => stopTyping, [stopTyping]);

  return { notifyTyping, stopTyping };
}
