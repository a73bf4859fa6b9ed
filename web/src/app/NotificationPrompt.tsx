import { EnableNotificationsBanner } from '../features/notifications/components/EnableNotificationsBanner';
import { enableDesktopNotifications } from '../features/notifications/hooks/enableDesktop';
import { useNotificationPermission } from '../features/notifications/hooks/permission';
import { usePromptDismissed } from '../features/notifications/hooks/usePromptDismissed';
import { useSettings, useUpdateSettings } from '../features/profile/hooks/useSettings';

/**
 * "Get notified of new messages — Enable" above the chat list, while the browser has not
 * been asked yet and desktop notifications are wanted; gone once answered or dismissed.
 */
export function NotificationPrompt() {
  const permission = useNotificationPermission();
  const settings = useSettings();
  const update = useUpdateSettings();
  const [dismissed, dismiss] = usePromptDismissed();
  if (permission !== 'default' || dismissed || settings.data?.desktop !== true) return null;
  return (
    <EnableNotificationsBanner
      onEnable={() => enableDesktopNotifications((on) => update.mutateAsync({ desktop: on })).catch(() => undefined)}
      onDismiss={dismiss}
    />
  );
}
