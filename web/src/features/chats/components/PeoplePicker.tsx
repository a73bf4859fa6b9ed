import { useId, useState } from 'react';
import { Search, X } from 'lucide-react';
import { Avatar } from '../../../components/ui/Avatar';
import { Spinner } from '../../../components/ui/Spinner';
import type { User } from '../../../lib/wire';
import { useUserSearch } from '../hooks/useUserSearch';

/** Search people and pick several: the picked ones show as removable chips above the box. */
export function PeoplePicker({
  picked,
  onChange,
  exclude,
  label = 'Add people',
}: {
  picked: User[];
  onChange: (users: User[]) => void;
  /** People who cannot be picked (me, or those already in the group). */
  exclude: ReadonlySet<string>;
  label?: string;
}) {
  const [input, setInput] = useState('');
  const inputId = useId();
  const search = useUserSearch(input);
  const pickedIds = new Set(picked.map((u) => u._id));
  const results = (search.data ?? []).filter((u) => !exclude.has(u._id) && !pickedIds.has(u._id));

  return (
    <div>
      {picked.length > 0 && (
        <ul aria-label="Picked" className="mb-2 flex flex-wrap gap-1.5">
          {picked.map((u) => (
            <li key={u._id}>
              <button
                type="button"
                onClick={() => onChange(picked.filter((p) => p._id !== u._id))}
                aria-label={`Remove ${u.name}`}
                data-testid="picked-person"
                className="inline-flex min-h-9 items-center gap-1.5 rounded-full bg-blue-600/20 py-1 pr-2 pl-1 text-sm text-blue-100 hover:bg-blue-600/30"
              >
                <Avatar name={u.name} seed={u._id} size="sm" />
                {u.name}
                <X size={14} aria-hidden="true" />
              </button>
            </li>
          ))}
        </ul>
      )}
      <label htmlFor={inputId} className="mb-1 block text-sm text-gray-300">
        {label}
      </label>
      <div className="relative">
        <Search size={18} aria-hidden="true" className="pointer-events-none absolute top-1/2 left-3 -translate-y-1/2 text-gray-400" />
        <input
          id={inputId}
          type="search"
          value={input}
          onChange={(e) => setInput(e.target.value)}
          placeholder="Search by name"
          autoComplete="off"
          data-testid="people-search"
          className="min-h-11 w-full rounded-xl border border-white/10 bg-gray-900/60 py-2 pr-3 pl-10 text-sm text-gray-100 placeholder:text-gray-400 focus:border-blue-500 focus:outline-none focus-visible:outline-2 focus-visible:outline-blue-400"
        />
      </div>
      {input.trim() && (
        <div className="mt-1 max-h-48 overflow-y-auto focus-inset" aria-live="polite">
          {search.isFetching && results.length === 0 ? (
            <div className="flex items-center gap-2 px-3 py-2 text-sm text-gray-300">
              <Spinner size="sm" /> Searching…
            </div>
          ) : results.length === 0 && search.isFetched ? (
            <p className="px-3 py-2 text-sm text-gray-300">No one else found for “{input.trim()}”.</p>
          ) : (
            <ul aria-label="People found">
              {results.map((u) => (
                <li key={u._id}>
                  <button
                    type="button"
                    data-testid="person-result"
                    onClick={() => {
                      onChange([...picked, u]);
                      setInput('');
                    }}
                    className="flex min-h-11 w-full items-center gap-3 rounded-xl px-3 py-1.5 text-left text-gray-100 hover:bg-white/5"
                  >
                    <Avatar name={u.name} seed={u._id} size="sm" />
                    <span className="truncate">{u.name}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
