// The root docker-compose.yml, checked the way the manifests are: each NES
// process' environment, as Compose would give it, accepted by the service's
// own config loader. (Here because this package already depends on every
// service's loader; Compose itself only validates the file's syntax, in CI.)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  configProblems,
  processes,
  secretPlaceholders,
  type NesProcess,
} from './support/processes.js';

interface ComposeService {
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly ports?: readonly string[];
  readonly build?: { readonly args?: Readonly<Record<string, string>> };
}

const file = fileURLToPath(new URL('../../../docker-compose.yml', import.meta.url));
const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

/** The Compose service running each Kubernetes Deployment's process. */
const serviceOf: Readonly<Record<string, string>> = {
  'nes-registration': 'registration',
  'nes-token': 'token',
  'nes-directory-sync': 'directory-sync',
  'nes-telemetry': 'telemetry',
  'nes-telemetry-projector': 'telemetry-projector',
};

/** A well-formed value of a Secret key, as the manifests' tests use (support/processes.ts). */
function placeholder(secret: string, key: string): string {
  const value = secretPlaceholders[secret]?.[key];
  if (value === undefined) throw new Error(`no placeholder for ${secret}/${key}`);
  return value;
}

/** What an operator's .env supplies for the variables the file leaves empty. */
const operatorEnv: Readonly<Record<string, string>> = {
  NES_REG_CRT_SIGNING_KEY: placeholder('nes-registration-secrets', 'crt-signing-key'),
  NES_REG_ADMIN_API_KEYS: placeholder('nes-registration-secrets', 'admin-api-keys'),
  NES_TOKEN_KEYS_ENCRYPTION_KEY: placeholder('nes-token-secrets', 'keys-encryption-key'),
  NES_TEL_ANALYSTS_API_KEYS: placeholder('nes-telemetry-secrets', 'analysts-api-keys'),
  NES_DIR_AD_SITES: JSON.stringify([
    { name: 'hq', dcs: [{ url: 'ldaps://dc1.example.internal' }] },
  ]),
  NES_DIR_AD_DOMAIN: 'EXAMPLE',
  NES_DIR_AD_BASE_DNS: 'DC=example,DC=internal',
  NES_DIR_AD_BIND_DN: 'CN=nes-sync,OU=Service Accounts,DC=example,DC=internal',
  NES_DIR_AD_BIND_PASSWORD: placeholder('nes-directory-sync-secrets', 'ad-bind-password'),
};

/** Compose's interpolation of `${NAME:-default}` and `${NAME}`, against `given`. */
function interpolate(value: string, given: Readonly<Record<string, string>>): string {
  return value.replace(
    /\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g,
    (_, name: string, fallback?: string) => {
      const set = given[name];
      return set !== undefined && set !== '' ? set : (fallback ?? '');
    },
  );
}

function environmentOf(p: NesProcess, given: Readonly<Record<string, string>>) {
  const service = compose.services[serviceOf[p.deployment] ?? ''];
  if (service === undefined) throw new Error(`no Compose service runs ${p.deployment}`);
  const env = Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), given)]),
  );
  return { service, env };
}

describe('docker-compose.yml', () => {
  it('runs every NES process, and nothing under an unknown name', () => {
    const nes = Object.entries(compose.services)
      .filter(([, s]) => s.build?.args?.SERVICE !== undefined)
      .map(([name]) => name)
      .sort();
    expect(nes).toEqual(processes.map((p) => serviceOf[p.deployment]).sort());
  });

  describe.each(processes)('$deployment', (p) => {
    it("starts with the environment Compose gives it and an operator's .env", () => {
      const { service, env } = environmentOf(p, operatorEnv);
      let config;
      try {
        config = p.load(env);
      } catch (error) {
        throw new Error(`${p.deployment}: ${configProblems(error)}`, { cause: error });
      }
      expect(config.bus.kind).toBe('kafka');
      // What it listens on is what the file publishes (services without a
      // published port are reached only inside the Compose network).
      for (const mapping of service.ports ?? []) {
        expect(Number(mapping.split(':').at(-1))).toBe(config.httpPort);
      }
      expect(
        Object.keys(env).filter((name) => !name.startsWith(p.prefix) && name !== 'NODE_OPTIONS'),
      ).toEqual([]);
    });

    it('without the operator’s .env, refuses to start if and only if it needs a secret', () => {
      const { env } = environmentOf(p, {});
      // Analyst API keys are optional (access tokens with the analyst scope suffice).
      const required = Object.keys(operatorEnv).filter(
        (name) => name in env && !name.endsWith('_ANALYSTS_API_KEYS'),
      );
      if (required.length > 0) expect(() => p.load(env)).toThrow();
      else expect(() => p.load(env)).not.toThrow();
    });
  });

  it('runs the projector as the telemetry image’s second process', () => {
    expect(compose.services['telemetry-projector']?.command).toEqual([
      'node',
      '--enable-source-maps',
      'dist/projector/main.js',
    ]);
  });
});
