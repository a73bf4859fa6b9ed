import { useCallback, useMemo, useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { ImagePlus } from 'lucide-react';
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
import { canEdit } from './MessageBubble';
import { Composer, firstImage, type ComposerHandle, type ReplyTarget } from './Composer';
import { MessageList } from './MessageList';
import { firstUnreadId, holdsUnreadStart, type UnreadMark } from '../model/layout';

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
  /** My read marker and the unread count as the chat list had them when the chat was opened. */
  unread?: UnreadMark | null;
}

export function MessagePane({ chatId, meId, meName, peerName, names, isGroup, header, composerReplacement, onTyping, onStopTyping, onError, jumpTo, unread }: MessagePaneProps) {
  // Where unread started is fixed when the chat opens: reading it must not move the line.
  const [mark] = useState<UnreadMark | null>(() => (unread && unread.count > 0 ? unread : null));
  const reachesBack = useCallback((t: { messages: Message[]; hasMore: boolean }) => holdsUnreadStart(t.messages, meId, mark, t.hasMore), [meId, mark]);
  const history = useChatHistory(chatId, reachesBack);
  const { items, timeline } = useTimeline(chatId);
  const { send, retry, discard } = useSendMessage(chatId);
  const changes = useMessageChanges(onError);
  const removeMessage = changes.remove;
  const { store } = useMessagesContext();
  const [replyingTo, setReplyingTo] = useState<ReplyTarget | null>(null);
  const [jump, setJump] = useState<{ id: string; key: number } | null>(null);
  const nameOf = useCallback((userId: string) => (userId === meId ? 'You' : (names.get(userId) ?? peerName)), [meId, names, peerName]);
  const { loadAround, status } = history;
  const [editingId, setEditingId] = useState<string | null>(null);
  const composerRef = useRef<ComposerHandle>(null);
  const [dragging, setDragging] = useState(false);
  // Decided once, when the opening load is done (it reached back to where unread starts).
  const [unreadId, setUnreadId] = useState<string | undefined | null>(mark ? null : undefined);
  useEffect(() => {
    if (unreadId !== null || !history.opened) return;
    const t = store.getState().timelines[chatId];
    setUnreadId(t ? firstUnreadId(t.messages, meId, mark) : undefined);
  }, [unreadId, history.opened, store, chatId, meId, mark]);
  const waitingForLine = unreadId === null;

  const changeEditing = useCallback((id: string | null) => {
    setEditingId(id);
    // An edit that ends (saved or cancelled) gives the focus back to the composer.
    if (id === null) composerRef.current?.focus();
  }, []);
  /** The composer's Up arrow: my newest message I may still edit. */
  const editLast = () => {
    const mine = [...items].reverse().find((i) => i.kind === 'message' && canEdit(i.message, meId, Date.now()) && !i.message.system && i.message.messageType !== 'system');
    if (mine?.kind !== 'message') return false;
    setEditingId(mine.message._id);
    return true;
  };
  const copy = useCallback(
    (text: string) => {
      navigator.clipboard?.writeText(text).catch(() => onError('Could not copy: the browser refused.'));
    },
    [onError],
  );
  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');
  const dropHandlers = composerReplacement
    ? {}
    : {
        onDragEnter: (e: DragEvent) => hasFiles(e) && setDragging(true),
        onDragOver: (e: DragEvent) => {
          if (!hasFiles(e)) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        },
        onDragLeave: (e: DragEvent) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
        },
        onDrop: (e: DragEvent) => {
          if (!hasFiles(e)) return;
          e.preventDefault();
          setDragging(false);
          const file = firstImage(e.dataTransfer.files);
          if (file) composerRef.current?.attachImage(file);
          else onError('Only images can be attached.');
        },
      };

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
  // The buttons of a deleted or discarded message go with it: the focus would fall to
  // the page's body; it goes to the composer instead.
  const removeAndRefocus = useCallback(
    async (message: Message) => {
      const ok = await removeMessage(message);
      if (ok) composerRef.current?.focus();
      return ok;
    },
    [removeMessage],
  );
  const discardAndRefocus = useCallback(
    (clientId: string) => {
      discard(clientId);
      composerRef.current?.focus();
    },
    [discard],
  );
  useJoinChat(chatId);
  useReadReceipts(chatId, meId);

  return (
    <section aria-label={`Conversation with ${peerName}`} className="relative flex h-full min-h-0 flex-col" {...dropHandlers}>
      {header}
      {dragging && (
        <div
          data-testid="drop-zone"
          className="pointer-events-none absolute inset-2 z-40 flex flex-col items-center justify-center gap-2 rounded-2xl border-2 border-dashed border-blue-400 bg-gray-900/85 text-blue-100"
        >
          <ImagePlus size={32} aria-hidden="true" />
          <p className="font-medium">Drop the image to attach it</p>
        </div>
      )}
      {history.status === 'loading' || waitingForLine ? (
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
          key={`list-${chatId}`}
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
          onDiscard={discardAndRefocus}
          onEdit={changes.edit}
          onDelete={removeAndRefocus}
          onReact={changes.react}
          onReply={reply}
          onJump={jumpToMessage}
          jump={jump}
          onLoadNewer={() => void history.loadNewer()}
          onJumpToLatest={history.reload}
          unreadId={unreadId ?? undefined}
          editingId={editingId}
          onEditingChange={changeEditing}
          onCopy={copy}
        />
      )}
      {composerReplacement ?? (
        <Composer
          key={`composer-${chatId}`}
          ref={composerRef}
          draft={{ userId: meId, chatId }}
          onEditLast={editLast}
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
