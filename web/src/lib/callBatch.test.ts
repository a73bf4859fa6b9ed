import { describe, expect, it, vi } from 'vitest';
import { createCallBatch } from './callBatch';

function manual() {
  const runs: (() => void)[] = [];
  const batch = createCallBatch((run) => runs.push(run));
  return { batch, runs };
}

describe('createCallBatch', () => {
  it('runs the calls queued before a tick together, in order, and schedules once per tick', () => {
    const { batch, runs } = manual();
    const seen: number[] = [];
    batch.push(() => seen.push(1));
    batch.push(() => seen.push(2));
    batch.push(() => seen.push(3));
    expect(seen).toEqual([]);
    expect(runs).toHaveLength(1);
    runs[0]!();
    expect(seen).toEqual([1, 2, 3]);
    batch.push(() => seen.push(4));
    expect(runs).toHaveLength(2);
    runs[1]!();
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('leaves a call queued by a running call for the next tick', () => {
    const { batch, runs } = manual();
    const seen: string[] = [];
    batch.push(() => {
      seen.push('outer');
      batch.push(() => seen.push('inner'));
    });
    runs[0]!();
    expect(seen).toEqual(['outer']);
    runs[1]!();
    expect(seen).toEqual(['outer', 'inner']);
  });

  it('flush runs what is queued at once; the pending tick then finds nothing', () => {
    const { batch, runs } = manual();
    const seen: number[] = [];
    batch.push(() => seen.push(1));
    batch.flush();
    expect(seen).toEqual([1]);
    runs[0]!();
    expect(seen).toEqual([1]);
  });

  it('runs every call when one throws, and rethrows the error on its own', async () => {
    const { batch, runs } = manual();
    const seen: number[] = [];
    const rethrown = vi.fn();
    const spy = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => {
      try {
        fn();
      } catch (e) {
        rethrown(e);
      }
    });
    batch.push(() => seen.push(1));
    batch.push(() => {
      throw new Error('boom');
    });
    batch.push(() => seen.push(3));
    runs[0]!();
    spy.mockRestore();
    expect(seen).toEqual([1, 3]);
    expect(rethrown).toHaveBeenCalledWith(new Error('boom'));
  });

  it('runs at once when the schedule does', () => {
    const batch = createCallBatch((run) => run());
    const seen: number[] = [];
    batch.push(() => seen.push(1));
    batch.push(() => seen.push(2));
    expect(seen).toEqual([1, 2]);
  });
});
