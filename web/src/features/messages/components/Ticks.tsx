import { Check, CheckCheck, Clock } from 'lucide-react';

export type DeliveryState = 'pending' | 'failed' | 'sent' | 'seen';

/** Clock while unsent, one tick once stored, two blue ticks once the other side has read it. */
export function Ticks({ state, seenBy }: { state: DeliveryState; seenBy?: string }) {
  const label = { pending: 'Sending', failed: 'Not sent', sent: 'Sent', seen: seenBy ?? 'Seen' }[state];
  return (
    <span data-testid="delivery" data-state={state} title={label} className="inline-flex items-center">
      {state === 'seen' ? (
        <CheckCheck size={16} aria-hidden="true" className="text-sky-300" />
      ) : state === 'sent' ? (
        <Check size={16} aria-hidden="true" className="text-blue-100" />
      ) : (
        <Clock size={14} aria-hidden="true" className={state === 'failed' ? 'text-red-200' : 'text-blue-100'} />
      )}
      <span className="sr-only">{label}</span>
    </span>
  );
}
