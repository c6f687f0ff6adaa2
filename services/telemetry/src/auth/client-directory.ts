import {
  createGrpcClient,
  isAppError,
  ServiceUnavailableError,
  type ClientTlsFiles,
  type Logger,
  type RedisClient,
} from '@nes/kit';
import { healthV1, registrationV1 } from '@nes/proto';
import { z } from 'zod';
import type { ClientIdentity } from '../domain/telemetry-record.js';

/**
 * Who a registered client is, from the registration service (gRPC
 * GetClient), cached in Redis for `ttlSeconds` and dropped when a client
 * event arrives (see the republisher). While registration cannot answer, an
 * entry up to ten TTLs old still serves (stale-if-error). Identity fields of
 * telemetry come from here, never from a request body.
 */
export interface ClientDirectory {
  /**
   * The active client, or undefined when it is unknown or deleted.
   * @throws ServiceUnavailableError when registration cannot answer.
   */
  get(clientId: string, requestId: string): Promise<ClientIdentity | undefined>;
  /** Forgets a cached client (it changed or was deleted). */
  invalidate(clientId: string): Promise<void>;
  /** Readiness: registration answers gRPC health as serving. */
  check(): Promise<void>;
  close(): void;
}

/** Options of {@link createClientDirectory}. */
export interface ClientDirectoryOptions {
  readonly target: string;
  readonly deadlineMs: number;
  readonly tls?: ClientTlsFiles | undefined;
  readonly redis: RedisClient;
  readonly keyPrefix: string;
  /** 0 disables the cache. */
  readonly ttlSeconds: number;
  readonly logger: Logger;
}

const bounded = (max: number) => z.string().max(max);

/** A client as GetClient returns it, checked at the edge (strings bounded). */
const clientMessage = z.object({
  clientId: z.string().min(1).max(128),
  name: bounded(255),
  appName: bounded(255),
  osType: bounded(255),
  hostName: bounded(255),
  androidId: bounded(128),
  status: z.literal(registrationV1.ClientStatus.ACTIVE),
});

const cachedEntry = z.object({
  identity: z.object({
    clientId: z.string(),
    clientName: z.string(),
    appName: z.string(),
    osType: z.string(),
    hostName: z.string(),
    androidId: z.string(),
  }),
  /** Epoch ms of the GetClient answer. */
  fetchedAt: z.number(),
});

/** How much longer than its TTL an entry may serve while registration cannot answer. */
const STALE_FACTOR = 10;

/** Connects to the registration service and returns the cached directory. */
export async function createClientDirectory(
  options: ClientDirectoryOptions,
): Promise<ClientDirectory> {
  const grpcOptions = {
    deadlineMs: options.deadlineMs,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  };
  const registration = await createGrpcClient(
    registrationV1.RegistrationServiceClient,
    options.target,
    grpcOptions,
  );
  const health = await createGrpcClient(healthV1.HealthClient, options.target, grpcOptions);
  const logger = options.logger.child({ subsystem: 'client-directory' });
  const key = (clientId: string) => `${options.keyPrefix}client:${clientId}`;

  async function cached(
    clientId: string,
  ): Promise<{ identity: ClientIdentity; fresh: boolean } | undefined> {
    if (options.ttlSeconds === 0) return undefined;
    try {
      const text = await options.redis.get(key(clientId));
      if (text === null) return undefined;
      const parsed = cachedEntry.safeParse(JSON.parse(text));
      if (!parsed.success || parsed.data.identity.clientId !== clientId) return undefined;
      const age = Date.now() - parsed.data.fetchedAt;
      return { identity: parsed.data.identity, fresh: age < options.ttlSeconds * 1000 };
    } catch (error) {
      // The cache is an optimisation: without Redis, ask registration every time.
      logger.debug({ err: error }, 'client cache read failed');
      return undefined;
    }
  }

  async function remember(identity: ClientIdentity): Promise<void> {
    if (options.ttlSeconds === 0) return;
    try {
      const entry = JSON.stringify({ identity, fetchedAt: Date.now() });
      await options.redis.set(key(identity.clientId), entry, {
        expiration: { type: 'EX', value: options.ttlSeconds * STALE_FACTOR },
      });
    } catch (error) {
      logger.debug({ err: error }, 'client cache write failed');
    }
  }

  async function fetchClient(
    clientId: string,
    requestId: string,
  ): Promise<ClientIdentity | undefined> {
    let response: registrationV1.GetClientResponse;
    try {
      response = await registration.getClient({ clientId }, { requestId });
    } catch (error) {
      if (isAppError(error) && (error.status === 404 || error.status === 400)) return undefined;
      throw new ServiceUnavailableError(
        'the registration service is unavailable; try again later',
        {
          cause: error,
        },
      );
    }
    const parsed = clientMessage.safeParse(response.client);
    if (!parsed.success || parsed.data.clientId !== clientId) return undefined;
    const client = parsed.data;
    return {
      clientId: client.clientId,
      clientName: client.name,
      appName: client.appName,
      osType: client.osType,
      hostName: client.hostName,
      androidId: client.androidId,
    };
  }

  return {
    async get(clientId, requestId) {
      const hit = await cached(clientId);
      if (hit?.fresh === true) return hit.identity;
      let identity: ClientIdentity | undefined;
      try {
        identity = await fetchClient(clientId, requestId);
      } catch (error) {
        // Stale-if-error: a client known a little while ago may go on reporting
        // while registration is briefly unreachable. Deletions still apply at
        // once: their event drops the entry (see the republisher).
        if (hit === undefined) throw error;
        logger.warn({ clientId, err: error }, 'registration unavailable; using the cached client');
        return hit.identity;
      }
      if (identity !== undefined) await remember(identity);
      return identity;
    },
    async invalidate(clientId) {
      await options.redis.del(key(clientId));
    },
    async check() {
      const { status } = await health.check({ service: '' });
      if (status !== healthV1.HealthCheckResponse_ServingStatus.SERVING) {
        throw new Error(`registration service reports ${String(status)}`);
      }
    },
    close() {
      registration.close();
      health.close();
    },
  };
}
