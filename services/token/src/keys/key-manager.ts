import { setTimeout as sleep } from 'node:timers/promises';
import { withTransaction, type Logger } from '@nes/kit';
import type pg from 'pg';
import {
  deleteSigningKeys,
  insertSigningKey,
  listSigningKeys,
  takeRotationLock,
  updateSealedKey,
  type SigningKeyRow,
} from '../db/key-queries.js';
import { planKeyMaintenance, type KeySchedule } from '../domain/key-schedule.js';
import type { TokenMetrics } from '../metrics.js';
import { openPrivateKey, sealPrivateKey, type EncryptionKey } from './key-encryption.js';
import { loadKey, type KeyRing, type LoadedKey } from './key-ring.js';
import { generateSigningKey, type SigningAlgorithm } from './signing-algorithms.js';

/** Keeps a replica's key ring in step with the database, and rotates keys when due. */
export interface KeyManager {
  /**
   * One maintenance round: rotate/delete/re-seal if due (under the lock),
   * then reload. Resolves after a round that began after the call: one
   * already running (it read the time and the keys before) is waited for,
   * then one more runs for every caller that arrived meanwhile.
   */
  refresh(): Promise<void>;
  /** Runs `refresh` every interval (with jitter) until `stop`. */
  start(): void;
  stop(): Promise<void>;
  /** Readiness: a key can sign now. */
  check(): Promise<void>;
}

/** Options of {@link createKeyManager}. */
export interface KeyManagerOptions {
  readonly pool: pg.Pool;
  readonly ring: KeyRing;
  readonly schedule: KeySchedule;
  readonly algorithm: SigningAlgorithm;
  /** The KEK new keys are sealed with. */
  readonly encryptionKey: EncryptionKey;
  /** Older KEKs that may still seal stored keys. */
  readonly previousEncryptionKeys: readonly EncryptionKey[];
  readonly refreshIntervalMs: number;
  readonly now: () => number;
  readonly logger: Logger;
  readonly metrics: TokenMetrics;
}

/**
 * Signing keys live in Postgres, sealed. Every replica reloads them every
 * refresh interval; any replica may find a rotation due, and the one that
 * takes the transaction-scoped advisory lock first makes the change (the
 * others wait for it, then see nothing left to do). Private keys are opened
 * only in memory and never leave the process.
 */
