import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Message } from './wire';
import { forgetOfflineStore, openOfflineStore, toStored } from './offlineStore';

const msg = (seq: number): Message => ({
  _id: `m-${seq}`, chatId: 'c1', sender: 'them', text: `message ${seq}`, messageType: 'text', seen: false, seenAt: null,
  createdAt: '2026-11-25T18:00:00.000Z', updatedAt: '2026-11-25T18:00:00.000Z', clientId: `c-${seq}`, replyTo: null,
  editedAt: null, deletedAt: null, reactions: [], seenBy: [], mentions: [], seq,
});

describe('the offline store', () => {
  it('keeps unsent messages across a reopen (a reload), oldest first, until deleted', async () => {
    const a = openOfflineStore('u1');
    await a.putOutgoing({ clientId: 'k2', chatId: 'c1', senderId: 'u1', text: 'second', createdAt: '2026-11-25T18:00:02.000Z' });
    await a.putOutgoing({ clientId: 'k1', chatId: 'c1', senderId: 'u1', text: 'first', createdAt: '2026-11-25T18:00:01.000Z' });
    const reloaded = openOfflineStore('u1');
    expect((await reloaded.outbox()).map((o) => o.text)).toEqual(['first', 'second']);
    await reloaded.deleteOutgoing('k1');
    expect((await openOfflineStore('u1').outbox()).map((o) => o.clientId)).toEqual(['k2']);
    // Another user's store is another database.
    expect(await openOfflineStore('u2').outbox()).toEqual([]);
  });

  it('keeps the newest 200 messages of a chat and the chat list; a logout forgets them', async () => {
    const s = openOfflineStore('u3');
    const all = Array.from({ length: 250 }, (_, i) => msg(i + 1));
    await s.putTimeline(toStored('c1', all, false));
    const kept = await openOfflineStore('u3').timeline('c1');
    expect(kept?.messages).toHaveLength(200);
    expect(kept?.messages[0]?.seq).toBe(51);
    expect(kept?.hasMore).toBe(true);
    await s.putChats([]);
    expect(await s.chats()).toEqual([]);
    await forgetOfflineStore('u3');
    expect(await openOfflineStore('u3').timeline('c1')).toBeNull();
  });
});
