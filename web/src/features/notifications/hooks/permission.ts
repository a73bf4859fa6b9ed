import { useSyncExternalStore } from 'react';
import type { Permission } from '../model/alerts';

/**
 * The browser's notification permission as a small store, so the banner, the settings
 * page and the alerts agree. It is only ever asked for from a button
 * (`requestNotificationPermission`), never on load.
 */

const listeners = new Set<() => void>();
let watching = false;
// Chromium answers `Notification.permission` with a synchronous call to the browser
// process (~2 ms): read on every render and every live message, it cost a burst of
// messages most of its time. It is read again only when it can have changed; the
// cache belongs to the `Notification` it was read from (tests swap it).
let cached: { from: unknown; value: Permission } | null = null;

function readPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export function notificationPermission(): Permission {
  const from = typeof Notification === 'undefined' ? undefined : Notification;
  if (!cached || cached.from !== from) cached = { from, value: readPermission() };
  return cached.value;
}

function notify() {
  cached = null;
  listeners.forEach((l) => l());
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!watching && typeof navigator !== 'undefined' && navigator.permissions?.query) {
    watching = true;
    // The person may change it in the browser's site settings while natter is open.
    navigator.permissions
      .query({ name: 'notifications' })
      .then((status) => status.addEventListener('change', notify))
      .catch(() => undefined);
  }
  return () => listeners.delete(listener);
}

export function useNotificationPermission(): Permission {
  return useSyncExternalStore(subscribe, notificationPermission, () => 'unsupported' as Permission);
}

/** Must run from a user's click: browsers ignore (or penalise) a request made on their own. */
export async function requestNotificationPermission(): Promise<Permission> {
  if (typeof Notification === 'undefined') return 'unsupported';
  try {
    await Notification.requestPermission();
  } finally {
    notify();
  }
  return notificationPermission();
}
