import { useEffect, useRef } from 'react';

/** The service worker's `notificationclick` focused this window and asks it to open a chat. */
export function useServiceWorkerOpenChat(onOpen: (chatId: string) => void): void {
  const ref = useRef(onOpen);
  useEffect(() => {
    ref.current = onOpen;
  });
  useEffect(() => {
    if (!('serviceWorker' in navigator)) return;
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: unknown; chatId?: unknown } | null;
      if (data?.type === 'open-chat' && typeof data.chatId === 'string') ref.current(data.chatId);
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    return () => navigator.serviceWorker.removeEventListener('message', onMessage);
  }, []);
}
