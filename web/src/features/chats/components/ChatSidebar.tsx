import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { MessagesSquare, UsersRound } from 'lucide-react';
import { IconButton } from '../../../components/ui/IconButton';
import { Avatar } from '../../../components/ui/Avatar';
import type { User } from '../../../lib/wire';
import { ChatList, type ChatListProps } from './ChatList';
import { NewGroupDialog } from './NewGroupDialog';
import { UserSearch } from './UserSearch';

/** Brand, my profile, a notice (`banner`: the notification prompt), people search, the screen's message search and the conversation list. */
export function ChatSidebar({
  me,
  messageSearch,
  banner,
  ...listProps
}: Omit<ChatListProps, 'meId'> & { me: User; messageSearch?: ReactNode; banner?: ReactNode }) {
  const [newGroup, setNewGroup] = useState(false);
  return (
    <nav className="flex h-full min-h-0 flex-col" aria-label="Sidebar">
      <div className="flex min-h-16 items-center justify-between gap-2 border-b border-white/10 px-4 py-2">
        <div className="flex items-center gap-2">
          <span className="inline-flex size-9 items-center justify-center rounded-xl bg-blue-600 text-white shadow-md shadow-blue-600/30">
            <MessagesSquare size={18} aria-hidden="true" />
          </span>
          {listProps.activeChatId ? (
            <span className="text-lg font-semibold tracking-tight text-white">natter</span>
          ) : (
            <h1 className="text-lg font-semibold tracking-tight text-white">natter</h1>
          )}
        </div>
        <div className="flex items-center gap-1">
        <IconButton label="New group" onClick={() => setNewGroup(true)} data-testid="new-group">
          <UsersRound size={20} aria-hidden="true" />
        </IconButton>
        <Link
          to="/profile"
          aria-label={`Profile of ${me.name}`}
          data-testid="profile-link"
          className="inline-flex size-11 items-center justify-center rounded-full hover:bg-white/5"
        >
          <Avatar name={me.name} seed={me._id} size="sm" />
        </Link>
        </div>
      </div>
      <div className="space-y-2 px-3 pt-3 pb-2">
        {banner}
        {messageSearch}
        <UserSearch meId={me._id} />
      </div>
      <div id="chat-list" tabIndex={-1} className="min-h-0 flex-1 overflow-y-auto px-2 pb-3 focus-inset">
        <ChatList meId={me._id} {...listProps} />
      </div>
      {newGroup && <NewGroupDialog meId={me._id} onClose={() => setNewGroup(false)} />}
    </nav>
  );
}
