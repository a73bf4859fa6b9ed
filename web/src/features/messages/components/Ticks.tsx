import { Check, CheckCheck, Clock } from 'lucide-react';
import { MINE } from './colors';

export type DeliveryState = 'pending' | 'failed' | 'sent' | 'seen';

/**
 * Clock while unsent, one tick once stored, two bolder ticks once the other side has read
 * it. Both light enough on my blue bubble for 4.5:1 (a paler blue reached only 3.15:1),
 * so the number of ticks tells them apart, and the label says it.
 */
export function Ticks({ state, seenBy }: { state: DeliveryState; seenBy?: string }) {
  const label = { pending: 'Sending', failed: 'Not sent', sent: 'Sent', seen: seenBy ?? 'Seen' }[state];
  return (
    <span data-testid="delivery" data-state={state} title={label} className="inline-flex items-center">
      {state === 'seen' ? (
        <CheckCheck size={16} strokeWidth={2.75} aria-hidden="true" className={MINE.seenTick} />
      ) : state === 'sent' ? (
        <Check size={16} aria-hidden="true" className={MINE.tick} />
      ) : (
        <Clock size={14} aria-hidden="true" className={state === 'failed' ? 'text-red-200' : MINE.tick} />
      )}
      <span className="sr-only">{label}</span>
    </span>
  );
}
