import { useEffect, useRef } from 'react';
import { useDocumentVisible } from '../../../lib/useDocumentVisible';
import { markRead } from '../api/messagesApi';
import { useTimeline } from './useTimeline';

/**
 * While a chat is on screen, moves my read marker up to the newest message from the
 * other side, whether it arrived live or through catch-up, so the sender gets the
 * double tick. A hidden tab reads nothing until it is shown again.
 */
export function useReadReceipts(chatId: string, meId: string) {
  const { timeline } = useTimeline(chatId);
  const visible = useDocumentVisible();
  const marked = useRef<{ chatId: string; seq: number }>({ chatId, seq: 0 });

  let newestFromOthers = 0;
  for (const m of timeline?.messages ?? []) if (m.sender !== meId && m.seq > newestFromOthers) newestFromOthers = m.seq;

  useEffect(() => {
    if (marked.current.chatId !== chatId) marked.current = { chatId, seq: 0 };
    if (!visible || newestFromOthers <= marked.current.seq) return;
    marked.current.seq = newestFromOthers;
    markRead(chatId, newestFromOthers).catch(() => {
      // Let the next message (or the next open) try again.
      if (marked.current.chatId === chatId) marked.current.seq = 0;
    });
  }, [chatId, newestFromOthers, visible]);
}
