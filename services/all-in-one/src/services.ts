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
  /**
   * SHA-256 (hex) of the installation's administrator API key, which the runner
   * generates on first start and keeps in its home (`admin-api-key`, 0600).
   */
  adminApiKeySha256: string;
  /**
   * A random secret generated on first start and kept in the runner's home
   * (0600), stable across restarts: signing and encryption keys of the
   * single-machine default. Deployments configure their own.
   */
  secret(name: string): string;
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

/** The telemetry service's two processes share their variables. */
function telemetryEnv(endpoints: PlatformEndpoints): Record<string, string> {
  return {
    NES_TEL_HTTP_PORT: '8084',
    NES_TEL_PROJECTOR_HTTP_PORT: '8085',
    NES_TEL_DATABASE_URL: endpoints.databaseUrl,
    NES_TEL_REDIS_URL: endpoints.redisUrl,
    // Tokens name the token service's public URL as issuer; its keys are fetched locally.
    NES_TEL_AUTH_ISSUER: `http://${endpoints.publicHost}:8082`,
    NES_TEL_AUTH_JWKS_URI: 'http://127.0.0.1:8082/oauth2/jwks',
    NES_TEL_REGISTRATION_GRPC_TARGET: '127.0.0.1:50061',
  };
}

/** Every service NES has so far. Issue-by-issue, each new service adds itself here. */
export const services: readonly ServiceSpec[] = [
  {
    name: 'registration',
    entry: '@nes/registration/main',
    httpPort: 8081,
    grpcPort: 50061,
    env: (endpoints) => ({
      NES_REG_HTTP_PORT: '8081',
      NES_REG_GRPC_PORT: '50061',
      NES_REG_DATABASE_URL: endpoints.databaseUrl,
      NES_REG_REDIS_URL: endpoints.redisUrl,
      NES_REG_PUBLIC_URL: `http://${endpoints.publicHost}:8081`,
      NES_REG_CRT_SIGNING_KEY: `aio:${endpoints.secret('registration-crt-signing-key')}`,
      NES_REG_ADMIN_API_KEYS: `admin:${endpoints.adminApiKeySha256}`,
    }),
  },
  {
    name: 'token',
    entry: '@nes/token/main',
    httpPort: 8082,
    env: (endpoints) => ({
      NES_TOKEN_HTTP_PORT: '8082',
      NES_TOKEN_DATABASE_URL: endpoints.databaseUrl,
      NES_TOKEN_REDIS_URL: endpoints.redisUrl,
      NES_TOKEN_ISSUER: `http://${endpoints.publicHost}:8082`,
      NES_TOKEN_REGISTRATION_GRPC_TARGET: '127.0.0.1:50061',
      NES_TOKEN_REGISTRATION_ENDPOINT: `http://${endpoints.publicHost}:8081/oauth2/register`,
      NES_TOKEN_KEYS_ENCRYPTION_KEY: `aio:${endpoints.secret('token-key-encryption-key')}`,
    }),
  },
  {
    name: 'directory-sync',
    entry: '@nes/directory-sync/main',
    httpPort: 8083,
    grpcPort: 50063,
    env: (endpoints) => ({
      NES_DIR_HTTP_PORT: '8083',
      NES_DIR_GRPC_PORT: '50063',
      NES_DIR_DATABASE_URL: endpoints.databaseUrl,
      // The embedded default only: the file-based demo directory (users and
      // passwords in services/directory-sync/README.md). Never in production.
      NES_DIR_DIRECTORY_KIND: 'demo',
    }),
  },
  {
    name: 'telemetry',
    entry: '@nes/telemetry/main',
    httpPort: 8084,
    env: telemetryEnv,
  },
  {
    // The projection consumer: its own process (and Deployment), same variables.
    name: 'telemetry-projector',
    entry: '@nes/telemetry/projector-main',
    httpPort: 8085,
    env: telemetryEnv,
  },
];
