import { useCallback, useMemo, useState } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';
import { MessagesSquare, Users } from 'lucide-react';
import { IconButton } from '../components/ui/IconButton';
import { GroupInfo } from '../features/chats/components/GroupInfo';
import { memberNames } from '../features/chats/model/group';
import { useToast } from '../components/ui/Toast';
import { BlockButton } from '../features/blocking/components/BlockButton';
import { BlockedBanner } from '../features/blocking/components/BlockedBanner';
import { useIsBlocked } from '../features/blocking/hooks/useBlocks';
import { ChatSidebar } from '../features/chats/components/ChatSidebar';
import { MuteButton } from '../features/chats/components/MuteButton';
import { chatTitle } from '../features/chats/components/ChatRow';
import { useChats } from '../features/chats/hooks/useChats';
import { ChatHeader } from '../features/messages/components/ChatHeader';
import { MessagePane } from '../features/messages/components/MessagePane';
import { GroupStatus, PresenceStatus } from '../features/presence/components/PresenceStatus';
import { MessageSearch } from '../features/search/components/MessageSearch';
import type { SearchHit } from '../lib/wire';
import { useTypingEmitter } from '../features/presence/hooks/useTypingEmitter';
import { useSession } from './AuthedShell';
import { NotificationPrompt } from './NotificationPrompt';

/**
 * The main screen: sidebar + conversation. Under 768 px they are two separate views
 * (/chat shows the list, /chat/:id the conversation with a back button).
 */
export function ChatScreen() {
  const { chatId = null } = useParams();
  const { me, online, isTyping } = useSession();
  const isOnline = useCallback((userId: string) => online.has(userId), [online]);
  const navigate = useNavigate();
  const chats = useChats();
  const chatName = useCallback(
    (id: string) => {
      const item = chats.data?.find((i) => i.chat._id === id);
      return item ? chatTitle(item) : 'A chat';
    },
    [chats.data],
  );
  const senderName = useCallback(
    (userId: string) => {
      if (userId === me._id) return 'You';
      const known = chats.data?.flatMap((i) => (i.user ? [i.user, ...i.members] : i.members)).find((u) => u._id === userId);
      return known?.name ?? 'Someone';
    },
    [chats.data, me._id],
  );
  // The conversation opens at the message: the jump rides in the navigation's state.
  const openHit = useCallback(
    (hit: SearchHit) => navigate(`/chat/${hit.message.chatId}`, { state: { jumpTo: { id: hit.message._id, seq: hit.message.seq } } }),
    [navigate],
  );

  return (
    <div className="flex h-full md:p-4 md:gap-4">
      {/* The first stop of the Tab key: past the sidebar to the conversation (or, with none open, the chat list). */}
      <a
        href={chatId ? '#messages' : '#chat-list'}
        data-testid="skip-link"
        onClick={(e) => {
          e.preventDefault();
          (document.getElementById('messages') ?? document.getElementById('chat-list'))?.focus();
        }}
        className="sr-only rounded-lg bg-blue-600 font-medium text-white shadow-lg focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:px-4 focus:py-2"
      >
        Skip to messages
      </a>
      {/* The main landmark is the conversation, or the chat list while none is open (on a
          phone the list is then the whole screen). */}
      <div
        // A role, not a <main> element: a changed tag would remount the sidebar on opening a chat.
        role={chatId ? undefined : 'main'}
        className={`glass h-full w-full shrink-0 md:flex md:w-80 md:rounded-2xl lg:w-96 ${chatId ? 'hidden' : 'flex'} flex-col overflow-hidden focus-inset`}
      >
        <ChatSidebar
          me={me}
          activeChatId={chatId}
          isOnline={isOnline}
          isTyping={isTyping}
          banner={<NotificationPrompt />}
          messageSearch={<MessageSearch chatName={chatName} senderName={senderName} onOpen={openHit} />}
        />
      </div>
      {chatId ? (
        <main className="glass block h-full min-w-0 flex-1 overflow-hidden focus-inset md:rounded-2xl">
          {/* The page's heading: here with a chat open (the sidebar's "natter" is it otherwise). */}
          <h1 className="sr-only">natter: {chatName(chatId)}</h1>
          <Conversation chatId={chatId} />
        </main>
      ) : (
        <section aria-label="No chat open" className="glass hidden h-full min-w-0 flex-1 overflow-hidden md:block md:rounded-2xl">
          <NoChatSelected />
        </section>
      )}
    </div>
  );
}

