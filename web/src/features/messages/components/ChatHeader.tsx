import type { ReactNode } from 'react';
import { ArrowLeft } from 'lucide-react';
import { Avatar } from '../../../components/ui/Avatar';
import { IconButton } from '../../../components/ui/IconButton';

/**
 * Name and live status of the open conversation; the back button exists only on narrow
 * screens; `actions` (a group's info, block / unblock) sit at the end.
 */
export function ChatHeader({
  title,
  seed,
  status,
  actions,
  onBack,
}: {
  title: string;
  seed: string;
  status: ReactNode;
  actions?: ReactNode;
  onBack: () => void;
}) {
  return (
    <header className="flex min-h-16 items-center gap-2 border-b border-white/10 bg-gray-800/60 px-2 py-2 backdrop-blur sm:px-4">
      <IconButton label="Back to chats" onClick={onBack} className="md:hidden">
        <ArrowLeft size={20} aria-hidden="true" />
      </IconButton>
      <Avatar name={title} seed={seed} />
      <div className="min-w-0 flex-1 pl-1">
        <h2 className="truncate text-base font-semibold text-white" data-testid="chat-title">
          {title}
        </h2>
        <div className="text-xs" data-testid="chat-status">
          {status}
        </div>
      </div>
      {actions}
    </header>
  );
}
