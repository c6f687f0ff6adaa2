import { Server, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { healthV1 } from '@nes/proto';
import type { Readiness } from '../lifecycle/readiness.js';
import type { Logger } from '../log/create-logger.js';
import type { Metrics } from '../metrics/create-metrics.js';
import { createHealthHandlers } from './health-service.js';
import {
  serviceNameOf,
  type GrpcServiceDefinition,
  type ServiceHandlers,
} from './service-types.js';
import { loadServerCredentials, type ServerTlsFiles } from './tls.js';
import { wrapHandler } from './wrap-handler.js';

/** Options of {@link createGrpcServer}. */
export interface CreateGrpcServerOptions {
  readonly logger: Logger;
  /** Drives grpc.health.v1 (SERVING only when ready and not shutting down). */
  readonly health: Readiness;
  /** PEM files; omitted = plaintext (only inside a trusted network). */
  readonly tls?: ServerTlsFiles;
  /** Adds `grpc_server_handling_seconds{method,code}`. */
  readonly metrics?: Metrics;
  /** How often health Watch streams re-evaluate readiness. Default 5 s. */
  readonly healthWatchIntervalMs?: number;
}

/** A gRPC server with NES' conventions; see {@link createGrpcServer}. */
export interface GrpcServer {
  /** The grpc-js server, for what the helpers do not cover. */
  readonly server: Server;
  /** Adds a ts-proto service implemented by async handlers (wrapped: logging, errors, context). */
  addService<S extends GrpcServiceDefinition>(definition: S, handlers: ServiceHandlers<S>): void;
  /** Listens on host:port (port 0 = any free port); resolves with the bound port. */
  bind(host: string, port: number): Promise<number>;
  /** Stops listening on host:port (running calls go on), or cancels a pending bind. */
  unbind(host: string, port: number): void;
  /**
   * Stops accepting calls, lets running ones finish for up to `graceMs`
   * (default 10 s), then cancels what is left.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Creates a gRPC server that already serves grpc.health.v1.Health from the
 * readiness checks. Reads TLS files now, so a bad path fails at startup.
 */
export async function createGrpcServer(options: CreateGrpcServerOptions): Promise<GrpcServer> {
  const logger = options.logger.child({ subsystem: 'grpc' });
  const credentials = await loadServerCredentials(options.tls);
  const server = new Server();
  const services = new Set<string>();
  const durations = options.metrics?.histogram({
    name: 'grpc_server_handling_seconds',
    help: 'gRPC call duration by method and status code',
    labelNames: ['method', 'code'],
  });

  function addService<S extends GrpcServiceDefinition>(
    definition: S,
    handlers: ServiceHandlers<S>,
  ): void {
    const name = serviceNameOf(definition);
    const quiet = name === 'grpc.health.v1.Health';
    const implementation: UntypedServiceImplementation = {};
    for (const [key, method] of Object.entries(definition)) {
      implementation[key] = wrapHandler(method, handlers[key], { logger, durations, quiet });
    }
    // ts-proto definitions are grpc-js MethodDefinitions; our structural type
    // only narrows the serializer parameters (never vs any).
    server.addService(definition as unknown as ServiceDefinition, implementation);
    services.add(name);
  }

  addService(
    healthV1.HealthService,
    createHealthHandlers({
      readiness: options.health,
      services: () => services,
      ...(options.healthWatchIntervalMs === undefined
        ? {}
        : { watchIntervalMs: options.healthWatchIntervalMs }),
    }),
  );

  return {
    server,
    addService,
    bind(host, port) {
      return new Promise<number>((resolve, reject) => {
        server.bindAsync(address(host, port), credentials, (error, bound) => {
          if (error) reject(error);
          else {
            logger.info({ host, port: bound, tls: options.tls !== undefined }, 'grpc listening');
            resolve(bound);
          }
        });
      });
    },
    unbind(host, port) {
      server.unbind(address(host, port));
    },
    close(graceMs = 10_000) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn({ graceMs }, 'grpc calls still running after grace; cancelling them');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/** `host:port`, with IPv6 hosts in brackets. */
function address(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
