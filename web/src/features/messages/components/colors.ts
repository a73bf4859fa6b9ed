/**
 * The colours of a message and of the lines between messages, in one place so the
 * contrast test measures exactly what the bubbles use (WCAG AA: 4.5:1 for text, the
 * 11 px time and the ticks included). Full class names, so Tailwind finds them.
 */
export const MINE = {
  bg: 'bg-blue-600',
  text: 'text-white',
  meta: 'text-blue-50',
  tick: 'text-blue-50',
  seenTick: 'text-white',
  link: 'text-white',
} as const;

export const THEIRS = {
  bg: 'bg-gray-700',
  text: 'text-gray-50',
  meta: 'text-gray-300',
  link: 'text-blue-200',
} as const;

/** Text straight on the pane (day separators, the unread line, names): measured on gray-800, its lightest backdrop. */
export const PANE = {
  bg: 'bg-gray-800',
  day: 'text-gray-300',
  unread: 'text-sky-300',
  senderName: 'text-blue-200',
} as const;
