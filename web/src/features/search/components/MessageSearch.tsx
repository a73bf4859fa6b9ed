import { useId, useState } from 'react';
import { TextSearch, X } from 'lucide-react';
import { Spinner } from '../../../components/ui/Spinner';
import { formatTime } from '../../../lib/time';
import type { SearchHit } from '../../../lib/wire';
import { MAX_QUERY_CHARS } from '../api/searchApi';
import { useMessageSearch } from '../hooks/useMessageSearch';
import { highlightSegments } from '../model/highlight';

interface MessageSearchProps {
  /** How the chat list names a chat, and a member. */
  chatName: (chatId: string) => string;
  senderName: (userId: string) => string;
  /** A result was picked: show its message in its chat. */
  onOpen: (hit: SearchHit) => void;
}

/** A search box over the messages of my chats; each result opens its chat at the message. */
export function MessageSearch({ chatName, senderName, onOpen }: MessageSearchProps) {
  const [input, setInput] = useState('');
  const inputId = useId();
  const search = useMessageSearch(input);
  const hits = search.data?.messages ?? [];
  const open = input.trim().length > 0;

  return (
    <div>
      {/* The box on its own: the icon and the clear button centre on it, not on the results. */}
      <div className="relative">
        <label htmlFor={inputId} className="sr-only">
          Search messages
        </label>
        <TextSearch size={18} aria-hidden="true" className="pointer-events-none absolute top-1/2 left-3 -translate-y-1/2 text-gray-400" />
        <input
          id={inputId}
          type="search"
          value={input}
          maxLength={MAX_QUERY_CHARS}
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && setInput('')}
          placeholder="Search messages"
          autoComplete="off"
          data-testid="message-search"
          className="min-h-11 w-full rounded-xl border border-white/10 bg-gray-900/60 py-2 pr-10 pl-10 text-sm text-gray-100 placeholder:text-gray-400 focus:border-blue-500 focus:outline-none focus-visible:outline-2 focus-visible:outline-blue-400 [&::-webkit-search-cancel-button]:hidden"
        />
        {open && (
          <button
            type="button"
            aria-label="Clear message search"
            onClick={() => setInput('')}
            className="absolute top-0 right-0 inline-flex size-11 items-center justify-center rounded-xl text-gray-400 hover:text-white"
          >
            <X size={16} aria-hidden="true" />
          </button>
        )}
      </div>
      {open && (
        <div className="mt-2 max-h-[45vh] overflow-y-auto focus-inset" aria-live="polite">
          {search.isFetching && hits.length === 0 ? (
            <div className="flex items-center gap-2 px-3 py-3 text-sm text-gray-300">
              <Spinner size="sm" /> Searching…
            </div>
          ) : search.isError ? (
            <p className="px-3 py-3 text-sm text-red-300">Search failed. Try again.</p>
          ) : hits.length === 0 && search.isFetched ? (
            <p className="px-3 py-3 text-sm text-gray-300">No messages found for “{input.trim()}”.</p>
          ) : (
            <ul aria-label="Messages found" className="space-y-1">
              {hits.map((hit) => (
                <li key={hit.message._id}>
                  <button
                    type="button"
                    data-testid="search-result"
                    onClick={() => {
                      onOpen(hit);
                      setInput('');
                    }}
                    className="flex min-h-14 w-full flex-col gap-0.5 rounded-xl px-3 py-2 text-left hover:bg-white/5"
                  >
                    <span className="flex w-full items-baseline gap-2 text-xs text-gray-300">
                      <span className="min-w-0 flex-1 truncate">
                        <span className="font-semibold text-gray-100">{chatName(hit.message.chatId)}</span>
                        {' · '}
                        {senderName(hit.message.sender)}
                      </span>
                      <time dateTime={hit.message.createdAt}>{formatTime(hit.message.createdAt)}</time>
                    </span>
                    <span className="line-clamp-2 text-sm break-words text-gray-200">
                      {highlightSegments(hit.message.text, hit.highlights).map((s, i) =>
                        s.hit ? (
                          <mark key={i} className="rounded bg-amber-300/30 px-0.5 text-amber-100">
                            {s.text}
                          </mark>
                        ) : (
                          <span key={i}>{s.text}</span>
                        ),
                      )}
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
