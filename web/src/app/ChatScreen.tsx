import { useCallback } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';
import { MessagesSquare } from 'lucide-react';
import { useToast } from '../components/ui/Toast';
import { ChatSidebar } from '../features/chats/components/ChatSidebar';
import { chatTitle } from '../features/chats/components/ChatRow';
import { useChatListLiveUpdates, useChats } from '../features/chats/hooks/useChats';
import { ChatHeader } from '../features/messages/components/ChatHeader';
import { MessagePane } from '../features/messages/components/MessagePane';
import { PresenceStatus } from '../features/presence/components/PresenceStatus';
import { MessageSearch } from '../features/search/components/MessageSearch';
import type { SearchHit } from '../lib/wire';
import { useTypingEmitter } from '../features/presence/hooks/useTypingEmitter';
import { useSession } from './AuthedShell';

/**
 * The main screen: sidebar + conversation. Under 768 px they are two separate views
 * (/chat shows the list, /chat/:id the conversation with a back button).
 */
export function ChatScreen() {
  const { chatId = null } = useParams();
  const { me, online, isTyping } = useSession();
  const isOnline = useCallback((userId: string) => online.has(userId), [online]);
  useChatListLiveUpdates(me._id, chatId);
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
      return chats.data?.find((i) => i.user?._id === userId)?.user?.name ?? 'Someone';
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
      <div
        className={`glass h-full w-full shrink-0 md:flex md:w-80 md:rounded-2xl lg:w-96 ${chatId ? 'hidden' : 'flex'} flex-col overflow-hidden`}
      >
        <ChatSidebar
          me={me}
          activeChatId={chatId}
          isOnline={isOnline}
          isTyping={isTyping}
          messageSearch={<MessageSearch chatName={chatName} senderName={senderName} onOpen={openHit} />}
        />
      </div>
      <main className={`glass h-full min-w-0 flex-1 overflow-hidden md:rounded-2xl ${chatId ? 'block' : 'hidden md:block'}`}>
        {chatId ? <Conversation chatId={chatId} /> : <NoChatSelected />}
      </main>
    </div>
  );
}

function Conversation({ chatId }: { chatId: string }) {
  const { me, online, isTyping } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const state = location.state as { jumpTo?: { id: string; seq: number } } | null;
  const jumpTo = state?.jumpTo ? { ...state.jumpTo, key: location.key } : null;
  const toast = useToast();
  const chats = useChats();
  const { notifyTyping, stopTyping } = useTypingEmitter(chatId);
  const item = chats.data?.find((i) => i.chat._id === chatId);

  if (!item) {
    return chats.isPending ? null : (
      <div className="flex h-full flex-col items-center justify-center gap-2 p-6 text-center text-gray-300">
        <p>This chat does not exist or you are not a member.</p>
      </div>
    );
  }

  const title = chatTitle(item);
  const peerOnline = item.user ? online.has(item.user._id) : false;
  return (
    <MessagePane
      key={chatId}
      chatId={chatId}
      meId={me._id}
      peerName={title}
      header={
        <ChatHeader
          title={title}
          seed={item.user?._id ?? chatId}
          status={<PresenceStatus online={peerOnline} typing={isTyping(chatId)} />}
          onBack={() => navigate('/chat')}
        />
      }
      onTyping={notifyTyping}
      onStopTyping={stopTyping}
      onError={(message) => toast.show(message)}
      jumpTo={jumpTo}
    />
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
