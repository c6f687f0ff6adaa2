import { createHash, randomBytes } from 'node:crypto';
import { ConfigError, type BusConfig, type Env } from '@nes/kit';
import { loadConfig as loadRegistrationConfig } from '@nes/registration';
import { loadApiConfig, loadConfig as loadTelemetryConfig } from '@nes/telemetry';
import { loadConfig as loadTokenConfig } from '@nes/token';
// directory-sync exports only its process entry point; tests may reach its
// config module by path (the service itself stays as it is).
import { loadConfig as loadDirectoryConfig } from '../../../../services/directory-sync/src/config.js';

/** What the manifests must agree with, read from a process' parsed configuration. */
export interface ListenerConfig {
  /** The port serving /healthz, /readyz and /metrics (and the HTTP API, if any). */
  readonly httpPort: number;
  readonly grpcPort?: number;
  readonly bus: BusConfig;
  readonly shutdownTimeoutMs: number;
}

/** One process NES runs on Kubernetes: its Deployment and its own config loader. */
export interface NesProcess {
  readonly deployment: string;
  readonly container: string;
  /** The image it runs, before the registry and tag (`nes/<service>`). */
  readonly image: string;
  readonly prefix: string;
  /** Calls the service's own loader (throws ConfigError like the process would). */
  readonly load: (env: Env) => ListenerConfig;
}

export const processes: readonly NesProcess[] = [
  {
    deployment: 'nes-registration',
    container: 'registration',
    image: 'nes/registration',
    prefix: 'NES_REG_',
    load: (env) => {
      const c = loadRegistrationConfig(env);
      return listener(c.http.port, c.grpc.port, c.bus, c.shutdown.timeoutMs);
    },
  },
  {
    deployment: 'nes-token',
    container: 'token',
    image: 'nes/token',
    prefix: 'NES_TOKEN_',
    load: (env) => {
      const c = loadTokenConfig(env);
      return listener(c.http.port, undefined, c.bus, c.shutdown.timeoutMs);
    },
  },
  {
    deployment: 'nes-directory-sync',
    container: 'directory-sync',
    image: 'nes/directory-sync',
    prefix: 'NES_DIR_',
    load: (env) => {
      const c = loadDirectoryConfig(env);
      return listener(c.http.port, c.grpc.port, c.bus, c.shutdown.timeoutMs);
    },
  },
  {
    deployment: 'nes-telemetry',
    container: 'telemetry',
    image: 'nes/telemetry',
    prefix: 'NES_TEL_',
    // The API process' own loader: it also requires the issuer and registration.
    load: (env) => {
      const c = loadApiConfig(env);
      return listener(c.http.port, undefined, c.bus, c.shutdown.timeoutMs);
    },
  },
  {
    deployment: 'nes-telemetry-projector',
    container: 'projector',
    image: 'nes/telemetry',
    prefix: 'NES_TEL_',
    // dist/projector/main.js reads the shared schema and serves its own port.
    load: (env) => {
      const c = loadTelemetryConfig(env);
      return listener(c.projector.httpPort, undefined, c.bus, c.shutdown.timeoutMs);
    },
  },
];

function listener(
  httpPort: number,
  grpcPort: number | undefined,
  bus: BusConfig,
  shutdownTimeoutMs: number,
): ListenerConfig {
  return { httpPort, ...(grpcPort === undefined ? {} : { grpcPort }), bus, shutdownTimeoutMs };
}

/** The variables a ConfigError names, for assertion messages. */
export function configProblems(error: unknown): string {
  if (error instanceof ConfigError) {
    return error.problems.map((p) => `${p.variable}: ${p.message}`).join('; ');
  }
  return String(error);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const key32 = () => randomBytes(32).toString('base64url');

/**
 * Well-formed stand-ins for every Secret key secrets.example.yaml documents,
 * fresh per run: what an operator would put there. A test checks that this
 * table and the documentation list the same keys.
 */
export const secretPlaceholders: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'nes-registration-secrets': {
    'database-url': 'postgres://nes_registration:pw@postgres.example.internal:5432/nes',
    'redis-url': 'rediss://:pw@redis.example.internal:6380/0',
    'crt-signing-key': `crt-2:${key32()}`,
    'crt-previous-signing-keys': `crt-1:${key32()}`,
    'admin-api-keys': `alice:${sha256('alice key')},bob:${sha256('bob key')}`,
  },
  'nes-token-secrets': {
    'database-url': 'postgres://nes_token:pw@postgres.example.internal:5432/nes',
    'redis-url': 'rediss://:pw@redis.example.internal:6380/0',
    'keys-encryption-key': `kek-2:${randomBytes(32).toString('base64')}`,
    'keys-previous-encryption-keys': `kek-1:${randomBytes(32).toString('base64')}`,
  },
  'nes-directory-sync-secrets': {
    'database-url': 'postgres://nes_directory:pw@postgres.example.internal:5432/nes',
    'ad-bind-password': 'correct horse battery staple',
    'ad-ca.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  },
  'nes-telemetry-secrets': {
    'database-url': 'postgres://nes_telemetry:pw@postgres.example.internal:5432/nes',
    'query-database-url': 'postgres://nes_telemetry_read:pw@replica.example.internal:5432/nes',
    'redis-url': 'rediss://:pw@redis.example.internal:6380/0',
    'analysts-api-keys': `carol:${sha256('carol key')}`,
  },
};
