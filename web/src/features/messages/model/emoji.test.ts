import { describe, expect, it } from 'vitest';
import { EMOJI, insertAt } from './emoji';

describe('emoji picker', () => {
  it('offers about sixty distinct emoji, each with a name', () => {
    expect(EMOJI.length).toBeGreaterThanOrEqual(56);
    expect(new Set(EMOJI.map((e) => e.emoji)).size).toBe(EMOJI.length);
    expect(EMOJI.every((e) => e.name.length > 0)).toBe(true);
  });

  it('inserts at the caret or over the selection and puts the caret after it', () => {
    expect(insertAt('hi there', 2, 2, '👋')).toEqual({ text: 'hi👋 there', caret: 4 });
    expect(insertAt('hi there', 3, 8, '🎉')).toEqual({ text: 'hi 🎉', caret: 5 });
    expect(insertAt('', 0, 0, '❤️')).toEqual({ text: '❤️', caret: 2 });
    expect(insertAt('abc', 99, 99, '🔥')).toEqual({ text: 'abc🔥', caret: 5 });
  });
});
