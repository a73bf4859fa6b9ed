import { useCallback } from 'react';
import { ApiError } from '../../../lib/api';
import type { Message } from '../../../lib/wire';
import { deleteMessage, editMessage, setReaction } from '../api/messagesApi';
import { useMessagesContext } from './MessagesProvider';

/** Edits, deletes and reactions: the server's answer goes into the timeline at once. */
export function useMessageChanges(onError: (message: string) => void) {
  const { store } = useMessagesContext();

  const apply = useCallback(
    async (change: () => Promise<{ message: Message }>, failed: string): Promise<boolean> => {
      try {
        const { message } = await change();
        store.dispatch({ type: 'received', message });
        return true;
      } catch (error) {
        onError(error instanceof ApiError ? error.message : failed);
        return false;
      }
    },
    [onError, store],
  );

  const edit = useCallback(
    (message: Message, text: string) => apply(() => editMessage(message._id, text), 'The message could not be edited.'),
    [apply],
  );
  const remove = useCallback(
    (message: Message) => apply(() => deleteMessage(message._id), 'The message could not be deleted.'),
    [apply],
  );
  const react = useCallback(
    (message: Message, emoji: string, on: boolean) =>
      apply(() => setReaction(message._id, emoji, on), 'The reaction could not be saved.'),
    [apply],
  );
  return { edit, remove, react };
}
