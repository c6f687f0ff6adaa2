import { readFile } from 'node:fs/promises';
import type { InfraConfig } from './config.js';
import { InfraError } from './errors.js';
import type { ComponentStarters, StartedServer } from './server.js';

/**
 * Starters for external mode: nothing is started, the servers named in
 * NES_TEST_* variables are used as they are (and left running at the end).
 */
export function externalStarters(config: InfraConfig): ComponentStarters {
  const { external } = config;
  return {
    postgres: () => given({ url: required(external.postgresUrl, 'NES_TEST_POSTGRES_URL') }),
    redis: () => given({ url: required(external.redisUrl, 'NES_TEST_REDIS_URL') }),
    kafka: () => given({ brokers: required(external.kafkaBrokers, 'NES_TEST_KAFKA_BROKERS') }),
    ad: async () => {
      const ad = required(external.ad, 'NES_TEST_AD_URL');
      let caCertPem: string;
      try {
        caCertPem = await readFile(ad.caFile, 'utf8');
      } catch (error) {
        throw new InfraError(`NES_TEST_AD_CA_FILE: cannot read ${ad.caFile}`, { cause: error });
      }
      return given({
        url: ad.url,
        ldapsUrl: ad.ldapsUrl,
        servername: ad.servername,
        caCertPem,
        baseDn: ad.baseDn,
        domain: ad.domain,
        realm: ad.realm,
        adminDn: ad.bindDn,
        adminPassword: ad.bindPassword,
        smbConfPath: ad.smbConfPath,
      });
    },
  };
}

function given<T>(info: T): Promise<StartedServer<T>> {
  return Promise.resolve({ info, stop: () => Promise.resolve() });
}

function required<T>(value: T | undefined, variable: string): T {
  if (value === undefined) throw new InfraError(`NES_TEST_INFRA=external needs ${variable}`);
  return value;
}
