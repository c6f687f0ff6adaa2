import { setTimeout as sleep } from 'node:timers/promises';
import { healthV1 } from '@nes/proto';
import { NotFoundError } from '../errors/problem-errors.js';
import type { Readiness } from '../lifecycle/readiness.js';
import type { ServiceHandlers } from './service-types.js';

const { HealthCheckResponse_ServingStatus: ServingStatus } = healthV1;
type ServingStatus = healthV1.HealthCheckResponse_ServingStatus;

/** Options of {@link createHealthHandlers}. */
export interface HealthOptions {
  /** The readiness behind every answer. */
  readonly readiness: Readiness;
  /** The fully qualified services this server hosts (asked for by name). */
  readonly services: () => ReadonlySet<string>;
  /** How often Watch re-evaluates readiness. Default 5 s. */
  readonly watchIntervalMs?: number;
}

/**
 * grpc.health.v1.Health, answered from the readiness checks: SERVING when
 * every check passes and no shutdown began, NOT_SERVING otherwise. The empty
 * service name means the whole server; every hosted service shares its
 * status. Check answers NOT_FOUND for unknown services; Watch sends
 * SERVICE_UNKNOWN, then every change, and ends with NOT_SERVING on shutdown
 * so that `tryShutdown` is not held up by open watches.
 */
export function createHealthHandlers(
  options: HealthOptions,
): ServiceHandlers<typeof healthV1.HealthService> {
  const { readiness } = options;
  const intervalMs = options.watchIntervalMs ?? 5_000;
  const shutdown = new Promise<void>((resolve) => readiness.onShutdown(resolve));

  const known = (service: string) => service === '' || options.services().has(service);

  async function current(): Promise<ServingStatus> {
    if (readiness.shuttingDown) return ServingStatus.NOT_SERVING;
    return (await readiness.check()).ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  }

  return {
    check: async (request) => {
      if (!known(request.service)) {
        throw new NotFoundError(`unknown service '${request.service.slice(0, 200)}'`);
      }
      return { status: await current() };
    },
    watch: async (request, stream, context) => {
      let last: ServingStatus | undefined;
      const send = (status: ServingStatus) => {
        if (status !== last) stream.write({ status });
        last = status;
      };
      if (!known(request.service)) send(ServingStatus.SERVICE_UNKNOWN);
      while (!context.signal.aborted) {
        if (readiness.shuttingDown) {
          send(ServingStatus.NOT_SERVING);
          return;
        }
        if (last !== ServingStatus.SERVICE_UNKNOWN) send(await current());
        // The timer is cancelled whichever way the wait ends, so that a
        // finished watch holds no timer that would delay process exit.
        const tick = new AbortController();
        const signal = AbortSignal.any([context.signal, tick.signal]);
        await Promise.race([
          sleep(intervalMs, undefined, { signal }).catch(() => undefined),
          shutdown,
        ]);
        tick.abort();
      }
    },
  };
}
