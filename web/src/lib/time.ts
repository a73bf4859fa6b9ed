/**
 * How times read in the client, in the reader's local time zone and in English (the
 * client's only language), built by hand so they do not vary with the ICU data.
 * `now` is a parameter wherever "today" matters, so tests pin it.
 */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

function hhmm(d: Date): string {
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Whole calendar days from `d` to `now` (0 = same local day, 1 = yesterday), DST-proof. */
function daysBefore(d: Date, now: Date): number {
  const a = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  const b = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  return Math.round((b - a) / 86_400_000);
}

/** HH:mm in the reader's local time zone. */
export function formatTime(iso: string): string {
  const d = parse(iso);
  return d ? hhmm(d) : '';
}

/** The local calendar day of `iso` as "YYYY-MM-DD": equal for two times on the same day. */
export function dayKey(iso: string): string {
  const d = parse(iso);
  if (!d) return '';
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** A day separator: "Today", "Yesterday", a weekday within the last week, else "3 December 2026". */
export function dayLabel(iso: string, now: Date = new Date()): string {
  const d = parse(iso);
  if (!d) return '';
  const ago = daysBefore(d, now);
  if (ago === 0) return 'Today';
  if (ago === 1) return 'Yesterday';
  if (ago > 1 && ago < 7) return DAYS[d.getDay()] ?? '';
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}

/** The chat list's time: "14:02" today, "Yesterday", "Mon" this week, "3 Dec" this year, else "3 Dec 2025". */
export function shortTime(iso: string, now: Date = new Date()): string {
  const d = parse(iso);
  if (!d) return '';
  const ago = daysBefore(d, now);
  if (ago <= 0) return hhmm(d);
  if (ago === 1) return 'Yesterday';
  if (ago < 7) return (DAYS[d.getDay()] ?? '').slice(0, 3);
  const dayMonth = `${d.getDate()} ${(MONTHS[d.getMonth()] ?? '').slice(0, 3)}`;
  return d.getFullYear() === now.getFullYear() ? dayMonth : `${dayMonth} ${d.getFullYear()}`;
}

/** "3 Dec 14:02": a time with its day, as an image's alt text says when it was sent. */
export function dayAndTime(iso: string): string {
  const d = parse(iso);
  if (!d) return '';
  return `${d.getDate()} ${(MONTHS[d.getMonth()] ?? '').slice(0, 3)} ${hhmm(d)}`;
}

/** "Wednesday, 3 December 2026 at 14:02": on hover and for screen readers. */
export function fullTimestamp(iso: string): string {
  const d = parse(iso);
  if (!d) return '';
  return `${DAYS[d.getDay()]}, ${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()} at ${hhmm(d)}`;
}
