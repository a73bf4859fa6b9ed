import { useId } from 'react';
import { useSettings, useUpdateSettings } from '../hooks/useSettings';

/** "Show when I was last seen": off hides mine from my contacts and theirs from me. */
export function LastSeenToggle({ onError }: { onError: (message: string) => void }) {
  const settings = useSettings();
  const update = useUpdateSettings();
  const id = useId();
  const checked = settings.data?.showLastSeen ?? true;
  return (
    <div className="flex items-start justify-between gap-4">
      <div>
        <label htmlFor={id} className="block text-sm font-medium text-gray-200">
          Show when I was last seen
        </label>
        <p id={`${id}-hint`} className="mt-1 text-xs text-gray-400">
          When off, your contacts do not see when you were last online, and you do not see theirs.
        </p>
      </div>
      <input
        id={id}
        type="checkbox"
        role="switch"
        aria-describedby={`${id}-hint`}
        checked={checked}
        disabled={settings.isPending || update.isPending}
        onChange={(e) => update.mutate({ showLastSeen: e.target.checked }, { onError: () => onError('Could not save the setting.') })}
        className="mt-1 size-6 shrink-0 cursor-pointer accent-blue-500 focus-visible:outline-2 focus-visible:outline-blue-400"
      />
    </div>
  );
}
