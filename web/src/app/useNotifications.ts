import { useCallback, useEffect } from 'react';
import { useMatch, useNavigate } from 'react-router';
import { useChatListLiveUpdates, useChats } from '../features/chats/hooks/useChats';
import { useNotificationPermission } from '../features/notifications/hooks/permission';
import { enablePush } from '../features/notifications/hooks/pushSubscription';
import { useServiceWorkerBridge } from '../features/notifications/hooks/useServiceWorkerBridge';
import { useTabAlerts } from '../features/notifications/hooks/useTabAlerts';
import { useTabBadge } from '../features/notifications/hooks/useTabBadge';
import { totalUnread } from '../features/notifications/model/unread';
import { useSettings } from '../features/profile/hooks/useSettings';
import { useDocumentVisible } from '../lib/useDocumentVisible';

/**
 * Issue 13's in-tab half, for the whole login (on every screen, not only /chat): the
 * chat list kept live, the unread count in the title and favicon, the chime and the
 * browser notification, a notification click opening its chat, telling the service
 * worker which chat is on screen (it shows no push for it), and this device's
 * push subscription sent again on each load (and once the browser allows it) while
 * desktop notifications are on.
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
  useServiceWorkerBridge(openChat);

  const desktop = settings.data?.desktop;
  const permission = useNotificationPermission();
  useEffect(() => {
    if (desktop && permission === 'granted') void enablePush();
  }, [desktop, permission]);
}
