/**
 * The services the all-in-one runner starts, in start order. Adding a service to
 * the single-machine default is one entry here plus a workspace dependency on its
 * package: the runner spawns `node <package>/dist/main.js` as its own process —
 * exactly as in production — with the environment built below.
 */
export interface PlatformEndpoints {
  /** Connection string of the embedded PostgreSQL database every service shares (one schema each). */
  databaseUrl: string;
  redisUrl: string;
  /** Public base URL of the runner's host, for links a service puts in its responses. */
  publicHost: string;
}

export interface ServiceSpec {
  /** Short name, used in logs and the printed table. */
  name: string;
  /** Module specifier of the service's entry point, resolved from this package. */
  entry: string;
  /** HTTP port the service listens on (printed as its URL), if it serves HTTP. */
  httpPort?: number;
  /** gRPC port, if it serves gRPC. */
  grpcPort?: number;
  /** The service's environment, from the shared endpoints. */
  env(endpoints: PlatformEndpoints): Record<string, string>;
}

/** Every service NES has so far. Issue-by-issue, each new service adds itself here. */
export const services: readonly ServiceSpec[] = [];
