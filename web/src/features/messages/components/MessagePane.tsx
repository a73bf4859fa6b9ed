import { useCallback, useMemo, useEffect, useState, type ReactNode } from 'react';
import type { Message } from '../../../lib/wire';
import { firstLine } from '../model/timeline';
import { useMessagesContext } from '../hooks/MessagesProvider';
import { Button } from '../../../components/ui/Button';
import { Skeleton } from '../../../components/ui/Skeleton';
import { useChatHistory } from '../hooks/useChatHistory';
import { useJoinChat } from '../hooks/useJoinChat';
import { useMessageChanges } from '../hooks/useMessageChanges';
import { useReadReceipts } from '../hooks/useReadReceipts';
import { useSendMessage } from '../hooks/useSendMessage';
import { useTimeline } from '../hooks/useTimeline';
import { Composer, type ReplyTarget } from './Composer';
import { MessageList } from './MessageList';

export interface MessagePaneProps {
  chatId: string;
  meId: string;
  peerName: string;
  /** Names of the chat's people (me as "You"). */
  names: ReadonlyMap<string, string>;
  meName: string;
  isGroup: boolean;
  /** The conversation header (name, presence, back button) built by the screen. */
  header: ReactNode;
  /** Shown instead of the composer when nobody may write here (a block). */
  composerReplacement?: ReactNode;
  onTyping: () => void;
  onStopTyping: () => void;
  onError: (message: string) => void;
  /** A message to show as soon as the history is there (a search result); `key` tells jumps apart. */
  jumpTo?: { id: string; seq: number; key: string } | null;
}

export function MessagePane({ chatId, meId, meName, peerName, names, isGroup, header, composerReplacement, onTyping, onStopTyping, onError, jumpTo }: MessagePaneProps) {
  const history = useChatHistory(chatId);
  const { items, timeline } = useTimeline(chatId);
  const { send, retry, discard } = useSendMessage(chatId);
  const changes = useMessageChanges(onError);
  const { store } = useMessagesContext();
  const [replyingTo, setReplyingTo] = useState<ReplyTarget | null>(null);
  const [jump, setJump] = useState<{ id: string; key: number } | null>(null);
  const nameOf = useCallback((userId: string) => (userId === meId ? 'You' : (names.get(userId) ?? peerName)), [meId, names, peerName]);
  const { loadAround, status } = history;

  const jumpToMessage = useCallback(
    (id: string, seq: number) => {
      void loadAround(id, seq).then((ok) => {
        if (ok) setJump({ id, key: Date.now() });
        else onError('Could not load that message.');
      });
    },
    [loadAround, onError],
  );
  // A search result opens this chat at its message, once the history is loaded.
  const jumpKey = jumpTo?.key;
  useEffect(() => {
    if (jumpTo && status === 'ready') jumpToMessage(jumpTo.id, jumpTo.seq);
    // Once per jump (its key) and when the history first becomes ready; nothing else re-runs it.
  }, [jumpKey, status === 'ready']);

  const reply = (message: Message) =>
    setReplyingTo({
      id: message._id,
      author: nameOf(message.sender),
      line: firstLine(message.text) || (message.image ? '📷 Image' : ''),
    });
  const sendFromComposer = (text: string, image?: File, replyTo?: string, mentions?: string[]) => {
    // Sending from a window of older history goes back to the live end, where it lands.
    if (store.getState().timelines[chatId]?.hasNewer) history.reload();
    send(text, image, replyTo, mentions);
  };
  const mentionable = useMemo(
    () => (isGroup ? [...names].filter(([id]) => id !== meId).map(([id, name]) => ({ id, name })) : undefined),
    [isGroup, names, meId],
  );
  useJoinChat(chatId);
  useReadReceipts(chatId, meId);

  return (
    <section aria-label={`Conversation with ${peerName}`} className="flex h-full min-h-0 flex-col">
      {header}
      {history.status === 'loading' ? (
        <div className="flex-1 space-y-3 px-6 py-6" aria-busy="true" aria-label="Loading messages">
          {[60, 40, 70, 30, 55].map((w, i) => (
            <div key={i} className={`flex ${i % 2 ? 'justify-end' : 'justify-start'}`}>
              <div style={{ width: `${w}%` }}>
                <Skeleton className="h-10 rounded-2xl" />
              </div>
            </div>
          ))}
        </div>
      ) : history.status === 'error' ? (
        <div role="alert" className="flex flex-1 flex-col items-center justify-center gap-3 text-gray-200">
          <p>{history.error}</p>
          <Button variant="secondary" onClick={history.reload}>
            Try again
          </Button>
        </div>
      ) : (
        <MessageList
          key={chatId}
          items={items}
          timeline={timeline}
          meId={meId}
          peerName={peerName}
          names={names}
          meName={meName}
          isGroup={isGroup}
          loadingOlder={history.loadingOlder}
          onLoadOlder={() => void history.loadOlder()}
          onRetry={retry}
          onDiscard={discard}
          onEdit={changes.edit}
          onDelete={changes.remove}
          onReact={changes.react}
          onReply={reply}
          onJump={jumpToMessage}
          jump={jump}
          onLoadNewer={() => void history.loadNewer()}
          onJumpToLatest={history.reload}
        />
      )}
      {composerReplacement ?? (
        <Composer
          key={chatId}
          onSend={sendFromComposer}
          members={mentionable}
          replyingTo={replyingTo}
          onCancelReply={() => setReplyingTo(null)}
          onTyping={onTyping}
          onStopTyping={onStopTyping}
          onError={onError}
        />
      )}
    </section>
  );
}
