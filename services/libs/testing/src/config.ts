import { homedir } from 'node:os';
import { join } from 'node:path';
import { InfraError } from './errors.js';
import { ALL_COMPONENTS, type InfraComponent, type InfraMode } from './types.js';

/** Environment as the harness reads it (a plain record, so tests can build one). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where `NES_TEST_INFRA=external` finds already running servers. */
export interface ExternalConfig {
  postgresUrl?: string;
  redisUrl?: string;
  kafkaBrokers?: string[];
  ad?: {
    url: string;
    ldapsUrl: string;
    baseDn: string;
    bindDn: string;
    bindPassword: string;
    caFile: string;
    servername: string;
    domain: string;
    realm: string;
    smbConfPath?: string;
  };
}

/** The harness' settings, parsed once from the environment. */
export interface InfraConfig {
  /** `auto`: containers when a Docker engine answers, else local. */
  mode: InfraMode | 'auto';
  components: InfraComponent[];
  /**
   * Cache of built tools and templates: `NES_TOOLS_DIR`, else
   * `$XDG_CACHE_HOME/nes-tools`, else ~/.cache/nes-tools (as scripts/lib/toolchain.sh).
   */
  toolsDir: string;
  /** A prebuilt nes-kafka-mock to use instead of scripts/kafka-mock/build.sh. */
  kafkaMockBin?: string;
  /** `DOCKER_HOST`, consulted when probing for a Docker engine. */
  dockerHost?: string;
  images: { postgres: string; redis: string; kafka: string };
  external: ExternalConfig;
}

const MODES = ['local', 'containers', 'external', 'auto'] as const;

/** Parses the harness' environment; throws {@link InfraError} naming every bad variable. */
export function parseInfraConfig(env: Env): InfraConfig {
  const mode = parseMode(env['NES_TEST_INFRA']);
  const components = parseComponents(env['NES_TEST_COMPONENTS']);
  return {
    mode,
    components,
    toolsDir:
      nonEmpty(env['NES_TOOLS_DIR']) ??
      join(nonEmpty(env['XDG_CACHE_HOME']) ?? join(homedir(), '.cache'), 'nes-tools'),
    kafkaMockBin: nonEmpty(env['NES_KAFKA_MOCK_BIN']),
    dockerHost: nonEmpty(env['DOCKER_HOST']),
    images: {
      postgres: nonEmpty(env['NES_TEST_POSTGRES_IMAGE']) ?? 'postgres:18-alpine',
      redis: nonEmpty(env['NES_TEST_REDIS_IMAGE']) ?? 'redis:7.4-alpine',
      kafka: nonEmpty(env['NES_TEST_KAFKA_IMAGE']) ?? 'confluentinc/cp-kafka:7.9.0',
    },
    external: mode === 'external' ? parseExternal(env, components) : {},
  };
}

/**
 * Reads the process environment: the one place in @nes/testing that does.
 * Everything else receives an {@link InfraConfig}.
 */
export function loadInfraConfig(): InfraConfig {
  return parseInfraConfig(process.env);
}

function parseMode(value: string | undefined): InfraMode | 'auto' {
  const mode = nonEmpty(value)?.toLowerCase() ?? 'auto';
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new InfraError(`NES_TEST_INFRA must be one of ${MODES.join(', ')}; got '${mode}'`);
  }
  return mode as InfraMode | 'auto';
}

function parseComponents(value: string | undefined): InfraComponent[] {
  const text = nonEmpty(value)?.toLowerCase();
  if (text === undefined || text === 'all') return [...ALL_COMPONENTS];
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(ALL_COMPONENTS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new InfraError(
      `NES_TEST_COMPONENTS: unknown component(s) ${unknown.map((n) => `'${n}'`).join(', ')}; ` +
        `use a comma list of ${ALL_COMPONENTS.join(', ')}`,
    );
  }
  return ALL_COMPONENTS.filter((component) => names.includes(component));
}

