import { describe, expect, it } from 'vitest';
import { parseBrokerList, parseInfraConfig } from './config.js';

const AD_ENV = {
  NES_TEST_AD_URL: 'ldaps://dc.corp.example:636',
  NES_TEST_AD_BASE_DN: 'DC=corp,DC=example',
  NES_TEST_AD_BIND_DN: 'CN=svc,CN=Users,DC=corp,DC=example',
  NES_TEST_AD_BIND_PASSWORD: 's3cret',
  NES_TEST_AD_CA_FILE: '/etc/ca.pem',
};

describe('parseInfraConfig', () => {
  it('defaults to auto mode, every component and the home tools cache', () => {
    const config = parseInfraConfig({});
    expect(config.mode).toBe('auto');
    expect(config.components).toEqual(['postgres', 'redis', 'kafka', 'ad']);
    expect(config.toolsDir).toMatch(/\.cache\/nes-tools$/);
    expect(config.images.kafka).toMatch(/cp-kafka/);
    expect(config.external).toEqual({});
  });

  it('reads mode, components (any order, any case) and overrides', () => {
    const config = parseInfraConfig({
      NES_TEST_INFRA: ' Local ',
      NES_TEST_COMPONENTS: 'kafka, POSTGRES',
      NES_TOOLS_DIR: '/opt/tools',
      NES_KAFKA_MOCK_BIN: '/opt/mock',
    });
    expect(config.mode).toBe('local');
    expect(config.components).toEqual(['postgres', 'kafka']);
    expect(config.toolsDir).toBe('/opt/tools');
    expect(config.kafkaMockBin).toBe('/opt/mock');
  });

  it('rejects an unknown mode or component, naming it', () => {
    expect(() => parseInfraConfig({ NES_TEST_INFRA: 'docker' })).toThrow(
      /NES_TEST_INFRA.*'docker'/,
    );
    expect(() => parseInfraConfig({ NES_TEST_COMPONENTS: 'postgres,mysql' })).toThrow(/'mysql'/);
  });

  it('external mode lists every missing variable for the chosen components at once', () => {
    expect(() => parseInfraConfig({ NES_TEST_INFRA: 'external' })).toThrow(
      /NES_TEST_POSTGRES_URL, NES_TEST_REDIS_URL, NES_TEST_KAFKA_BROKERS, NES_TEST_AD_URL/,
    );
    expect(() =>
      parseInfraConfig({
        NES_TEST_INFRA: 'external',
        NES_TEST_COMPONENTS: 'redis',
        NES_TEST_REDIS_URL: 'redis://r:6379',
      }),
    ).not.toThrow();
  });

  it('external mode parses URLs, brokers and AD, deriving domain, realm and both LDAP URLs', () => {
    const config = parseInfraConfig({
      NES_TEST_INFRA: 'external',
      NES_TEST_POSTGRES_URL: 'postgresql://u:p@db:5432/x',
      NES_TEST_REDIS_URL: 'redis://cache:6379',
      NES_TEST_KAFKA_BROKERS: 'k1:9092, k2:9092',
      ...AD_ENV,
    });
    expect(config.external.kafkaBrokers).toEqual(['k1:9092', 'k2:9092']);
    expect(config.external.ad).toMatchObject({
      url: 'ldap://dc.corp.example:389',
      ldapsUrl: 'ldaps://dc.corp.example:636',
      servername: 'dc.corp.example',
      domain: 'CORP',
      realm: 'CORP.EXAMPLE',
      bindPassword: 's3cret',
    });
  });

  it('external mode refuses a URL of the wrong kind without echoing it', () => {
    const env = {
      NES_TEST_INFRA: 'external',
      NES_TEST_COMPONENTS: 'postgres',
      NES_TEST_POSTGRES_URL: 'mysql://u:hunter2@db/x',
    };
    expect(() => parseInfraConfig(env)).toThrow(
      /NES_TEST_POSTGRES_URL must use postgres: or postgresql:/,
    );
    expect(() => parseInfraConfig(env)).not.toThrow(/hunter2/);
  });

  it('keeps explicit AD names and an explicit LDAPS URL', () => {
    const config = parseInfraConfig({
      NES_TEST_INFRA: 'external',
      NES_TEST_COMPONENTS: 'ad',
      ...AD_ENV,
      NES_TEST_AD_URL: 'ldap://10.0.0.5:3389',
      NES_TEST_AD_LDAPS_URL: 'ldaps://10.0.0.5:3636',
      NES_TEST_AD_SERVERNAME: 'dc1.corp.example',
      NES_TEST_AD_DOMAIN: 'CORPNET',
    });
    expect(config.external.ad).toMatchObject({
      url: 'ldap://10.0.0.5:3389',
      ldapsUrl: 'ldaps://10.0.0.5:3636',
      servername: 'dc1.corp.example',
      domain: 'CORPNET',
    });
  });
});

describe('parseBrokerList', () => {
  it('accepts host:port lists, IPv6 in brackets', () => {
    expect(parseBrokerList('a:1,[::1]:9092,b.example:65535')).toEqual([
      'a:1',
      '[::1]:9092',
      'b.example:65535',
    ]);
  });

  it.each(['a', 'a:0', 'a:70000', ':9092', ' , '])('rejects %j', (text) => {
    expect(() => parseBrokerList(text)).toThrow(/NES_TEST_KAFKA_BROKERS/);
  });
});
