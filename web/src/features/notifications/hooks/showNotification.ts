import type { NotificationText } from '../model/alerts';

export const NOTIFICATION_ICON = '/icons/icon-192.png';
export const NOTIFICATION_BADGE = '/icons/badge-96.png';

/**
 * Shows a tab notification for a chat. Through the service worker when there is one
 * (its `notificationclick` opens the chat; Android allows no other way), else with
 * `new Notification`. The tag is the chat id, as the push's is: the browser shows one
 * notification per chat, and a push and a tab notification for the same message
 * collapse into one.
 */
export async function showChatNotification(text: NotificationText, chatId: string, onClick: () => void): Promise<void> {
  const url = `/chat/${chatId}`;
  const options: NotificationOptions = { body: text.body, tag: chatId, data: { url, chatId }, icon: NOTIFICATION_ICON, badge: NOTIFICATION_BADGE };
  const registration = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration() : undefined;
  if (registration?.active) {
    await registration.showNotification(text.title, options);
    return;
  }
  const notification = new Notification(text.title, options);
  notification.onclick = () => {
    window.focus();
    onClick();
    notification.close();
  };
}
