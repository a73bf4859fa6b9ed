import type { Permission } from '../model/alerts';
import { requestNotificationPermission } from './permission';
import { disablePush, enablePush } from './pushSubscription';

/**
 * Turns desktop notifications on from a click: asks the browser (only if it has not
 * been answered), saves `desktop: true`, and once allowed subscribes this device to
 * Web Push. Returns the permission the browser ended with.
 */
export async function enableDesktopNotifications(saveDesktop: (on: boolean) => Promise<unknown>): Promise<Permission> {
  const permission = typeof Notification === 'undefined' ? 'unsupported' : Notification.permission === 'default' ? await requestNotificationPermission() : Notification.permission;
  await saveDesktop(true);
  if (permission === 'granted') void enablePush();
  return permission;
}

/** Off: saves `desktop: false` and takes this device's push subscription back. */
export async function disableDesktopNotifications(saveDesktop: (on: boolean) => Promise<unknown>): Promise<void> {
  await saveDesktop(false);
  await disablePush();
}
