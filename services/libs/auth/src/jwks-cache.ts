import { TemporarilyUnavailableError } from '@nes/kit';
import { toVerificationKey, type VerificationKey } from './algorithms.js';

/** The subset of `fetch` the cache uses (tests pass their own). */
export type FetchLike = (
  url: string,
  init: { signal: AbortSignal; headers: Record<string, string> },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** Options of {@link createJwksCache}. */
export interface JwksCacheOptions {
  readonly uri: string;
  /** Default: the global fetch. */
  readonly fetch?: FetchLike;
  /** Epoch ms. Default Date.now. */
  readonly now?: () => number;
  /** A fetched key set is refreshed after this long. Default 10 min. */
  readonly maxAgeMs?: number;
  /** Least time between two fetches caused by unknown kids. Default 30 s. */
  readonly cooldownMs?: number;
  /** Bound of one fetch. Default 5 s. */
  readonly timeoutMs?: number;
  /** Most keys kept from one document. Default 32. */
  readonly maxKeys?: number;
}

/** The issuer's published keys, fetched on demand and cached. */
export interface JwksCache {
  /**
   * The key for `kid`: from the cache; after a refresh when the set is older
   * than its max age; after one refetch when the kid is unknown (at most once
   * per cooldown, so tokens with made-up kids cannot make us hammer the
   * issuer). Undefined when the issuer does not publish it.
   *
   * @throws TemporarilyUnavailableError when no key set could be fetched yet.
   */
  getKey(kid: string): Promise<VerificationKey | undefined>;
  /** Fetches the key set now. */
  refresh(): Promise<void>;
}

/** Pause after a failed first fetch before the next attempt. */
const FAILED_RETRY_MS = 1_000;

/** Creates a {@link JwksCache} for the JWKS at `options.uri`. */
export function createJwksCache(options: JwksCacheOptions): JwksCache {
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? 600_000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxKeys = options.maxKeys ?? 32;
  let keys: Map<string, VerificationKey> | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;

  async function load(): Promise<void> {
    attemptedAt = now();
    const response = await doFetch(options.uri, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/jwk-set+json, application/json' },
    });
    if (!response.ok) throw new Error(`JWKS fetch answered HTTP ${response.status}`);
    const document = (await response.json()) as { keys?: unknown } | null;
    if (!Array.isArray(document?.keys)) throw new Error('JWKS document has no keys array');
    const next = new Map<string, VerificationKey>();
    for (const jwk of document.keys.slice(0, maxKeys)) {
      const key = toVerificationKey(jwk);
      if (key !== undefined && !next.has(key.kid)) next.set(key.kid, key);
    }
    keys = next;
    fetchedAt = now();
  }

  function refresh(): Promise<void> {
    inFlight ??= load().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  /** Refreshes, keeping the old set when the issuer cannot be reached. */
  async function tryRefresh(): Promise<void> {
    try {
      await refresh();
    } catch (error) {
      if (keys === undefined) {
        throw new TemporarilyUnavailableError('the token signing keys cannot be fetched', {
          cause: error,
        });
      }
    }
  }

  return {
    async getKey(kid) {
      const at = now();
      if (keys === undefined) {
        // No set yet: concurrent calls share one fetch, and after a failure
        // callers are refused for a moment rather than each fetching again.
        if (inFlight === undefined && at - attemptedAt < FAILED_RETRY_MS) {
          throw new TemporarilyUnavailableError('the token signing keys cannot be fetched');
        }
        await tryRefresh();
      } else if (at - fetchedAt >= maxAgeMs && at - attemptedAt >= Math.min(cooldownMs, maxAgeMs)) {
        await tryRefresh();
      }
      const known = keys?.get(kid);
      if (known !== undefined) return known;
      if (now() - attemptedAt < cooldownMs) return undefined;
      await tryRefresh();
      return keys?.get(kid);
    },
    refresh,
  };
}
