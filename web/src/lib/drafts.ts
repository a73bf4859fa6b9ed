/**
 * Half-written messages, one per user and chat, in localStorage so they survive a
 * reload and a switch of chats. Cleared on send, and all of a browser's drafts on
 * logout (the next person at this browser must not read them).
 */

const PREFIX = 'natter.draft.';

function key(userId: string, chatId: string): string {
  return `${PREFIX}${userId}.${chatId}`;
}

/** Storage can be missing or refuse (private mode, quota): drafts are then only in memory. */
function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function loadDraft(userId: string, chatId: string): string {
  try {
    return storage()?.getItem(key(userId, chatId)) ?? '';
  } catch {
    return '';
  }
}

/** Saves `text`, or forgets the draft when it is blank. */
export function saveDraft(userId: string, chatId: string, text: string): void {
  try {
    const s = storage();
    if (!s) return;
    if (text.trim()) s.setItem(key(userId, chatId), text);
    else s.removeItem(key(userId, chatId));
  } catch {
    // Full or refused: the draft lives on in the composer until the page goes.
  }
}

export function clearAllDrafts(): void {
  try {
    const s = storage();
    if (!s) return;
    const keys = Array.from({ length: s.length }, (_, i) => s.key(i)).filter((k): k is string => k?.startsWith(PREFIX) ?? false);
    for (const k of keys) s.removeItem(k);
  } catch {
    // Nothing to clear.
  }
}
