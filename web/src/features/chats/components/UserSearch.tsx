import { useId, useState } from 'react';
import { Search, X } from 'lucide-react';
import { Avatar } from '../../../components/ui/Avatar';
import { Spinner } from '../../../components/ui/Spinner';
import { useStartChat } from '../hooks/useStartChat';
import { useUserSearch } from '../hooks/useUserSearch';

/** Search box over all users; picking one opens (or creates) the 1:1 chat. */
export function UserSearch({ meId }: { meId: string }) {
  const [input, setInput] = useState('');
  const inputId = useId();
  const search = useUserSearch(input);
  const start = useStartChat(() => setInput(''));
  const users = (search.data ?? []).filter((u) => u._id !== meId);
  const open = input.trim().length > 0;

  return (
    <div className="relative">
      <label htmlFor={inputId} className="sr-only">
        Search people
      </label>
      <Search size={18} aria-hidden="true" className="pointer-events-none absolute top-1/2 left-3 -translate-y-1/2 text-gray-400" />
      <input
        id={inputId}
        type="search"
        value={input}
        onChange={(e) => setInput(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setInput('')}
        placeholder="Search people"
        autoComplete="off"
        className="min-h-11 w-full rounded-xl border border-white/10 bg-gray-900/60 py-2 pr-10 pl-10 text-sm text-gray-100 placeholder:text-gray-400 focus:border-blue-500 focus:outline-none focus-visible:outline-2 focus-visible:outline-blue-400 [&::-webkit-search-cancel-button]:hidden"
      />
      {open && (
        <button
          type="button"
          aria-label="Clear search"
          onClick={() => setInput('')}
          className="absolute top-0 right-0 inline-flex size-11 items-center justify-center rounded-xl text-gray-400 hover:text-white"
        >
          <X size={16} aria-hidden="true" />
        </button>
      )}
      {open && (
        <div className="mt-2" aria-live="polite">
          {search.isFetching && users.length === 0 ? (
            <div className="flex items-center gap-2 px-3 py-3 text-sm text-gray-300">
              <Spinner size="sm" /> Searching…
            </div>
          ) : search.isError ? (
            <p className="px-3 py-3 text-sm text-red-300">Search failed. Try again.</p>
          ) : users.length === 0 && search.isFetched ? (
            <p className="px-3 py-3 text-sm text-gray-300">No one found for “{input.trim()}”.</p>
          ) : (
            <ul aria-label="People" className="space-y-1">
              {users.map((user) => (
                <li key={user._id}>
                  <button
                    type="button"
                    data-testid="user-result"
                    onClick={() => start.mutate(user._id)}
                    disabled={start.isPending}
                    className="flex min-h-14 w-full items-center gap-3 rounded-xl px-3 py-2 text-left hover:bg-white/5 disabled:opacity-60"
                  >
                    <Avatar name={user.name} seed={user._id} size="sm" />
                    <span className="min-w-0">
                      <span className="block truncate font-medium text-gray-100">{user.name}</span>
                      {/* Empty when the server does not show this address to us. */}
                      {user.email && <span className="block truncate text-xs text-gray-400">{user.email}</span>}
                    </span>
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
