/**
 * When signing keys start, stop and disappear — pure functions over the key
 * set, so every replica computes the same answer from the same rows.
 *
 * A key signs from its `activatesAt` until the next key's `activatesAt`
 * (its successor). It is published in the JWKS from the moment it exists —
 * at least `publishLeadMs` before it signs anything, so every verifier's
 * cached JWKS knows it in time — until the last token it signed has expired:
 * successor's activation + token lifetime + clock skew. Then it is deleted.
 */

/** What the schedule needs to know about a key. */
export interface ScheduledKey {
  readonly kid: string;
  /** Epoch ms. */
  readonly activatesAt: number;
}

/** Timing settings of the schedule. */
export interface KeySchedule {
  readonly rotationIntervalMs: number;
  readonly publishLeadMs: number;
  readonly tokenLifetimeMs: number;
  /** Tolerance for verifiers' clocks running behind ours. */
  readonly clockSkewMs: number;
}

/** What maintenance has to do now. */
export interface KeyPlan {
  /** Activation times of keys to create. */
  readonly create: readonly number[];
  /** Keys whose tokens have all expired: delete them. */
  readonly remove: readonly string[];
}

/** Keys sorted by activation, oldest first. */
function byActivation<K extends ScheduledKey>(keys: readonly K[]): K[] {
  return [...keys].sort((a, b) => a.activatesAt - b.activatesAt || a.kid.localeCompare(b.kid));
}

/** The key that signs at `now`: the latest activated one. */
export function currentKey<K extends ScheduledKey>(keys: readonly K[], now: number): K | undefined {
  let current: K | undefined;
  for (const key of keys) {
    if (
      key.activatesAt <= now &&
      (current === undefined || key.activatesAt > current.activatesAt)
    ) {
      current = key;
    }
  }
  return current;
}

/** Until when a key must stay published: forever (undefined) while it has no successor. */
export function publishedUntil(
  key: ScheduledKey,
  keys: readonly ScheduledKey[],
  schedule: KeySchedule,
): number | undefined {
  let successor: number | undefined;
  for (const other of keys) {
    if (
      other.activatesAt > key.activatesAt &&
      (successor === undefined || other.activatesAt < successor)
    ) {
      successor = other.activatesAt;
    }
  }
  return successor === undefined
    ? undefined
    : successor + schedule.tokenLifetimeMs + schedule.clockSkewMs;
}

/** The keys a JWKS published at `now` contains. */
export function publishedKeys<K extends ScheduledKey>(
  keys: readonly K[],
  now: number,
  schedule: KeySchedule,
): K[] {
  return byActivation(keys).filter((key) => {
    const until = publishedUntil(key, keys, schedule);
    return until === undefined || now < until;
  });
}

/**
 * What to create and delete at `now` so that there is always a current key
 * and exactly one future key. When nothing can sign (the first start, or the
 * database's keys all lie in the future) a key signs at once: verifiers
 * fetch the JWKS again on an unknown kid; every later one is created a full
 * rotation interval ahead, and never less than `publishLeadMs` ahead (after
 * a long outage the schedule resumes from now rather than activating a key
 * nobody has seen).
 */
export function planKeyMaintenance(
  keys: readonly ScheduledKey[],
  now: number,
  schedule: KeySchedule,
): KeyPlan {
  const create: number[] = [];
  const current = currentKey(keys, now);
  const hasFuture = keys.some((key) => key.activatesAt > now);
  let base = current?.activatesAt;
  if (current === undefined) {
    // Nothing can sign: a key that signs at once beats refusing every grant.
    create.push(now);
    base = now;
  }
  if (!hasFuture) {
    const activation = Math.max(
      (base ?? now) + schedule.rotationIntervalMs,
      now + schedule.publishLeadMs,
    );
    create.push(activation);
  }
  const all: ScheduledKey[] = [...keys, ...create.map((activatesAt) => ({ kid: '', activatesAt }))];
  const remove = keys
    .filter((key) => {
      const until = publishedUntil(key, all, schedule);
      return until !== undefined && now >= until;
    })
    .map((key) => key.kid);
  return { create, remove };
}
