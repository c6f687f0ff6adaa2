import type { StartedInfra } from './types.js';

/**
 * The running servers as `NAME=value` lines for external mode
 * (`NES_TEST_INFRA=external`): paste them into a shell or a .env file.
 * `caFile` is where the DC's CA certificate was written.
 */
export function formatEnvLines(infra: StartedInfra, caFile?: string): string[] {
  const entries: [string, string | undefined][] = [
    ['NES_TEST_INFRA', 'external'],
    ['NES_TEST_COMPONENTS', infra.components.join(',')],
    ['NES_TEST_POSTGRES_URL', infra.postgres?.url],
    ['NES_TEST_REDIS_URL', infra.redis?.url],
    ['NES_TEST_KAFKA_BROKERS', infra.kafka?.brokers.join(',')],
  ];
  const { ad } = infra;
  if (ad) {
    entries.push(
      ['NES_TEST_AD_URL', ad.url],
      ['NES_TEST_AD_LDAPS_URL', ad.ldapsUrl],
      ['NES_TEST_AD_BASE_DN', ad.baseDn],
      ['NES_TEST_AD_BIND_DN', ad.adminDn],
      ['NES_TEST_AD_BIND_PASSWORD', ad.adminPassword],
      ['NES_TEST_AD_CA_FILE', caFile],
      ['NES_TEST_AD_SERVERNAME', ad.servername],
      ['NES_TEST_AD_DOMAIN', ad.domain],
      ['NES_TEST_AD_REALM', ad.realm],
      ['NES_TEST_AD_SMB_CONF', ad.smbConfPath],
    );
  }
  return entries.flatMap(([name, value]) =>
    value === undefined ? [] : [`${name}=${shellQuote(value)}`],
  );
}

/** Leaves plain values bare; single-quotes the rest so `source` and .env readers agree. */
function shellQuote(value: string): string {
  return /^[\w./:@,=+-]*$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
