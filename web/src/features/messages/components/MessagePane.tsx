import type { ReactNode } from 'react';
import { Button } from '../../../components/ui/Button';
import { Skeleton } from '../../../components/ui/Skeleton';
import { useChatHistory } from '../hooks/useChatHistory';
import { useJoinChat } from '../hooks/useJoinChat';
import { useMessageChanges } from '../hooks/useMessageChanges';
import { useReadReceipts } from '../hooks/useReadReceipts';
import { useSendMessage } from '../hooks/useSendMessage';
import { useTimeline } from '../hooks/useTimeline';
import { Composer } from './Composer';
import { MessageList } from './MessageList';

export interface MessagePaneProps {
  chatId: string;
  meId: string;
  peerName: string;
  /** Names of the chat's people (me as "You"). */
  names: ReadonlyMap<string, string>;
  isGroup: boolean;
  /** The conversation header (name, presence, back button) built by the screen. */
  header: ReactNode;
  /** Shown instead of the composer when nobody may write here (a block). */
  composerReplacement?: ReactNode;
  onTyping: () => void;
  onStopTyping: () => void;
  onError: (message: string) => void;
}

export function MessagePane({ chatId, meId, peerName, names, isGroup, header, composerReplacement, onTyping, onStopTyping, onError }: MessagePaneProps) {
  const history = useChatHistory(chatId);
  const { items, timeline } = useTimeline(chatId);
  const { send, retry, discard } = useSendMessage(chatId);
  const changes = useMessageChanges(onError);
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
          isGroup={isGroup}
          loadingOlder={history.loadingOlder}
          onLoadOlder={() => void history.loadOlder()}
          onRetry={retry}
          onDiscard={discard}
          onEdit={changes.edit}
          onDelete={changes.remove}
          onReact={changes.react}
        />
      )}
      {composerReplacement ?? (
        <Composer
          key={chatId}
          onSend={(text, image) => send(text, image)}
          onTyping={onTyping}
          onStopTyping={onStopTyping}
          onError={onError}
        />
      )}
    </section>
  );
}
