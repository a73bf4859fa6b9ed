import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dayLabel } from './time';
import { useToday } from './useToday';

describe('useToday', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2026, 11, 3, 23, 58));
  });
  afterEach(() => vi.useRealTimers());

  it('keeps one moment through the day and moves on after midnight', () => {
    const sent = new Date(2026, 11, 3, 16, 5).toISOString();
    const { result } = renderHook(() => useToday());
    const first = result.current;
    expect(dayLabel(sent, first)).toBe('Today');
    act(() => void vi.advanceTimersByTime(60_000));
    expect(result.current).toBe(first);
    act(() => void vi.advanceTimersByTime(2 * 60_000));
    expect(result.current).not.toBe(first);
    expect(dayLabel(sent, result.current)).toBe('Yesterday');
  });

  it('notices a new day when the tab comes back on screen, before the next tick', () => {
    const { result } = renderHook(() => useToday(3_600_000));
    const first = result.current;
    vi.setSystemTime(new Date(2026, 11, 4, 8, 0));
    act(() => void document.dispatchEvent(new Event('visibilitychange')));
    expect(result.current.getDate()).toBe(4);
    expect(first.getDate()).toBe(3);
  });
});
