import { deleteDatabase, openDatabase, run } from './idb';
import type { ChatListItem, Message, User } from './wire';

/**
 * What this browser keeps for one user between visits, in IndexedDB (`natter-<userId>`):
 *
 * - `outbox`: messages written here and not confirmed by the server yet (by clientId),
 *   so a reload or a closed tab loses none; they go out again with the same clientId,
 *   which the server dedupes.
 * - `timelines`: the newest messages of each chat seen (at most HISTORY_LIMIT), read
 *   when the network is down.
 * - `meta`: the chat list as last seen.
 *
 * Every call fails quietly to "nothing kept" where IndexedDB is missing or refuses (a
 * private window): the client then works as before, online only.
 */

export const HISTORY_LIMIT = 200;
const VERSION = 1;

/** An unsent message as kept: no object URL (it dies with the page), the image as a Blob. */
export interface StoredOutgoing {
  clientId: string;
  chatId: string;
  senderId: string;
  text: string;
  image?: { file: File };
  createdAt: string;
  replyTo?: string;
  mentions?: string[];
}

export interface StoredTimeline {
  chatId: string;
  messages: Message[];
  /** Older messages exist than those kept. */
  hasMore: boolean;
}

export interface OfflineStore {
  putOutgoing(o: StoredOutgoing): Promise<void>;
  deleteOutgoing(clientId: string): Promise<void>;
  /** Oldest first: the order they were written. */
  outbox(): Promise<StoredOutgoing[]>;
  putTimeline(t: StoredTimeline): Promise<void>;
  timeline(chatId: string): Promise<StoredTimeline | null>;
  putChats(list: ChatListItem[]): Promise<void>;
  chats(): Promise<ChatListItem[] | null>;
}

export const dbName = (userId: string) => `natter-${userId}`;

/** The newest `limit` messages of a timeline as kept, and whether older ones exist. */
export function toStored(chatId: string, messages: Message[], hasMore: boolean, limit = HISTORY_LIMIT): StoredTimeline {
  return { chatId, messages: messages.slice(-limit), hasMore: hasMore || messages.length > limit };
}

export function openOfflineStore(userId: string): OfflineStore {
  let opened: Promise<IDBDatabase> | null = null;
  const db = () =>
    (opened ??= openDatabase(dbName(userId), VERSION, (d) => {
      if (!d.objectStoreNames.contains('outbox')) d.createObjectStore('outbox', { keyPath: 'clientId' });
      if (!d.objectStoreNames.contains('timelines')) d.createObjectStore('timelines', { keyPath: 'chatId' });
      if (!d.objectStoreNames.contains('meta')) d.createObjectStore('meta');
    }));
  const quiet = async <T>(fn: (d: IDBDatabase) => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await fn(await db());
    } catch {
      return fallback;
    }
  };
  return {
    putOutgoing: (o) => quiet((d) => run(d, 'outbox', 'readwrite', (s) => s.put(o)).then(() => undefined), undefined),
    deleteOutgoing: (id) => quiet((d) => run(d, 'outbox', 'readwrite', (s) => s.delete(id)).then(() => undefined), undefined),
    outbox: () =>
      quiet(
        (d) => run(d, 'outbox', 'readonly', (s) => s.getAll() as IDBRequest<StoredOutgoing[]>).then((all) => all.sort((a, b) => a.createdAt.localeCompare(b.createdAt))),
        [],
      ),
    putTimeline: (t) => quiet((d) => run(d, 'timelines', 'readwrite', (s) => s.put(t)).then(() => undefined), undefined),
    timeline: (chatId) => quiet((d) => run(d, 'timelines', 'readonly', (s) => s.get(chatId) as IDBRequest<StoredTimeline | undefined>).then((t) => t ?? null), null),
    putChats: (list) => quiet((d) => run(d, 'meta', 'readwrite', (s) => s.put(list, 'chats')).then(() => undefined), undefined),
    chats: () => quiet((d) => run(d, 'meta', 'readonly', (s) => s.get('chats') as IDBRequest<ChatListItem[] | undefined>).then((l) => l ?? null), null),
  };
}

let current: { userId: string; store: OfflineStore } | null = null;

/** The logged-in user's store, opened once per login (the session shell sets it). */
export function offlineStoreFor(userId: string): OfflineStore {
  if (current?.userId !== userId) current = { userId, store: openOfflineStore(userId) };
  return current.store;
}

/** The store of whoever is logged in here, or null before a login. */
export function currentOfflineStore(): OfflineStore | null {
  return current?.store ?? null;
}

/** Logout: nothing of the old user stays in this browser. */
export async function forgetOfflineStore(userId: string): Promise<void> {
  if (current?.userId === userId) current = null;
  await deleteDatabase(dbName(userId)).catch(() => undefined);
}

const ME_KEY = 'natter.me';

/**
 * Who is logged in here, as /me last said: a reload without network opens the saved
 * chats instead of "Cannot reach the server". Not a credential (the session cookie is);
 * a 401 or a logout forgets it.
 */
export function rememberMe(user: User | null): void {
  try {
    if (user) localStorage.setItem(ME_KEY, JSON.stringify(user));
    else localStorage.removeItem(ME_KEY);
  } catch {
    // Storage refused (a private window): online only.
  }
}

export function rememberedMe(): User | null {
  try {
    const raw = localStorage.getItem(ME_KEY);
    return raw ? (JSON.parse(raw) as User) : null;
  } catch {
    return null;
  }
}
