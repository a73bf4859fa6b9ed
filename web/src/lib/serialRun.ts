/**
 * Runs `task` one at a time. A call while it runs is not dropped: it asks for one more
 * run right after the current one, however many calls came meanwhile. A call means
 * "something changed since the last run started", so the run in flight may have read
 * too early (a reconnect's catch-up that began on the browser's `online` event, before
 * the socket was back and before the other tab sent what it held).
 */
export function serialRun(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;

  const loop = async () => {
    do {
      again = false;
      try {
        await task();
      } catch {
        // The task reports its own failures; a call made meanwhile still gets its run.
      }
    } while (again);
    running = null;
  };

  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = loop();
    return running;
  };
}
