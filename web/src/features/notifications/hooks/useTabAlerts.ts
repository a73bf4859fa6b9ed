import { useEffect, useRef, useState } from 'react';
import { SocketEvent, useSocketEvent } from '../../../lib/socket';
import type { ChatListItem, Settings } from '../../../lib/wire';
import { alertsFor, notificationText } from '../model/alerts';
import { playChime, unlockAudioOnGesture } from './chime';
import { notificationPermission } from './permission';
import { showChatNotification } from './showNotification';

export interface TabAlertsOptions {
  meId: string;
  activeChatId: string | null;
  visible: boolean;
  chats: readonly ChatListItem[] | undefined;
  settings: Settings | undefined;
  /** A click on a tab notification (without a service worker) opens the chat. */
  onOpenChat: (chatId: string) => void;
}

/**
 * Sound and browser notification for live messages (see `alertsFor` for which), and
 * the count of messages that reached the open chat while the tab was hidden, for the
 * title. Each message alerts once, however often the socket repeats it.
 */
export function useTabAlerts({ meId, activeChatId, visible, chats, settings, onOpenChat }: TabAlertsOptions): { arrivedWhileHidden: number } {
  const [arrivedWhileHidden, setArrivedWhileHidden] = useState(0);
  const alerted = useRef(new Set<string>());

  useEffect(() => unlockAudioOnGesture(), []);
  useEffect(() => {
    if (visible) setArrivedWhileHidden(0);
  }, [visible, activeChatId]);

  useSocketEvent(SocketEvent.newMessage, (message) => {
    if (alerted.current.has(message._id)) return;
    alerted.current.add(message._id);
    if (alerted.current.size > 500) alerted.current = new Set([...alerted.current].slice(-250));

    const chat = chats?.find((i) => i.chat._id === message.chatId);
    // The page's visibility as it is now, not as the last render saw it: a message that
    // lands right after the tab went to the background (before React re-rendered) must
    // alert too.
    const visible = document.visibilityState === 'visible';
    if (!visible && message.chatId === activeChatId && message.sender !== meId && message.messageType !== 'system') {
      setArrivedWhileHidden((n) => n + 1);
    }
    const alerts = alertsFor(message, { meId, activeChatId, visible, chat, settings, permission: notificationPermission() });
    if (alerts.sound) playChime();
    if (alerts.notify) {
      void showChatNotification(notificationText(message, chat), message.chatId, () => onOpenChat(message.chatId)).catch(() => undefined);
    }
  });

  return { arrivedWhileHidden };
}
