import { Button } from '../../../components/ui/Button';
import { useSetBlocked } from '../hooks/useBlocks';

/** Where the composer was, in a 1:1 chat with someone I blocked. */
export function BlockedBanner({ userId, name, onError }: { userId: string; name: string; onError: (message: string) => void }) {
  const setBlocked = useSetBlocked();
  return (
    <div role="status" data-testid="blocked-banner" className="flex flex-wrap items-center justify-center gap-3 border-t border-white/10 bg-gray-800/70 px-4 py-3 text-sm text-gray-200">
      <span>You blocked {name}. Neither of you can write here.</span>
      <Button
        variant="secondary"
        loading={setBlocked.isPending}
        onClick={() => setBlocked.mutate({ userId, blocked: false }, { onError: () => onError(`Could not unblock ${name}.`) })}
      >
        Unblock
      </Button>
    </div>
  );
}
