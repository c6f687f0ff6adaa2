import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  ReconnectStrategyError,
  RootNodesUnavailableError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
} from 'redis';
import { ServiceUnavailableError } from './problem-errors.js';

/**
 * Socket errors of a peer that is down, restarting or out of reach (Node's
 * `code`): a moment later the same request may well succeed.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * PostgreSQL SQLSTATEs of a server that is failing over, shutting down,
 * overloaded or resolving a conflict between transactions — never of a
 * wrong statement or wrong data. Classes 08 (connection exception) and 53
 * (insufficient resources) whole, the rest one by one.
 */
const SQLSTATE_CLASSES = new Set(['08', '53']);
const SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is stopping (a restart, a failover)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
  '57014', // query_canceled: statement_timeout, an overloaded server
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available: lock_timeout
  '25006', // read_only_sql_transaction: a primary demoted by a failover
]);

/**
 * node-postgres reports a lost or never-made connection with a plain Error
 * and one of these messages (pg/lib/client.js, pg-pool/index.js); there is
 * no code to read.
 */
const PG_CONNECTION_MESSAGES = new Set([
  'Connection terminated',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout expired',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Query read timeout',
  'Cannot use a pool after calling end on the pool',
]);

/**
 * node-redis' errors for a client that is not connected (commands are not
 * queued while offline, see create-redis.ts), lost its socket mid-command,
 * or got no answer within its command timeout (5 s by default).
 */
const REDIS_ERRORS = [
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  ReconnectStrategyError,
  TimeoutError,
  RootNodesUnavailableError,
];

/** How deep the `cause` chain is followed (and AggregateError's `errors`). */
const MAX_DEPTH = 4;

/**
 * Whether `error` (or what caused it) says a backing service — Postgres,
 * Redis, a peer over TCP — is unreachable, restarting, failing over or
 * overloaded: something to answer with 503 and Retry-After, which clients
 * retry, rather than with 500, which says the request itself broke
 * something. Errors the code raises on purpose (AppError) are not looked at
 * here; they carry their own status.
 */
export function isTransientFailure(error: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH || !(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLSTATES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && SQLSTATE_CLASSES.has(code.slice(0, 2))) return true;
  }
  if (PG_CONNECTION_MESSAGES.has(error.message)) return true;
  if (REDIS_ERRORS.some((type) => error instanceof type)) return true;
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.every((inner: unknown) => isTransientFailure(inner, depth + 1));
  }
  return isTransientFailure(error.cause, depth + 1);
}

/**
 * The answer to a request that failed on a transient failure: 503 with
 * Retry-After; the cause is logged, never sent.
 */
export function dependencyUnavailable(cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'A service this request depends on is unavailable; try again shortly.',
    { cause },
  );
}
