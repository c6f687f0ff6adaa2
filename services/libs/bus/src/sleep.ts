/**
 * Resolves after `ms`, or as soon as `signal` aborts (resolving, not
 * rejecting: callers check `signal.aborted` themselves, which keeps shutdown
 * paths free of exception handling).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
