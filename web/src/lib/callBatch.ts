/**
 * Queues calls and runs them together, in the order they were queued, when `schedule`
 * says so (the socket uses the next animation frame). Each queued call runs even if an
 * earlier one throws; the error is rethrown on its own so it still reaches the console.
 */
export interface CallBatch {
  push: (call: () => void) => void;
  /** Runs everything queued now (the tab is being hidden: no frame will come). */
  flush: () => void;
}

export function createCallBatch(schedule: (run: () => void) => void): CallBatch {
  let queue: (() => void)[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    // Calls queued while these run (a handler's own emit) wait for the next batch.
    const calls = queue;
    queue = [];
    for (const call of calls) {
      try {
        call();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };

  return {
    push: (call) => {
      queue.push(call);
      if (scheduled) return;
      scheduled = true;
      schedule(flush);
    },
    flush,
  };
}
