import { describe, expect, it } from 'vitest';
import { serialRun } from './serialRun';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('serialRun', () => {
  it('runs once more after the run in flight when called during it, however often', async () => {
    const gates = [gate(), gate()] as const;
    let started = 0;
    const run = serialRun(async () => {
      await gates[started++ === 0 ? 0 : 1].opened;
    });
    const first = run();
    void run();
    const third = run();
    expect(started).toBe(1); // one at a time
    gates[0].open();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toBe(2); // the calls made meanwhile asked for one more run
    gates[1].open();
    await Promise.all([first, third]);
    expect(started).toBe(2);
  });

  it('runs again when called after a run ended', async () => {
    let runs = 0;
    const run = serialRun(async () => {
      runs++;
    });
    await run();
    await run();
    expect(runs).toBe(2);
  });

  it('still runs the asked-for run after a failed one, and the next call after that', async () => {
    const gates = [gate(), gate()] as const;
    let started = 0;
    const run = serialRun(async () => {
      const mine = started++;
      if (mine === 0) await gates[0].opened;
      if (mine === 1) await gates[1].opened;
      if (mine === 0) throw new Error('offline');
    });
    const first = run();
    void run();
    gates[0].open();
    gates[1].open();
    await first;
    expect(started).toBe(2);
    await run();
    expect(started).toBe(3);
  });
});
