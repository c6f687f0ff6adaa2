// @nes/kit — the library every NES service is built from. See README.md.

// config
export * from './config/env-fields.js';
export * from './config/parse-config.js';
export * from './config/redact-config.js';
export * from './config/sections.js';

// auth
export * from './auth/api-keys.js';

// log
export * from './log/create-logger.js';
export { REDACT_CENSOR, REDACT_DEPTH, SENSITIVE_KEYS } from './log/redact-paths.js';
export { censor } from './log/censor.js';

// errors
export * from './errors/app-error.js';
export * from './errors/grpc-status.js';
export * from './errors/oauth-bearer-errors.js';
export * from './errors/oauth-errors.js';
export * from './errors/problem-errors.js';
export * from './errors/registration-errors.js';
export { dependencyUnavailable, isTransientFailure } from './errors/transient.js';

// http
export * from './http/create-http-server.js';
export type { HttpServer } from './http/http-server-type.js';
export * from './http/problem.js';
export * from './http/problem-schemas.js';
export * from './http/request-id.js';
export * from './http/traceparent.js';

// lifecycle
export * from './lifecycle/create-lifecycle.js';
export * from './lifecycle/readiness.js';
export * from './lifecycle/run-service.js';

// metrics
export * from './metrics/create-metrics.js';

// grpc
export * from './grpc/call-status.js';
export * from './grpc/create-grpc-client.js';
export * from './grpc/create-grpc-server.js';
export * from './grpc/health-service.js';
export * from './grpc/parse-message.js';
export * from './grpc/service-types.js';
export * from './grpc/tls.js';

// db
export * from './db/create-pool.js';
export * from './db/run-migrations.js';
export * from './db/with-transaction.js';
export { MIGRATION_FILE } from './db/migration-files.js';

// redis
export * from './redis/create-redis.js';
export * from './redis/rate-limit.js';
