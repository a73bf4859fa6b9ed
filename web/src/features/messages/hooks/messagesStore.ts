import { initialMessagesState, messagesReducer, type MessagesAction, type MessagesState } from '../model/timeline';

/**
 * A tiny external store around the pure reducer: async code (sends, catch-up) reads the
 * latest state synchronously, and React subscribes with useSyncExternalStore.
 */
export interface MessagesStore {
  getState: () => MessagesState;
  dispatch: (action: MessagesAction) => void;
  subscribe: (listener: () => void) => () => void;
}

export function createMessagesStore(initial: MessagesState = initialMessagesState): MessagesStore {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch: (action) => {
      const next = messagesReducer(state, action);
      if (next === state) return;
      state = next;
      listeners.forEach((l) => l());
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
