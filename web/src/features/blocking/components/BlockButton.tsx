import { useState } from 'react';
import { Ban } from 'lucide-react';
import { Button } from '../../../components/ui/Button';
import { IconButton } from '../../../components/ui/IconButton';
import { Modal } from '../../../components/ui/Modal';
import { useIsBlocked, useSetBlocked } from '../hooks/useBlocks';

/** Block (with a confirm) or unblock the other member of a 1:1 chat, from its header. */
export function BlockButton({ userId, name, onError }: { userId: string; name: string; onError: (message: string) => void }) {
  const blocked = useIsBlocked(userId);
  const setBlocked = useSetBlocked();
  const [confirming, setConfirming] = useState(false);
  const apply = (next: boolean) =>
    setBlocked.mutate(
      { userId, blocked: next },
      { onError: () => onError(next ? `Could not block ${name}.` : `Could not unblock ${name}.`), onSettled: () => setConfirming(false) },
    );

  if (blocked) {
    return (
      <Button variant="secondary" onClick={() => apply(false)} loading={setBlocked.isPending} className="ml-auto shrink-0">
        Unblock
      </Button>
    );
  }
  return (
    <>
      <IconButton label={`Block ${name}`} onClick={() => setConfirming(true)} className="ml-auto shrink-0">
        <Ban size={20} aria-hidden="true" />
      </IconButton>
      {confirming && (
        <Modal label={`Block ${name}?`} onClose={() => setConfirming(false)}>
          <div className="glass w-full max-w-sm rounded-2xl p-6 text-gray-100 shadow-2xl">
            <h2 className="text-lg font-semibold text-white">Block {name}?</h2>
            <p className="mt-2 text-sm text-gray-300">
              Neither of you can write in this chat, {name} cannot start a new one with you, and you stop seeing each other online
              or typing. You can unblock at any time.
            </p>
            <div className="mt-6 flex justify-end gap-2">
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </Button>
              <Button variant="danger" onClick={() => apply(true)} loading={setBlocked.isPending}>
                Block
              </Button>
            </div>
          </div>
        </Modal>
      )}
    </>
  );
}
