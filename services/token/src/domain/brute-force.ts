/**
 * Brute-force protection of client authentication, as pure decisions; the
 * counters live in Redis (clients/auth-throttle.ts).
 *
 * Three counters of *failed* authentications, each in a fixed window:
 *
 * - per (client id, IP) pair: the first `pairFreeFailures` cost nothing,
 *   then each further failure blocks the pair for an escalating time
 *   (base, 2×base, 4×base, … capped at `pairMaxBlockMs`). A device that
 *   mistyped nothing is never behind another address' block, and a block
 *   never outlasts the cap: an attacker cannot lock a real device out for long.
 * - per IP (any client id): a cap against one address spraying client ids.
 * - per client id (any IP): a softer cap against a distributed attack on one
 *   client. Pairs that authenticated successfully recently ("known pairs",
 *   the real device's address) are exempt, so a distributed attack does not
 *   lock the device out.
 *
 * Only authentications that reach a real check are limited: a request whose
 * secret matches a verification cached in this replica is served without
 * touching Redis (it proved the secret already; nothing is being guessed).
 */

/** Settings, in milliseconds. */
export interface BruteForceSettings {
  readonly pairFreeFailures: number;
  readonly pairWindowMs: number;
  readonly pairBaseBlockMs: number;
  readonly pairMaxBlockMs: number;
  readonly ipMaxFailures: number;
  readonly ipWindowMs: number;
  readonly clientMaxFailures: number;
  readonly clientWindowMs: number;
  readonly knownPairMs: number;
}

/** How long a pair is blocked after its `failures`-th failure in the window. */
export function pairBlockMs(failures: number, settings: BruteForceSettings): number {
  const excess = failures - settings.pairFreeFailures;
  if (excess <= 0) return 0;
  // 2^30 already exceeds any sane cap; bound the exponent so the math stays exact.
  const factor = 2 ** Math.min(excess - 1, 30);
  return Math.min(settings.pairBaseBlockMs * factor, settings.pairMaxBlockMs);
}

/** What Redis says about a (client, IP) pair before an authentication. */
export interface ThrottleState {
  /** Remaining block of the pair (0 = none). */
  readonly pairBlockRemainingMs: number;
  readonly ipFailures: number;
  readonly ipResetMs: number;
  readonly clientFailures: number;
  readonly clientResetMs: number;
  /** The pair authenticated successfully within `knownPairMs`. */
  readonly knownPair: boolean;
}

/** Whether to attempt authentication, and if not, for how long and why. */
export type ThrottleDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly retryAfterMs: number;
      readonly limit: 'pair' | 'ip' | 'client';
    };

/** Decides from the counters whether an authentication may be attempted now. */
export function throttleDecision(
  state: ThrottleState,
  settings: BruteForceSettings,
): ThrottleDecision {
  if (state.pairBlockRemainingMs > 0) {
    return { allowed: false, retryAfterMs: state.pairBlockRemainingMs, limit: 'pair' };
  }
  if (state.ipFailures >= settings.ipMaxFailures) {
    return { allowed: false, retryAfterMs: Math.max(state.ipResetMs, 1), limit: 'ip' };
  }
  if (state.clientFailures >= settings.clientMaxFailures && !state.knownPair) {
    return { allowed: false, retryAfterMs: Math.max(state.clientResetMs, 1), limit: 'client' };
  }
  return { allowed: true };
}
