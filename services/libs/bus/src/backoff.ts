/** Exponential backoff with proportional jitter. */
export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** Upper bound of any delay, ms (before jitter is subtracted). */
  readonly maxMs: number;
  /** Growth factor per attempt (≥ 1). */
  readonly multiplier: number;
  /**
   * Fraction of the delay that is randomised, 0–1: the delay is drawn from
   * [d·(1−jitter), d]. Jitter keeps replicas that failed together from
   * retrying in lock-step against a recovering broker.
   */
  readonly jitter: number;
}

/** Defaults for handler retries: quick first retries, capped at 10 s. */
export const DEFAULT_HANDLER_BACKOFF: BackoffPolicy = {
  initialMs: 200,
  maxMs: 10_000,
  multiplier: 2,
  jitter: 0.2,
};

/** Defaults for talking to an unavailable broker or database: capped at 30 s. */
export const DEFAULT_OUTAGE_BACKOFF: BackoffPolicy = {
  initialMs: 500,
  maxMs: 30_000,
  multiplier: 2,
  jitter: 0.3,
};

/**
 * Delay before retry number `retry` (1 = the first retry). `random` returns
 * a number in [0, 1) and is injectable so the math is testable.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  if (!Number.isFinite(retry) || retry < 1) return 0;
  const multiplier = Math.max(1, policy.multiplier);
  // Cap the exponent so the intermediate value stays finite for huge retry counts.
  const exponent = Math.min(retry - 1, 64);
  const base = Math.min(policy.maxMs, policy.initialMs * multiplier ** exponent);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.max(0, Math.round(base * (1 - jitter * random())));
}

/** Validates a policy from configuration; throws a RangeError naming the field. */
export function checkBackoffPolicy(policy: BackoffPolicy, name: string): BackoffPolicy {
  const { initialMs, maxMs, multiplier, jitter } = policy;
  if (!(initialMs >= 0)) throw new RangeError(`${name}.initialMs must be ≥ 0`);
  if (!(maxMs >= initialMs)) throw new RangeError(`${name}.maxMs must be ≥ initialMs`);
  if (!(multiplier >= 1)) throw new RangeError(`${name}.multiplier must be ≥ 1`);
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`${name}.jitter must be within 0–1`);
  return policy;
}
