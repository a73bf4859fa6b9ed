import { useMessagesContext } from './MessagesProvider';

/** `catchUp.all([{chatId, lastSeq}])` after a reconnect, with lastSeq from a fresh /chat/all. */
export function useCatchUp() {
  return useMessagesContext().catchUp;
}
