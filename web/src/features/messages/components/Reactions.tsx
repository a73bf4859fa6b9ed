import type { Reaction } from '../../../lib/wire';

interface ReactionsProps {
  reactions: Reaction[];
  meId: string;
  /** A user's name as the reader knows it ("You" for the reader). */
  nameOf: (userId: string) => string;
  onToggle: (emoji: string, on: boolean) => void;
}

/** The emoji on a message with their counts; a click adds or takes back mine. */
export function Reactions({ reactions, meId, nameOf, onToggle }: ReactionsProps) {
  if (reactions.length === 0) return null;
  return (
    <ul className="mt-1 flex flex-wrap gap-1" aria-label="Reactions" data-testid="reactions">
      {reactions.map((r) => {
        const mine = r.users.includes(meId);
        const who = r.users.map(nameOf).join(', ');
        return (
          <li key={r.emoji}>
            <button
              type="button"
              aria-pressed={mine}
              aria-label={`${r.emoji} ${r.users.length}: ${who}`}
              title={who}
              data-testid="reaction"
              onClick={() => onToggle(r.emoji, !mine)}
              className={`inline-flex min-h-8 items-center gap-1 rounded-full border px-2 text-sm ${
                mine ? 'border-blue-400/70 bg-blue-500/25 text-white' : 'border-white/15 bg-gray-800/80 text-gray-100 hover:border-white/30'
              }`}
            >
              <span aria-hidden="true">{r.emoji}</span>
              <span className="text-xs font-medium tabular-nums" aria-hidden="true">
                {r.users.length}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
