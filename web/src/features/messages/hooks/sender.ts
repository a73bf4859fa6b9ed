import { ApiError } from '../../../lib/api';
import { isSocketConnected, sendMessageWithAck } from '../../../lib/socket';
import type { ApiErrorBody, Message } from '../../../lib/wire';
import { postImageMessage, postTextMessage } from '../api/messagesApi';
import type { Outgoing } from '../model/timeline';
import type { MessagesStore } from './messagesStore';

const MAX_AUTO_ATTEMPTS = 6;
const TRANSIENT_ACK_CODES = new Set(['rate_limited', 'overloaded', 'internal', 'internal_error', 'unavailable', 'timeout']);

function ackError(error: ApiErrorBody): ApiError {
  return new ApiError(error.message, error.code, TRANSIENT_ACK_CODES.has(error.code) ? 503 : 400);
}

/** One attempt over the best path: images go multipart over REST, text over the socket when it is up. */
async function deliver(o: Outgoing): Promise<Message> {
  if (o.image) {
    return (await postImageMessage({ chatId: o.chatId, text: o.text, clientId: o.clientId, image: o.image.file, replyTo: o.replyTo, mentions: o.mentions })).message;
  }
  const body = {
    chatId: o.chatId,
    text: o.text,
    clientId: o.clientId,
    ...(o.replyTo ? { replyTo: o.replyTo } : {}),
    ...(o.mentions?.length ? { mentions: o.mentions } : {}),
  };
  if (isSocketConnected()) {
    const ack = await sendMessageWithAck(body);
    if ('error' in ack) throw ackError(ack.error);
    return ack.message;
  }
  return (await postTextMessage(body)).message;
}

/**
 * Sends the outbox one message at a time, in the order they were written, so the
 * server assigns `seq` in the same order the user typed. Every retry reuses the
 * message's clientId; the server's idempotency makes a resend after a lost answer safe.
 */
export function createSender(store: MessagesStore) {
  let chain: Promise<void> = Promise.resolve();
  const queued = new Set<string>();
  /** Held back while the browser says it is offline: shown as pending, sent on `online`. */
  const waiting = new Set<string>();
  const backoffTimers = new Map<string, ReturnType<typeof setTimeout>>();

  const attempt = async (clientId: string) => {
    queued.delete(clientId);
    const outgoing = store.getState().outbox.find((o) => o.clientId === clientId);
    if (!outgoing) return; // already confirmed (e.g. seen in newMessage or catch-up)
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      waiting.add(clientId);
      return;
    }
    waiting.delete(clientId);
    store.dispatch({ type: 'sendStarted', clientId });
    try {
      const message = await deliver(outgoing);
      store.dispatch({ type: 'sendSucceeded', clientId, message });
    } catch (error) {
      const retryable = !(error instanceof ApiError) || error.isTransient;
      const text = error instanceof ApiError ? error.message : 'Not delivered yet.';
      store.dispatch({ type: 'sendFailed', clientId, error: text, retryable });
      const attempts = outgoing.attempts + 1;
      if (retryable && attempts < MAX_AUTO_ATTEMPTS) {
        const delay = Math.min(30_000, 1000 * 2 ** attempts);
        backoffTimers.set(clientId, setTimeout(() => enqueue(clientId), delay));
      }
    }
  };

  function enqueue(clientId: string) {
    clearTimeout(backoffTimers.get(clientId));
    backoffTimers.delete(clientId);
    if (queued.has(clientId)) return;
    queued.add(clientId);
    chain = chain.then(() => attempt(clientId));
  }

  return {
    enqueue,
    /** After a reconnect or the browser coming back online: resend everything still owed. */
    retryAll() {
      for (const o of store.getState().outbox) if ((o.status === 'failed' && o.retryable) || waiting.has(o.clientId)) enqueue(o.clientId);
    },
    dispose() {
      backoffTimers.forEach((t) => clearTimeout(t));
      backoffTimers.clear();
    },
  };
}

export type Sender = ReturnType<typeof createSender>;
