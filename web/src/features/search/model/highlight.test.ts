import { describe, expect, it } from 'vitest';
import { highlightSegments } from './highlight';

describe('highlightSegments', () => {
  it('marks the ranges the server found', () => {
    expect(highlightSegments('we deploy natter.toml', [[3, 9], [10, 21]])).toEqual([
      { text: 'we ', hit: false },
      { text: 'deploy', hit: true },
      { text: ' ', hit: false },
      { text: 'natter.toml', hit: true },
    ]);
  });

  it('counts in UTF-16 units, as the server does', () => {
    expect(highlightSegments('🦀🦀 hi', [[5, 7]])).toEqual([
      { text: '🦀🦀 ', hit: false },
      { text: 'hi', hit: true },
    ]);
  });

  it('shows the text around the first hit of a long message', () => {
    const text = `${'a '.repeat(100)}needle${' b'.repeat(100)}`;
    const segments = highlightSegments(text, [[200, 206]], 10);
    expect(segments[0]).toEqual({ text: '…', hit: false });
    expect(segments.find((s) => s.hit)?.text).toBe('needle');
    expect(segments.at(-1)).toEqual({ text: '…', hit: false });
  });

  it('ignores ranges that do not fit the text, and shows text without any', () => {
    expect(highlightSegments('short', [[3, 99], [4, 2]])).toEqual([{ text: 'short', hit: false }]);
    expect(highlightSegments('<b>x</b>', [])).toEqual([{ text: '<b>x</b>', hit: false }]);
  });
});
