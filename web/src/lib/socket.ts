import { useEffect, useRef, useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';
import { createCallBatch } from './callBatch';
import { SocketEvent, type ClientToServerEvents, type SendMessageAck, type SendMessageRequest, type ServerToClientEvents } from './wire';

/**
 * The one module that owns the Socket.IO connection. Features never call `io()`; they
 * use the event-name constants (`SocketEvent`, generated from the server's), `useSocketEvent`,
 * `emit` and `sendMessageWithAck` below.
 */

export { SocketEvent };

export type NatterSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type ServerEvent = keyof ServerToClientEvents;

let socket: NatterSocket | null = null;
/** Bumped on every successful connect after the first: features catch up on it. */
let connectionEpoch = 0;
/** disconnectSocket() was called (logout): nothing reconnects until connectSocket(). */
let closedByUs = false;
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

function getSocket(): NatterSocket {
  if (!socket) {
    // Same origin: the HttpOnly session cookie rides along with the handshake.
    socket = io({ withCredentials: true, transports: ['websocket', 'polling'], autoConnect: false });
    socket.on('connect', () => {
      connectionEpoch += 1;
      notify();
    });
    socket.on('disconnect', (reason) => {
      notify();
      // The server closed this socket on purpose: a logout elsewhere (it disconnects the
      // session's sockets) or a fan-out that fell behind. socket.io-client does not
      // reconnect after that by itself; a fresh handshake either succeeds (catch up) or
      // is refused "unauthorized", which sends the tab to the login screen.
      if (reason === 'io server disconnect') {
        setTimeout(() => {
          if (socket && !socket.connected && !socket.active && !closedByUs) socket.connect();
        }, 500 + Math.random() * 1_000);
      }
    });
    // A handshake refused because the server could not check the session now (its
    // store is slow or down) is not retried by socket.io-client, whose own retries
    // cover only the transport: try again after a pause that grows, with jitter.
    let refusedInARow = 0;
    socket.on('connect', () => {
      refusedInARow = 0;
    });
    socket.on('connect_error', (err) => {
      if (err.message !== 'unavailable') return;
      refusedInARow += 1;
      const pause = Math.min(30_000, 1_000 * 2 ** Math.min(refusedInARow - 1, 5)) * (0.5 + Math.random() / 2);
      setTimeout(() => {
        if (socket && !socket.connected && !socket.active) socket.connect();
      }, pause);
    });
  }
  return socket;
}

/** Opens the connection once the user is known to be logged in. */
export function connectSocket(): void {
  const s = getSocket();
  closedByUs = false;
  if (!s.connected) s.connect();
}

/**
 * Closes the connection on logout. The instance (and the features' listeners on it) is
 * kept: the next login reconnects it with a fresh handshake carrying the new cookie.
 */
export function disconnectSocket(): void {
  if (!socket) return;
  closedByUs = true;
  socket.disconnect();
  connectionEpoch = 0;
  notify();
}

export function isSocketConnected(): boolean {
  return socket?.connected ?? false;
}

/** The browser's own view of the network: `offline` fires at once, the socket notices a lost network only by its ping (up to 20 s). */
function browserOnline(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false;
}

export type ConnectionState = 'online' | 'offline' | 'reconnecting' | 'connecting';

/**
 * What the connection bar says: the browser being offline wins (it knows first), then
 * a socket that was up and is not (reconnecting); before the first connect, nothing to
 * say unless the browser is offline.
 */
export function connectionState(s: { browserOnline: boolean; connected: boolean; epoch: number }): ConnectionState {
  if (!s.browserOnline) return 'offline';
  if (s.connected) return 'online';
  return s.epoch > 0 ? 'reconnecting' : 'connecting';
}

function subscribeBrowser(listener: () => void) {
  window.addEventListener('online', listener);
  window.addEventListener('offline', listener);
  return () => {
    window.removeEventListener('online', listener);
    window.removeEventListener('offline', listener);
  };
}

/** The connection as the user should see it: the browser's `online`/`offline` events and the socket's `connect`/`disconnect`. */
export function useConnectionState(): ConnectionState {
  const { connected, epoch } = useSocketStatus();
  const online = useSyncExternalStore(subscribeBrowser, browserOnline, () => true);
  return connectionState({ browserOnline: online, connected, epoch });
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Connection state for React: `connected` and `epoch` (1 after the first connect, 2+
 * after each reconnect). A change of epoch above 1 means events may have been missed.
 */
export function useSocketStatus(): { connected: boolean; epoch: number } {
  const connected = useSyncExternalStore(subscribe, isSocketConnected, () => false);
  const epoch = useSyncExternalStore(subscribe, () => connectionEpoch, () => 0);
  return { connected, epoch };
}

/**
 * Server events reach the features once per animation frame, all that arrived since the
 * last one, in arrival order. Each event comes in its own task, and each would otherwise
 * cost a whole React render and layout of the open chat (a burst of 200 messages: 200
 * renders); handled in one task, React renders them once. A hidden tab gets no frames:
 * its events are handled as they come, and what is queued runs as the tab hides.
 */
const serverEvents = createCallBatch((run) => {
  if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(run);
  else run();
});
if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') serverEvents.flush();
  });
}

/** Subscribes to a server event for the lifetime of the component; the handler may change freely. */
export function useSocketEvent<E extends ServerEvent>(event: E, handler: ServerToClientEvents[E]): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    const s = getSocket();
    // The handler current when the batch runs (the component may have re-rendered since),
    // and none once the component is gone, as if it had unsubscribed before the event.
    let subscribed = true;
    const run = (args: unknown[]) => subscribed && (ref.current as (...a: unknown[]) => void)(...args);
    const fn = ((...args: unknown[]) => serverEvents.push(() => run(args))) as never;
    s.on(event, fn);
    return () => {
      subscribed = false;
      s.off(event, fn);
    };
  }, [event]);
}

type SimpleClientEvent = Exclude<keyof ClientToServerEvents, 'sendMessage'>;

/** Fire-and-forget emit. Dropped while disconnected: socket.io would otherwise buffer stale typing signals. */
export function emit<E extends SimpleClientEvent>(event: E, ...args: Parameters<ClientToServerEvents[E]>): void {
  const s = getSocket();
  if (!s.connected) return;
  (s.emit as (e: string, ...a: unknown[]) => void)(event, ...args);
}

/** Sends over the socket and waits for the post-commit ack (rejects on timeout). */
export async function sendMessageWithAck(payload: SendMessageRequest, timeoutMs = 10_000): Promise<SendMessageAck> {
  const s = getSocket();
  return s.timeout(timeoutMs).emitWithAck(SocketEvent.sendMessage, payload);
}

/** The server refused the handshake (`connect_error` "unauthorized"): the session is gone. */
export function useSocketUnauthorized(handler: () => void): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    const s = getSocket();
    const fn = (err: Error) => {
      if (err.message === 'unauthorized') ref.current();
    };
    s.on('connect_error', fn);
    return () => {
      s.off('connect_error', fn);
    };
  }, []);
}
