import { useMemo, useSyncExternalStore } from 'react';
import { selectItems } from '../model/timeline';
import { useMessagesContext } from './MessagesProvider';

/** The items of one chat pane, re-rendered only when the message state changes. */
export function useTimeline(chatId: string) {
  const { store } = useMessagesContext();
  const state = useSyncExternalStore(store.subscribe, store.getState, store.getState);
  const items = useMemo(() => selectItems(state, chatId), [state, chatId]);
  return { items, timeline: state.timelines[chatId] };
}
