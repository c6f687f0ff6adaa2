import { describe, expect, it } from 'vitest';
import { parseInfraConfig } from './config.js';
import { formatEnvLines } from './env-lines.js';
import type { StartedInfra } from './types.js';

const infra: StartedInfra = {
  mode: 'local',
  components: ['postgres', 'kafka', 'ad'],
  postgres: { url: 'postgres://postgres@127.0.0.1:5555/postgres' },
  kafka: { brokers: ['127.0.0.1:1', '127.0.0.1:2'] },
  ad: {
    url: 'ldap://127.0.0.1:389',
    ldapsUrl: 'ldaps://127.0.0.1:636',
    servername: 'dc1.nes.test',
    caCertPem: '-----BEGIN CERTIFICATE-----',
    baseDn: 'DC=nes,DC=test',
    domain: 'NES',
    realm: 'NES.TEST',
    adminDn: 'CN=Administrator,CN=Users,DC=nes,DC=test',
    adminPassword: "it's $ecret",
  },
};

describe('formatEnvLines', () => {
  it('prints external-mode variables for what was started, quoting only when needed', () => {
    const lines = formatEnvLines(infra, '/tmp/ca.pem');
    expect(lines).toContain('NES_TEST_INFRA=external');
    expect(lines).toContain('NES_TEST_COMPONENTS=postgres,kafka,ad');
    expect(lines).toContain('NES_TEST_KAFKA_BROKERS=127.0.0.1:1,127.0.0.1:2');
    expect(lines).toContain('NES_TEST_AD_BIND_DN=CN=Administrator,CN=Users,DC=nes,DC=test');
    expect(lines).toContain(`NES_TEST_AD_BIND_PASSWORD='it'\\''s $ecret'`);
    expect(lines.some((line) => line.startsWith('NES_TEST_REDIS_URL'))).toBe(false);
  });

  it('round-trips through the external-mode parser', () => {
    const env = Object.fromEntries(
      formatEnvLines({ ...infra, ad: { ...infra.ad!, adminPassword: 'plain' } }, '/tmp/ca.pem').map(
        (line) => {
          const at = line.indexOf('=');
          return [line.slice(0, at), line.slice(at + 1)];
        },
      ),
    );
    const config = parseInfraConfig(env);
    expect(config.mode).toBe('external');
    expect(config.external.postgresUrl).toBe(infra.postgres?.url);
    expect(config.external.kafkaBrokers).toEqual(infra.kafka?.brokers);
    expect(config.external.ad).toMatchObject({
      ldapsUrl: 'ldaps://127.0.0.1:636',
      servername: 'dc1.nes.test',
      realm: 'NES.TEST',
    });
  });
});
