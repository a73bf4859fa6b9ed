import { useEffect, useState } from 'react';
import { dayKey } from './time';

/**
 * A moment of the reader's current day, replaced by a new one when the day changes, so
 * what reads "Today" in a tab left open overnight reads "Yesterday" in the morning.
 * Checked every minute and when the tab comes back on screen (a timer to midnight alone
 * would be late after the machine slept, or the clock moved).
 */
export function useToday(everyMs = 60_000): Date {
  const [today, setToday] = useState(() => new Date());
  useEffect(() => {
    const check = () => {
      const now = new Date();
      setToday((prev) => (dayKey(prev.toISOString()) === dayKey(now.toISOString()) ? prev : now));
    };
    const timer = setInterval(check, everyMs);
    document.addEventListener('visibilitychange', check);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', check);
    };
  }, [everyMs]);
  return today;
}
