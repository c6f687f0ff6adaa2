/**
 * A wake-up flag for polling loops that also listen for notifications: a
 * notification that arrives while the loop is busy is remembered, so the
 * next wait returns at once instead of sleeping through new work.
 */
export class Waker {
  private pending = false;
  private wakeUp: (() => void) | undefined;

  /** Wakes the current or next waiter. */
  notify(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /** Resolves on notify, after `ms`, or when `signal` aborts, whichever is first. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.pending || signal?.aborted === true) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wakeUp = undefined;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.wakeUp = done;
    });
  }
}
