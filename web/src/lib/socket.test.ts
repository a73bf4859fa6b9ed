import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// socket.io-client is the boundary: a fake socket whose handshake the test refuses.
const fake = vi.hoisted(() => {
  const handlers = new Map<string, ((...a: unknown[]) => void)[]>();
  const socket = {
    connected: false,
    active: false,
    connect: vi.fn(),
    disconnect: vi.fn(),
    on(event: string, fn: (...a: unknown[]) => void) {
      handlers.set(event, [...(handlers.get(event) ?? []), fn]);
      return socket;
    },
    off: vi.fn(),
    fire(event: string, ...args: unknown[]) {
      for (const fn of handlers.get(event) ?? []) fn(...args);
    },
  };
  return socket;
});
vi.mock('socket.io-client', () => ({ io: () => fake }));

import { connectionState, connectSocket, disconnectSocket } from './socket';

describe('a refused handshake', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    fake.connect.mockClear();
    connectSocket();
    fake.connect.mockClear();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is tried again after a pause when the server could not check the session', () => {
    fake.fire('connect_error', new Error('unavailable'));
    vi.advanceTimersByTime(400);
    expect(fake.connect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(700);
    expect(fake.connect).toHaveBeenCalledTimes(1);
    // Refused again: the pause grows (1 s, then 2 s, each halved at most by jitter).
    fake.fire('connect_error', new Error('unavailable'));
    vi.advanceTimersByTime(900);
    expect(fake.connect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1200);
    expect(fake.connect).toHaveBeenCalledTimes(2);
  });

  it('is not tried again when the session is gone', () => {
    fake.fire('connect_error', new Error('unauthorized'));
    vi.advanceTimersByTime(60_000);
    expect(fake.connect).not.toHaveBeenCalled();
  });
});

describe('a socket the server closed', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    connectSocket();
    fake.connect.mockClear();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  // A logout in another tab disconnects this session's sockets: without a new handshake
  // (refused "unauthorized", so the tab goes to the login screen) it said "Reconnecting…" forever.
  it('is handshaken again, since socket.io-client does not after "io server disconnect"', () => {
    fake.fire('disconnect', 'io server disconnect');
    vi.advanceTimersByTime(1_600);
    expect(fake.connect).toHaveBeenCalledTimes(1);
  });

  it('is not reopened after our own logout', () => {
    disconnectSocket();
    fake.fire('disconnect', 'io server disconnect');
    vi.advanceTimersByTime(5_000);
    expect(fake.connect).not.toHaveBeenCalled();
  });
});

describe('connectionState', () => {
  it('says offline as soon as the browser does, whatever the socket still believes', () => {
    expect(connectionState({ browserOnline: false, connected: true, epoch: 1 })).toBe('offline');
  });
  it('says reconnecting once a socket that was up is down', () => {
    expect(connectionState({ browserOnline: true, connected: false, epoch: 1 })).toBe('reconnecting');
    expect(connectionState({ browserOnline: true, connected: false, epoch: 0 })).toBe('connecting');
    expect(connectionState({ browserOnline: true, connected: true, epoch: 3 })).toBe('online');
  });
});