export function createKeyManager(options: KeyManagerOptions): KeyManager {
  const { pool, ring, schedule, now, metrics } = options;
  const logger = options.logger.child({ subsystem: 'keys' });
  const keks = new Map(
    [options.encryptionKey, ...options.previousEncryptionKeys].map((k) => [k.id, k]),
  );
  const loaded = new Map<string, LoadedKey>();
  const failedKids = new Set<string>();
  let running: Promise<void> | undefined;
  /** The round after the running one, shared by everyone who asked during it. */
  let queued: Promise<void> | undefined;
  let timer: AbortController | undefined;
  let loop: Promise<void> | undefined;

  function sealedRow(activatesAt: number, createdAt: number): SigningKeyRow {
    const key = generateSigningKey(options.algorithm);
    const sealed = sealPrivateKey(key.privateKey, key.kid, key.alg, options.encryptionKey);
    return {
      kid: key.kid,
      alg: key.alg,
      publicJwk: key.publicJwk,
      kekId: sealed.kekId,
      sealedPrivateKey: sealed.sealed,
      createdAt: new Date(createdAt),
      activatesAt: new Date(activatesAt),
    };
  }

  function scheduled(rows: readonly SigningKeyRow[]) {
    return rows.map((row) => ({ kid: row.kid, activatesAt: row.activatesAt.getTime() }));
  }

  function needsWork(rows: readonly SigningKeyRow[], at: number): boolean {
    const plan = planKeyMaintenance(scheduled(rows), at, schedule);
    return (
      plan.create.length > 0 ||
      plan.remove.length > 0 ||
      rows.some((row) => row.kekId !== options.encryptionKey.id && keks.has(row.kekId))
    );
  }

  /** Changes the key set under the lock; returns what changed. */
  async function maintain(at: number): Promise<{ created: string[]; removed: string[] }> {
    return withTransaction(pool, async (tx) => {
      await takeRotationLock(tx);
      // Read again under the lock: another replica may have done the work.
      const rows = await listSigningKeys(tx);
      const plan = planKeyMaintenance(scheduled(rows), at, schedule);
      const created: string[] = [];
      for (const activatesAt of plan.create) {
        const row = sealedRow(activatesAt, at);
        await insertSigningKey(tx, row);
        created.push(row.kid);
      }
      await deleteSigningKeys(tx, plan.remove);
      for (const row of rows) {
        if (row.kekId === options.encryptionKey.id || plan.remove.includes(row.kid)) continue;
        if (!keks.has(row.kekId)) continue;
        const privateKey = openPrivateKey(
          { kekId: row.kekId, sealed: row.sealedPrivateKey },
          row.kid,
          row.alg,
          keks,
        );
        const resealed = sealPrivateKey(privateKey, row.kid, row.alg, options.encryptionKey);
        await updateSealedKey(tx, row.kid, resealed.kekId, resealed.sealed);
      }
      return { created, removed: plan.remove.filter((kid) => rows.some((r) => r.kid === kid)) };
    });
  }

  function load(rows: readonly SigningKeyRow[], at: number): void {
    const keys: LoadedKey[] = [];
    for (const row of rows) {
      let key = loaded.get(row.kid);
      if (key === undefined) {
        try {
          const privateKey = openPrivateKey(
            { kekId: row.kekId, sealed: row.sealedPrivateKey },
            row.kid,
            row.alg,
            keks,
          );
          key = loadKey({
            kid: row.kid,
            alg: row.alg,
            activatesAt: row.activatesAt.getTime(),
            privateKey,
            publicJwk: row.publicJwk,
          });
          loaded.set(row.kid, key);
          failedKids.delete(row.kid);
        } catch (error) {
          // One unreadable key must not take the others down; readiness tells if it was the current one.
          if (!failedKids.has(row.kid))
            logger.error({ err: error, kid: row.kid }, 'signing key not loaded');
          failedKids.add(row.kid);
          continue;
        }
      }
      keys.push(key);
    }
    const present = new Set(rows.map((row) => row.kid));
    for (const kid of loaded.keys()) if (!present.has(kid)) loaded.delete(kid);
    ring.replace(keys, at);
    metrics.keysLoaded(keys.length, ring.signingKey(at) !== undefined);
  }

  async function refreshOnce(): Promise<void> {
    const at = now();
    let rows = await listSigningKeys(pool);
    if (needsWork(rows, at)) {
      const { created, removed } = await maintain(at);
      if (created.length > 0 || removed.length > 0) {
        metrics.keysChanged(created.length, removed.length);
        logger.info({ created, removed }, 'signing keys rotated');
      }
      rows = await listSigningKeys(pool);
    }
    load(rows, at);
  }

  function refresh(): Promise<void> {
    if (running === undefined) {
      running = refreshOnce().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return refresh();
      });
    return queued;
  }

  return {
    refresh,
    start() {
      if (loop !== undefined) return;
      timer = new AbortController();
      const signal = timer.signal;
      loop = (async () => {
        while (!signal.aborted) {
          // ±10 % jitter keeps replicas from refreshing in lockstep.
          const delay = options.refreshIntervalMs * (0.9 + Math.random() * 0.2);
          try {
            await sleep(delay, undefined, { signal });
          } catch {
            return;
          }
          try {
            await refresh();
          } catch (error) {
            logger.error({ err: error }, 'signing key refresh failed; keeping the loaded keys');
          }
        }
      })();
    },
    async stop() {
      timer?.abort();
      await loop;
      await (queued ?? running)?.catch(() => undefined);
    },
    check() {
      if (ring.signingKey(now()) === undefined) {
        return Promise.reject(new Error('no signing key is available'));
      }
      return Promise.resolve();
    },
  };
}
