import { describe, expect, it } from 'vitest';
import { formatLastSeen } from './lastSeen';

const now = Date.parse('2026-12-03T12:00:00.000Z');
const ago = (ms: number) => new Date(now - ms).toISOString();

describe('formatLastSeen', () => {
  it('says how long ago in the largest whole unit', () => {
    expect(formatLastSeen(ago(20_000), now)).toBe('last seen just now');
    expect(formatLastSeen(ago(5 * 60_000 + 30_000), now)).toBe('last seen 5 min ago');
    expect(formatLastSeen(ago(3 * 3_600_000), now)).toBe('last seen 3 h ago');
    expect(formatLastSeen(ago(30 * 3_600_000), now)).toBe('last seen yesterday');
    expect(formatLastSeen(ago(3 * 86_400_000), now)).toBe('last seen 3 days ago');
    expect(formatLastSeen(ago(30 * 86_400_000), now)).toMatch(/^last seen on /);
  });

  it('treats a clock a little ahead of ours as just now, and garbage as nothing', () => {
    expect(formatLastSeen(new Date(now + 5_000).toISOString(), now)).toBe('last seen just now');
    expect(formatLastSeen('not a time', now)).toBe('');
  });
});
