/**
 * Registers `/sw.js` (scope `/`): the offline shell and Web Push. After the page has
 * loaded, so the worker's precache does not compete with the app's own first fetches.
 * A browser without service workers (or one that refuses, as in a private window) runs
 * natter as before, without offline or push.
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  const register = () => void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
