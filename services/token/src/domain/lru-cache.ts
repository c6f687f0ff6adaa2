/**
 * A bounded map with least-recently-used eviction and a time-to-live per
 * entry, for the hot path (a JavaScript Map keeps insertion order: a hit
 * moves its entry to the end, eviction takes from the front). No timers:
 * expiry is checked on read against the injected clock.
 */
export interface LruCache<V> {
  /** The live value for `key`, or undefined (an expired entry is dropped). */
  get(key: string): V | undefined;
  /** Stores `value` for `ttlMs` (the cache's default when omitted). */
  set(key: string, value: V, ttlMs?: number): void;
  /** Removes `key`; true when something was removed. */
  delete(key: string): boolean;
  clear(): void;
  readonly size: number;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

/** Options of {@link createLruCache}. */
export interface LruCacheOptions {
  readonly maxEntries: number;
  readonly ttlMs: number;
  /** Epoch ms. */
  readonly now: () => number;
}

/** Creates an {@link LruCache}; `ttlMs` 0 disables caching (nothing is stored). */
export function createLruCache<V>(options: LruCacheOptions): LruCache<V> {
  const { maxEntries, ttlMs, now } = options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }
  const entries = new Map<string, Entry<V>>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, entryTtlMs = ttlMs) {
      if (entryTtlMs <= 0) return;
      entries.delete(key);
      entries.set(key, { value, expiresAt: now() + entryTtlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
    },
    delete(key) {
      return entries.delete(key);
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
