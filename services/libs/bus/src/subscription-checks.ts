import type { SubscribeOptions } from './event-bus.js';

/** Rejects unusable subscription options before any connection is made. */
export function validateSubscription(options: SubscribeOptions): void {
  if (options.group.trim() === '' || options.group.length > 256) {
    throw new RangeError('subscribe: group must be 1–256 characters');
  }
  if (options.topics.length === 0) throw new RangeError('subscribe: topics must not be empty');
  for (const topic of options.topics) {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) {
      throw new RangeError(`subscribe: topic '${topic.slice(0, 64)}' is not a valid topic name`);
    }
  }
  if (options.retry !== undefined && !(options.retry.maxAttempts >= 1)) {
    throw new RangeError('subscribe: retry.maxAttempts must be ≥ 1');
  }
}

/** Rejects with a clear error when `promise` does not settle within `ms` (readiness probes). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
