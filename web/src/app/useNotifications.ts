import { useCallback, useEffect } from 'react';
import { useMatch, useNavigate } from 'react-router';
import { useChatListLiveUpdates, useChats } from '../features/chats/hooks/useChats';
import { notificationPermission } from '../features/notifications/hooks/permission';
import { enablePush } from '../features/notifications/hooks/pushSubscription';
import { useServiceWorkerOpenChat } from '../features/notifications/hooks/useServiceWorkerOpenChat';
import { useTabAlerts } from '../features/notifications/hooks/useTabAlerts';
import { useTabBadge } from '../features/notifications/hooks/useTabBadge';
import { totalUnread } from '../features/notifications/model/unread';
import { useSettings } from '../features/profile/hooks/useSettings';
import { useDocumentVisible } from '../lib/useDocumentVisible';

/**
 * Issue 13's in-tab half, for the whole login (on every screen, not only /chat): the
 * chat list kept live, the unread count in the title and favicon, the chime and the
 * browser notification, a notification click opening its chat, and this device's
 * push subscription sent again on each load while desktop notifications are on.
 */
export function useNotifications(meId: string) {
  const match = useMatch('/chat/:chatId');
  const activeChatId = match?.params.chatId ?? null;
  const visible = useDocumentVisible();
  const chats = useChats();
  const settings = useSettings();
  const navigate = useNavigate();
  const openChat = useCallback((chatId: string) => navigate(`/chat/${encodeURIComponent(chatId)}`), [navigate]);

  useChatListLiveUpdates(meId, activeChatId);
  const { arrivedWhileHidden } = useTabAlerts({ meId, activeChatId, visible, chats: chats.data, settings: settings.data, onOpenChat: openChat });
  useTabBadge(totalUnread(chats.data, { activeChatId, visible, arrivedWhileHidden }));
  useServiceWorkerOpenChat(openChat);

  const desktop = settings.data?.desktop;
  useEffect(() => {
    if (desktop && notificationPermission() === 'granted') void enablePush();
  }, [desktop]);
}
