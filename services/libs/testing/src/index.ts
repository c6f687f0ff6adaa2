/**
 * @nes/testing — the real-infrastructure test harness: PostgreSQL, Redis, a
 * Kafka-protocol broker and a Samba AD DC, started once per test run by the
 * integration project's global setup, plus helpers that isolate each test.
 */
export type { AdInfra, Infra, InfraComponent, InfraMode, StartedInfra } from './types.js';
export { ALL_COMPONENTS } from './types.js';
export { InfraError } from './errors.js';
export {
  loadInfraConfig,
  parseInfraConfig,
  type Env,
  type ExternalConfig,
  type InfraConfig,
} from './config.js';
export { resolveMode } from './mode.js';
export { startInfra, stopInfra, type StartInfraOptions } from './infra.js';
export { getAdInfra, getInfra, toInfra } from './inject.js';
export { createTestDatabase, type TestDatabase } from './database.js';
export { uniqueName } from './names.js';
export { metricValue } from './metrics.js';
export { freePort, withFreePort } from './net.js';
export { startTcpProxy, startUrlProxy, type TcpProxy } from './tcp-proxy.js';
export {
  corruptText,
  HOSTILE_VALUES,
  mutateJson,
  mutateJsonSeveral,
  pick,
  seededRandom,
} from './fuzz.js';
export { startKafkaMock, type KafkaMock, type KafkaMockOptions } from './local/kafka-mock.js';
export { adLdapsClient, adTlsOptions, withAdAdmin } from './ad/tls.js';
export {
  addAdGroupMember,
  createAdGroup,
  createAdOu,
  createAdUser,
  encodeUnicodePwd,
  setAdPassword,
  toFileTime,
  type AdUser,
  type CreateAdUserOptions,
} from './ad/users.js';
export { runSambaTool, type SambaToolOptions } from './ad/samba-tool.js';
export type { CommandResult } from './local/run-command.js';