function Conversation({ chatId }: { chatId: string }) {
  const { me, online, lastSeen, isTyping, typingIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const state = location.state as { jumpTo?: { id: string; seq: number } } | null;
  const jumpTo = state?.jumpTo ? { ...state.jumpTo, key: location.key } : null;
  const toast = useToast();
  const chats = useChats();
  const { notifyTyping, stopTyping } = useTypingEmitter(chatId);
  const [infoOpen, setInfoOpen] = useState(false);
  const item = chats.data?.find((i) => i.chat._id === chatId);
  const names = useMemo(() => memberNames(item, me._id), [item, me._id]);
  const peer = item?.chat.isGroup ? null : item?.user;
  const blocked = useIsBlocked(peer?._id);

  if (!item) {
    return chats.isPending ? null : (
      <div className="flex h-full flex-col items-center justify-center gap-2 p-6 text-center text-gray-300">
        <p>This chat does not exist or you are not a member.</p>
      </div>
    );
  }

  const title = chatTitle(item);
  const group = item.chat.isGroup;
  const typingNames = typingIn(chatId).map((id) => names.get(id) ?? 'Someone');
  const peerOnline = peer ? online.has(peer._id) : false;
  // The latest presence event wins over what the chat list said when it was read.
  const peerLastSeen = peer ? (lastSeen.has(peer._id) ? lastSeen.get(peer._id) : peer.lastSeen) : null;
  const showError = (message: string) => toast.show(message);
  return (
    <>
    <MessagePane
      key={chatId}
      chatId={chatId}
      meId={me._id}
      peerName={title}
      names={names}
      meName={me.name}
      isGroup={group}
      header={
        <ChatHeader
          title={title}
          seed={item.user?._id ?? chatId}
          status={
            group ? (
              <GroupStatus typingNames={typingNames} members={item.chat.users.length} />
            ) : blocked ? (
              <span className="text-gray-400">blocked</span>
            ) : (
              <PresenceStatus online={peerOnline} typing={isTyping(chatId)} lastSeen={peerLastSeen} />
            )
          }
          actions={
            <>
              <MuteButton item={item} onError={showError} />
              {group ? (
                <IconButton label="Group info" onClick={() => setInfoOpen(true)} data-testid="group-info">
                  <Users size={20} aria-hidden="true" />
                </IconButton>
              ) : peer ? (
                <BlockButton userId={peer._id} name={title} onError={showError} />
              ) : null}
            </>
          }
          onBack={() => navigate('/chat')}
        />
      }
      composerReplacement={blocked && peer ? <BlockedBanner userId={peer._id} name={title} onError={showError} /> : undefined}
      onTyping={notifyTyping}
      onStopTyping={stopTyping}
      onError={showError}
      jumpTo={jumpTo}
      unread={{ afterSeq: item.chat.lastReadSeq, count: item.chat.unseenCount }}
    />
    {infoOpen && <GroupInfo item={item} meId={me._id} onClose={() => setInfoOpen(false)} />}
    </>
  );
}

function NoChatSelected() {
  return (
    <div className="flex h-full flex-col items-center justify-center gap-3 p-6 text-center">
      <span className="inline-flex size-14 items-center justify-center rounded-2xl bg-blue-600/15 text-blue-300">
        <MessagesSquare size={28} aria-hidden="true" />
      </span>
      <h2 className="text-lg font-semibold text-white">Pick a conversation</h2>
      <p className="max-w-xs text-sm text-gray-300">Choose a chat on the left, or search for someone to start a new one.</p>
    </div>
  );
}
