import { createClient } from 'redis';
import type { ReadinessCheck } from '../lifecycle/readiness.js';
import type { Logger } from '../log/create-logger.js';

/** The node-redis client type NES uses (node-redis defaults, no modules or scripts). */
export type RedisClient = ReturnType<typeof makeClient>;

/** A Redis connection with its readiness check and an orderly close. */
export interface RedisHandle {
  readonly client: RedisClient;
  /** Resolves on the first successful connection (rejects only if closed before). */
  readonly connected: Promise<void>;
  /** Fails while disconnected; otherwise PINGs. */
  readonly check: ReadinessCheck;
  /** Sends QUIT and waits for pending replies, or drops the socket if that fails. */
  close(): Promise<void>;
}

/** Options of {@link createRedis}. */
export interface CreateRedisOptions {
  /** Per connection attempt. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Cap of the exponential reconnect delay. Default 2 s. */
  readonly maxReconnectDelayMs?: number;
}

const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Creates a node-redis client for `config.url` and starts connecting in the
 * background. It reconnects forever with capped exponential backoff and
 * jitter, and does not queue commands while offline: Redis holds only what
 * may be lost (caches, counters, nonces), so callers get an error at once and
 * decide, rather than hang until Redis is back. Connection errors are logged
 * (at most one line per 10 s while it stays down) and never crash the process.
 * Await `connected` where a service cannot start without Redis.
 */
export function createRedis(
  config: { readonly url: string },
  logger: Logger,
  options: CreateRedisOptions = {},
): RedisHandle {
  const log = logger.child({ subsystem: 'redis' });
  const maxDelay = options.maxReconnectDelayMs ?? 2_000;
  const client = makeClient(config.url, options.connectTimeoutMs ?? 5_000, maxDelay);

  let lastLogged = 0;
  let suppressed = 0;
  client.on('error', (error: unknown) => {
    const now = Date.now();
    if (now - lastLogged < ERROR_LOG_INTERVAL_MS) {
      suppressed += 1;
      return;
    }
    log.warn({ err: error, suppressed }, 'redis connection error; reconnecting');
    lastLogged = now;
    suppressed = 0;
  });
  client.on('ready', () => {
    if (lastLogged !== 0) log.info('redis connection restored');
    lastLogged = 0;
  });

  const connected = client.connect().then(() => undefined);
  // Rejects only when closed while connecting; keep that from being unhandled.
  connected.catch(() => undefined);

  return {
    client,
    connected,
    check: async () => {
      if (!client.isReady) throw new Error('redis not connected');
      await client.ping();
    },
    async close() {
      try {
        await client.close();
      } catch {
        client.destroy();
      }
    },
  };
}

function makeClient(url: string, connectTimeoutMs: number, maxDelayMs: number) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries) =>
        Math.min(50 * 2 ** retries, maxDelayMs) + Math.floor(Math.random() * 100),
    },
  });
}
