import { useEffect, useRef } from 'react';
import { viewingOf } from '../model/viewing';

/**
 * The page's half of the service worker's messages:
 * - `{ type: 'open-chat', chatId }`: a notification was clicked; open that chat.
 * - `{ type: 'viewing?' }` with a port: before showing a push, the worker asks what this
 *   window shows (its `Client.url` does not follow in-app navigation); the answer goes
 *   back on the port.
 */
export function useServiceWorkerBridge(onOpen: (chatId: string) => void): void {
  const ref = useRef(onOpen);
  useEffect(() => {
    ref.current = onOpen;
  });
  useEffect(() => {
    if (!('serviceWorker' in navigator)) return;
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: unknown; chatId?: unknown } | null;
      if (data?.type === 'open-chat' && typeof data.chatId === 'string') ref.current(data.chatId);
      // Read from the page when asked, not from the last render: the question can come
      // between a navigation and its render (a notification click opens the chat, and
      // a push for it arrives at once).
      if (data?.type === 'viewing?') event.ports[0]?.postMessage(viewingOf(window.location.pathname, document.visibilityState));
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    return () => navigator.serviceWorker.removeEventListener('message', onMessage);
  }, []);
}
