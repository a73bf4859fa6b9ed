import { CloudOff, RefreshCw } from 'lucide-react';
import { useConnectionState } from '../lib/socket';

/**
 * A slim bar at the top of the page while the connection is down. It takes its own
 * row (the page below gets shorter), so it hides nothing: not the chat header, not the
 * composer. `offline` comes from the browser's event at once; `reconnecting` from the
 * socket (its ping notices a silent network loss within ~20 s).
 */
export function ConnectionBar() {
  const state = useConnectionState();
  if (state === 'online' || state === 'connecting') return null;
  const offline = state === 'offline';
  return (
    <div
      role="status"
      data-testid="connection-bar"
      data-state={state}
      className="flex shrink-0 items-center justify-center gap-2 border-b border-amber-300/30 bg-amber-950 px-4 py-1.5 text-sm text-amber-50"
    >
      {offline ? <CloudOff size={14} aria-hidden="true" /> : <RefreshCw size={14} aria-hidden="true" className="motion-safe:animate-spin" />}
      {offline ? 'Offline. Messages are sent when you are back.' : 'Reconnecting…'}
    </div>
  );
}
