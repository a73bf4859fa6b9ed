import { useCallback, useEffect } from 'react';
import { Outlet, useOutletContext } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { MessagesProvider } from '../features/messages/hooks/MessagesProvider';
import { useOnlineUsers } from '../features/presence/hooks/useOnlineUsers';
import { useTypingUsers } from '../features/presence/hooks/useTypingUsers';
import { queryKeys } from '../lib/queryKeys';
import { connectSocket, disconnectSocket, useConnectionState, useSocketUnauthorized } from '../lib/socket';
import { ConnectionBar } from './ConnectionBar';
import type { User } from '../lib/wire';
import { useNotifications } from './useNotifications';
import { useReconnectSync } from './useReconnectSync';
import { useSaveChatList } from './useSaveChatList';

export interface SessionContext {
  me: User;
  online: ReadonlySet<string>;
  /** Last seen as the latest `presence` told it; see `useOnlineUsers`. */
  lastSeen: ReadonlyMap<string, string | null>;
  isTyping: (chatId: string) => boolean;
  /** Who is typing in a chat (user ids). */
  typingIn: (chatId: string) => string[];
}

const NOBODY: ReadonlySet<string> = new Set();

export function useSession(): SessionContext {
  return useOutletContext<SessionContext>();
}

/**
 * Everything that lives as long as the login: the socket connection, presence, typing,
 * the message store and the catch-up after reconnects. Screens below read it through
 * the outlet context, so leaving /chat for /profile loses no live state.
 */
export function AuthedShell({ me }: { me: User }) {
  return (
    <MessagesProvider meId={me._id}>
      <Session me={me} />
    </MessagesProvider>
  );
}

function Session({ me }: { me: User }) {
  const queryClient = useQueryClient();
  const presence = useOnlineUsers();
  // Without a connection nobody is known to be online: no green dot left from before.
  const connected = useConnectionState() === 'online';
  const online = connected ? presence.online : NOBODY;
  const { lastSeen } = presence;
  const typingIn = useTypingUsers(me._id);
  const isTyping = useCallback((chatId: string) => typingIn(chatId).length > 0, [typingIn]);
  useReconnectSync(me._id);
  useNotifications(me._id);
  useSaveChatList(me._id);
  useSocketUnauthorized(() => void queryClient.invalidateQueries({ queryKey: queryKeys.me }));

  // Connect after the listeners above are registered, so the first getOnlineUser is not missed.
  useEffect(() => {
    connectSocket();
    // Leaving the session (a 401 sent us to the login screen): no socket left retrying.
    return () => disconnectSocket();
  }, []);

  return (
    <div className="flex h-full flex-col">
      <ConnectionBar />
      <div className="min-h-0 flex-1">
        <Outlet context={{ me, online, lastSeen, isTyping, typingIn } satisfies SessionContext} />
      </div>
    </div>
  );
}
