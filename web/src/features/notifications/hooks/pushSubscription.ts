import { useSyncExternalStore } from 'react';
import { ApiError } from '../../../lib/api';
import type { PushSubscriptionRequest } from '../../../lib/wire';
import { deletePushSubscription, fetchPushKey, savePushSubscription } from '../api/pushApi';
import { base64UrlToBytes } from '../model/base64url';

/**
 * This device's Web Push subscription: made when desktop notifications are on and the
 * browser allows them, handed to the server (`POST /push/subscriptions`), taken back
 * when they are turned off or on logout. Where no push service is reachable (the
 * browser's vendor service, or a server without push) it fails softly: notifications
 * still come while a natter tab is open, and the settings page says why.
 */

export type PushStatus =
  | { state: 'unsupported' }
  | { state: 'off' }
  | { state: 'working' }
  | { state: 'on' }
  | { state: 'failed'; reason: string };

let status: PushStatus = pushSupported() ? { state: 'off' } : { state: 'unsupported' };
const listeners = new Set<() => void>();

function set(next: PushStatus): PushStatus {
  status = next;
  listeners.forEach((l) => l());
  return next;
}

export function pushSupported(): boolean {
  return typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof PushManager !== 'undefined';
}

export function usePushStatus(): PushStatus {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => status,
    () => status,
  );
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took too long`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function sameKey(subscription: PushSubscription, key: Uint8Array): boolean {
  const current = subscription.options.applicationServerKey;
  if (!current) return false;
  const bytes = new Uint8Array(current);
  return bytes.length === key.length && bytes.every((b, i) => b === key[i]);
}

let inFlight: Promise<PushStatus> | null = null;

/** Subscribes this device (or re-sends its existing subscription) and tells the server. */
export function enablePush(): Promise<PushStatus> {
  if (!pushSupported()) return Promise.resolve(set({ state: 'unsupported' }));
  inFlight ??= subscribe().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

async function subscribe(): Promise<PushStatus> {
  set({ state: 'working' });
  try {
    const registration = await within(navigator.serviceWorker.ready, 10_000, 'Starting the service worker');
    const key = base64UrlToBytes((await fetchPushKey()).publicKey);
    let subscription = await registration.pushManager.getSubscription();
    if (subscription && !sameKey(subscription, key)) {
      // The server's key changed: a subscription for the old one cannot be pushed to.
      await deletePushSubscription({ endpoint: subscription.endpoint }).catch(() => undefined);
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription ??= await within(
      registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }),
      15_000,
      'Reaching the push service',
    );
    await savePushSubscription(subscription.toJSON() as PushSubscriptionRequest);
    return set({ state: 'on' });
  } catch (error) {
    return set({ state: 'failed', reason: failureReason(error) });
  }
}

function failureReason(error: unknown): string {
  if (error instanceof ApiError) {
    return error.status === 404 ? 'This server does not send push notifications.' : `The server refused: ${error.message}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `This browser could not reach its push service (${message}).`;
}

/** Takes this device's subscription back: from the server first (that needs the session), then from the browser. */
export async function disablePush(): Promise<void> {
  if (!pushSupported()) return;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    const subscription = await registration?.pushManager.getSubscription();
    if (subscription) {
      await deletePushSubscription({ endpoint: subscription.endpoint }).catch(() => undefined);
      await subscription.unsubscribe();
    }
  } catch {
    // Nothing to take back, or the browser refused: the server drops dead endpoints on 404/410.
  }
  set({ state: 'off' });
}
