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

/**
 * Waits `ms` in slices of at most `sliceMs`, calling `keepAlive` after each
 * (a consumer's heartbeat during a long backoff, so the group does not evict
 * it); returns early once `signal` aborts. A rejection of `keepAlive` ends
 * the wait with it.
 */
export async function sleepKeepingAlive(
  ms: number,
  keepAlive: (() => Promise<void>) | undefined,
  signal: AbortSignal,
  sliceMs = 1000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!signal.aborted && Date.now() < until) {
    await sleep(Math.min(sliceMs, until - Date.now()), signal);
    if (keepAlive !== undefined) await keepAlive();
  }
}
