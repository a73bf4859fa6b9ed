import { useEffect, useRef } from 'react';

export interface Viewing {
  chatId: string | null;
  visible: boolean;
}

/**
 * The page's half of the service worker's messages:
 * - `{ type: 'open-chat', chatId }`: a notification was clicked; open that chat.
 * - `{ type: 'viewing?' }` with a port: before showing a push, the worker asks what this
 *   window shows (its `Client.url` does not follow in-app navigation); the answer goes
 *   back on the port.
 */
export function useServiceWorkerBridge(onOpen: (chatId: string) => void, viewing: Viewing): void {
  const ref = useRef({ onOpen, viewing });
  useEffect(() => {
    ref.current = { onOpen, viewing };
  });
  useEffect(() => {
    if (!('serviceWorker' in navigator)) return;
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: unknown; chatId?: unknown } | null;
      if (data?.type === 'open-chat' && typeof data.chatId === 'string') ref.current.onOpen(data.chatId);
      if (data?.type === 'viewing?') event.ports[0]?.postMessage(ref.current.viewing);
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    return () => navigator.serviceWorker.removeEventListener('message', onMessage);
  }, []);
}
