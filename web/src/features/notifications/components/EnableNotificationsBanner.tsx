import { useState } from 'react';
import { BellRing, X } from 'lucide-react';
import { Button } from '../../../components/ui/Button';

/**
 * The one place that asks for the browser's permission on its own: a dismissible
 * banner whose Enable button makes the request (a click, as browsers require).
 */
export function EnableNotificationsBanner({ onEnable, onDismiss }: { onEnable: () => Promise<unknown>; onDismiss: () => void }) {
  const [busy, setBusy] = useState(false);
  const enable = () => {
    setBusy(true);
    void onEnable().finally(() => setBusy(false));
  };
  return (
    <div
      role="region"
      aria-label="Notifications"
      data-testid="notify-prompt"
      className="flex items-center gap-3 rounded-xl border border-blue-400/25 bg-blue-600/10 py-2 pr-1 pl-3 text-sm text-gray-100"
    >
      <BellRing size={18} aria-hidden="true" className="shrink-0 text-blue-300" />
      <p className="min-w-0 flex-1 leading-snug">Get notified of new messages</p>
      <Button onClick={enable} loading={busy} className="shrink-0 px-3">
        Enable
      </Button>
      <button
        type="button"
        onClick={onDismiss}
        aria-label="Not now"
        title="Not now"
        className="inline-flex size-11 shrink-0 items-center justify-center rounded-xl text-gray-300 hover:bg-white/5 hover:text-white"
      >
        <X size={18} aria-hidden="true" />
      </button>
    </div>
  );
}
