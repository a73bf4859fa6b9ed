import { useCallback } from 'react';
import { newClientId } from '../../../lib/clientId';
import { useMessagesContext } from './MessagesProvider';

/** Queues a message (shown at once as pending) and hands it to the outbox sender. */
export function useSendMessage(chatId: string) {
  const { store, sender, meId } = useMessagesContext();

  const send = useCallback(
    (text: string, image?: File, replyTo?: string, mentions?: string[]) => {
      const clientId = newClientId();
      store.dispatch({
        type: 'queued',
        outgoing: {
          clientId,
          chatId,
          senderId: meId,
          text,
          image: image ? { file: image, previewUrl: URL.createObjectURL(image) } : undefined,
          createdAt: new Date().toISOString(),
          replyTo,
          mentions,
        },
      });
      sender.enqueue(clientId);
    },
    [chatId, meId, sender, store],
  );

  const retry = useCallback((clientId: string) => sender.enqueue(clientId), [sender]);
  const discard = useCallback((clientId: string) => store.dispatch({ type: 'discarded', clientId }), [store]);

  return { send, retry, discard };
}
