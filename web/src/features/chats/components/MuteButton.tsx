import { Bell, BellOff } from 'lucide-react';
import { IconButton } from '../../../components/ui/IconButton';
import type { ChatListItem } from '../../../lib/wire';
import { isMuted } from '../hooks/chatListCache';
import { useMuteChat } from '../hooks/useMuteChat';

/** The chat header's Mute / Unmute: a muted chat makes no sound and no notification. */
export function MuteButton({ item, onError }: { item: ChatListItem; onError: (message: string) => void }) {
  const mute = useMuteChat();
  const muted = isMuted(item);
  const toggle = () =>
    mute.mutate(
      { chatId: item.chat._id, muted: !muted },
      { onError: () => onError(muted ? 'Could not unmute this chat.' : 'Could not mute this chat.') },
    );
  return (
    <IconButton
      label={muted ? 'Unmute chat' : 'Mute chat'}
      aria-pressed={muted}
      onClick={toggle}
      data-testid="mute-chat"
      data-muted={muted}
      className={`shrink-0 ${muted ? 'text-amber-200' : ''}`}
    >
      {muted ? <BellOff size={20} aria-hidden="true" /> : <Bell size={20} aria-hidden="true" />}
    </IconButton>
  );
}
