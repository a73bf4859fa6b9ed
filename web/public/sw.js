/* natter's service worker (plain JS, served at /sw.js with scope /).
 *
 * - Offline shell: navigations are network-first with the cached index.html as the
 *   fallback; hashed /assets/ files are cache-first (they never change); the few other
 *   static files are served from the cache and refreshed behind. The production build
 *   writes the list of files to precache and a version into the two constants below
 *   (see `precacheServiceWorker` in vite.config.ts); in development both stay empty and
 *   the shell is cached as it is fetched: every same-origin GET (Vite's modules are
 *   not hashed files under /assets/) network-first, so the dev server reloads offline
 *   too. API, socket, media and dev paths are never cached.
 * - Web Push: shows the message's notification (tag = chat id, as the tab's own
 *   notifications use, so the two collapse), unless a visible window is viewing it.
 * - A click on a notification focuses a natter window and tells it to open the chat
 *   (`{ type: 'open-chat', chatId }`), or opens a new window at the chat.
 */

const VERSION = 'dev';
const PRECACHE = [];

const CACHE = `natter-shell-${VERSION}`;
const SHELL = ['/', '/index.html'];
const STATIC = ['/favicon.svg', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png', '/icons/badge-96.png'];
const NEVER = ['/api/', '/socket.io/', '/media/', '/dev/'];
const ICON = '/icons/icon-192.png';
const BADGE = '/icons/badge-96.png';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // One missing file must not stop the worker from installing.
      await Promise.all([...SHELL, ...STATIC, ...PRECACHE].map((url) => cache.add(url).catch(() => undefined)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith('natter-shell-') && n !== CACHE).map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER.some((p) => url.pathname.startsWith(p))) return;

  if (request.mode === 'navigate') {
    event.respondWith(networkFirstShell(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
  } else if (STATIC.includes(url.pathname)) {
    event.respondWith(staleWhileRevalidate(request, event));
  } else if (VERSION === 'dev') {
    event.respondWith(networkFirst(request));
  }
});

/** Development only: the module as fetched, or the copy of the last fetch when the network is down. */
async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

async function networkFirstShell(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // Every client route answers with index.html: keep the newest copy for offline.
    if (response.ok && (response.headers.get('content-type') || '').includes('text/html')) {
      await cache.put('/index.html', response.clone());
    }
    return response;
  } catch (error) {
    const cached = (await cache.match('/index.html', { ignoreVary: true })) || (await cache.match('/', { ignoreVary: true }));
    if (cached) return cached;
    throw error;
  }
}

// `ignoreVary`: answers carry `Vary: Origin`, and a module script or stylesheet with
// `crossorigin` is requested with an Origin header that the precache request had not.
async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function staleWhileRevalidate(request, event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreVary: true });
  const refresh = fetch(request)
    .then(async (response) => {
      if (response.ok) await cache.put(request, response.clone());
      return response;
    })
    .catch(() => undefined);
  event.waitUntil(refresh);
  return cached || (await refresh) || Response.error();
}

/** The natter windows, focused or visible first. */
async function windows() {
  return self.clients.matchAll({ type: 'window', includeUncontrolled: true });
}

function chatIdOf(client) {
  const match = new URL(client.url).pathname.match(/^\/chat\/([^/]+)$/);
  return match ? decodeURIComponent(match[1]) : null;
}

/**
 * Asks a window what it shows: `Client.url` does not follow the app's own navigations
 * in Chromium, so the app answers (see `useServiceWorkerBridge`). A window that does
 * not answer in time is judged by its URL and visibility.
 */
function askViewing(client) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), 1500);
    channel.port1.onmessage = (e) => {
      clearTimeout(timer);
      resolve(e.data);
    };
    client.postMessage({ type: 'viewing?' }, [channel.port2]);
  });
}

async function anyWindowViewing(chatId) {
  const answers = await Promise.all(
    (await windows()).map(async (client) => {
      const answer = await askViewing(client);
      if (answer && typeof answer === 'object') return answer.visible === true && answer.chatId === chatId;
      return client.visibilityState === 'visible' && chatIdOf(client) === chatId;
    }),
  );
  return answers.some(Boolean);
}

self.addEventListener('push', (event) => {
  event.waitUntil(
    (async () => {
      let payload = null;
      try {
        payload = event.data ? event.data.json() : null;
      } catch {
        payload = null;
      }
      if (!payload || payload.v !== 1 || payload.type !== 'message' || typeof payload.chatId !== 'string') {
        // userVisibleOnly: a push must show something, even one this version cannot read.
        await self.registration.showNotification('natter', { body: 'You have a new message.', icon: ICON, badge: BADGE, data: { url: '/chat' } });
        return;
      }
      if (await anyWindowViewing(payload.chatId)) return;
      const url = typeof payload.url === 'string' && payload.url.startsWith('/') ? payload.url : `/chat/${encodeURIComponent(payload.chatId)}`;
      await self.registration.showNotification(payload.title || 'natter', {
        body: payload.body || '',
        tag: payload.chatId,
        data: { url, chatId: payload.chatId, messageId: payload.messageId },
        icon: ICON,
        badge: BADGE,
      });
    })(),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const chatId = typeof data.chatId === 'string' ? data.chatId : null;
  const url = typeof data.url === 'string' && data.url.startsWith('/') ? data.url : '/chat';
  event.waitUntil(
    (async () => {
      const all = await windows();
      const client = all.find((c) => c.focused) || all.find((c) => c.visibilityState === 'visible') || all[0];
      if (client) {
        const focused = (await client.focus().catch(() => null)) || client;
        if (chatId) focused.postMessage({ type: 'open-chat', chatId });
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});