function parseExternal(env: Env, components: readonly InfraComponent[]): ExternalConfig {
  const missing: string[] = [];
  const need = (name: string): string => {
    const value = nonEmpty(env[name]);
    if (value === undefined) missing.push(name);
    return value ?? '';
  };
  const config: ExternalConfig = {};
  if (components.includes('postgres')) {
    config.postgresUrl = checkUrl('NES_TEST_POSTGRES_URL', need('NES_TEST_POSTGRES_URL'), [
      'postgres:',
      'postgresql:',
    ]);
  }
  if (components.includes('redis')) {
    config.redisUrl = checkUrl('NES_TEST_REDIS_URL', need('NES_TEST_REDIS_URL'), [
      'redis:',
      'rediss:',
    ]);
  }
  if (components.includes('kafka')) {
    const brokers = need('NES_TEST_KAFKA_BROKERS');
    config.kafkaBrokers = brokers ? parseBrokerList(brokers) : [];
  }
  if (components.includes('ad')) config.ad = parseExternalAd(env, need);
  if (missing.length > 0) {
    throw new InfraError(
      `NES_TEST_INFRA=external needs ${missing.join(', ')} ` +
        `(or leave those components out with NES_TEST_COMPONENTS)`,
    );
  }
  return config;
}

function parseExternalAd(env: Env, need: (name: string) => string): ExternalConfig['ad'] {
  const url = need('NES_TEST_AD_URL');
  const baseDn = need('NES_TEST_AD_BASE_DN');
  const ad = {
    url: '',
    ldapsUrl: '',
    baseDn,
    bindDn: need('NES_TEST_AD_BIND_DN'),
    bindPassword: need('NES_TEST_AD_BIND_PASSWORD'),
    caFile: need('NES_TEST_AD_CA_FILE'),
    servername: nonEmpty(env['NES_TEST_AD_SERVERNAME']) ?? '',
    domain: nonEmpty(env['NES_TEST_AD_DOMAIN']) ?? domainFromBaseDn(baseDn),
    realm: nonEmpty(env['NES_TEST_AD_REALM']) ?? realmFromBaseDn(baseDn),
    smbConfPath: nonEmpty(env['NES_TEST_AD_SMB_CONF']),
  };
  if (!url) return ad;
  const parsed = new URL(checkUrl('NES_TEST_AD_URL', url, ['ldap:', 'ldaps:']));
  const host = parsed.hostname;
  ad.url = parsed.protocol === 'ldap:' ? url : `ldap://${host}:389`;
  ad.ldapsUrl = checkUrl(
    'NES_TEST_AD_LDAPS_URL',
    nonEmpty(env['NES_TEST_AD_LDAPS_URL']) ??
      (parsed.protocol === 'ldaps:' ? url : `ldaps://${host}:636`),
    ['ldaps:'],
  );
  ad.servername ||= host.replace(/^\[|\]$/g, '');
  return ad;
}

/** Parses `host:port,host:port` (IPv6 hosts in brackets). */
export function parseBrokerList(text: string): string[] {
  const brokers = text
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  for (const broker of brokers) {
    const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(broker);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) {
      throw new InfraError(`NES_TEST_KAFKA_BROKERS: '${broker}' is not host:port`);
    }
  }
  if (brokers.length === 0) throw new InfraError('NES_TEST_KAFKA_BROKERS lists no broker');
  return brokers;
}

function checkUrl(name: string, value: string, protocols: readonly string[]): string {
  if (!value) return value;
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    throw new InfraError(`${name} is not a URL`);
  }
  if (!protocols.includes(protocol)) {
    throw new InfraError(`${name} must use ${protocols.join(' or ')}, got ${protocol}`);
  }
  return value;
}

/** `DC=nes,DC=test` → `NES`. */
function domainFromBaseDn(baseDn: string): string {
  return (dcParts(baseDn)[0] ?? '').toUpperCase();
}

/** `DC=nes,DC=test` → `NES.TEST`. */
function realmFromBaseDn(baseDn: string): string {
  return dcParts(baseDn).join('.').toUpperCase();
}

function dcParts(baseDn: string): string[] {
  return baseDn
    .split(',')
    .map((rdn) => /^\s*dc=(.+?)\s*$/i.exec(rdn)?.[1])
    .filter((part): part is string => part !== undefined);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
