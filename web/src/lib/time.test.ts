import { describe, expect, it } from 'vitest';
import { dayAndTime, dayKey, dayLabel, formatTime, fullTimestamp, shortTime } from './time';

// Local times (the reader's zone), so the tests hold in any TZ.
const at = (y: number, mo: number, d: number, h = 12, mi = 0) => new Date(y, mo - 1, d, h, mi).toISOString();
// Thursday 3 December 2026, 14:02 local.
const NOW = new Date(2026, 11, 3, 14, 2);

describe('dayLabel', () => {
  it('says Today and Yesterday by calendar day, not by 24 hours', () => {
    expect(dayLabel(at(2026, 12, 3, 0, 1), NOW)).toBe('Today');
    expect(dayLabel(at(2026, 12, 2, 23, 59), NOW)).toBe('Yesterday');
    expect(dayLabel(at(2026, 12, 2, 0, 0), NOW)).toBe('Yesterday');
  });

  it('names the weekday within the last week, then the full date', () => {
    expect(dayLabel(at(2026, 11, 30), NOW)).toBe('Monday');
    expect(dayLabel(at(2026, 11, 27), NOW)).toBe('Friday');
    expect(dayLabel(at(2026, 11, 26), NOW)).toBe('26 November 2026');
    expect(dayLabel(at(2025, 12, 3), NOW)).toBe('3 December 2025');
  });

  it('gives a date, not "Today", for a time after now (a skewed clock)', () => {
    expect(dayLabel(at(2026, 12, 5), NOW)).toBe('5 December 2026');
  });

  it('is empty for an unreadable time', () => {
    expect(dayLabel('not a date', NOW)).toBe('');
  });
});

describe('shortTime (the chat list)', () => {
  it('is the time today, "Yesterday", a short weekday, a short date', () => {
    expect(shortTime(at(2026, 12, 3, 9, 5), NOW)).toBe('09:05');
    expect(shortTime(at(2026, 12, 2, 22, 0), NOW)).toBe('Yesterday');
    expect(shortTime(at(2026, 11, 30), NOW)).toBe('Mon');
    expect(shortTime(at(2026, 1, 3), NOW)).toBe('3 Jan');
    expect(shortTime(at(2025, 12, 3), NOW)).toBe('3 Dec 2025');
  });
});

describe('full and short stamps', () => {
  it('spells out the day for hover and screen readers', () => {
    expect(fullTimestamp(at(2026, 12, 3, 14, 2))).toBe('Thursday, 3 December 2026 at 14:02');
    expect(dayAndTime(at(2026, 12, 3, 14, 2))).toBe('3 Dec 14:02');
    expect(formatTime(at(2026, 12, 3, 7, 9))).toBe('07:09');
  });

  it('gives one key per local day', () => {
    expect(dayKey(at(2026, 12, 3, 0, 0))).toBe(dayKey(at(2026, 12, 3, 23, 59)));
    expect(dayKey(at(2026, 12, 3))).not.toBe(dayKey(at(2026, 12, 4)));
  });
});
