import { pino } from 'pino';
import type { LogLevel } from '../config/sections.js';
import { censor } from './censor.js';
import { SENSITIVE_KEYS } from './redact-paths.js';

/** The logger every NES component takes: pino's, so children and levels work as usual. */
export type Logger = pino.Logger;

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Written on every line as `service`. */
  readonly service: string;
  /** Default `info`. */
  readonly level?: LogLevel;
  /** Keys to censor in addition to {@link SENSITIVE_KEYS}. */
  readonly extraSensitiveKeys?: readonly string[];
  /** Where lines go; default stdout. Tests pass a stream to read lines back. */
  readonly destination?: pino.DestinationStream;
  /**
   * Write stdout in chunks of up to 4 KiB, flushed at least every 250 ms,
   * instead of one system call per line (~7 % of a token grant's CPU). Lines
   * are flushed at exit, even after a fatal error; only a SIGKILL can lose
   * the last quarter second. For hot paths; default off.
   */
  readonly buffered?: boolean;
}

/** How often buffered log lines are written out when traffic is too low to fill the buffer. */
const FLUSH_INTERVAL_MS = 250;

/**
 * A JSON logger for one service: ISO timestamps, `level` as a name,
 * `service` on every line, errors serialized with their cause chain, and the
 * central redaction list applied at several depths (values become
 * "[REDACTED]") — in each line's object and in every child's bindings.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const sensitive = new Set([...SENSITIVE_KEYS, ...(options.extraSensitiveKeys ?? [])]);
  const settings: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => censor(object, sensitive) as Record<string, unknown>,
    },
    serializers: { err: serializeError, error: serializeError },
  };
  const logger = pino(
    settings,
    options.destination ?? (options.buffered ? bufferedStdout() : undefined),
  );
  censorChildBindings(logger, sensitive);
  return logger;
}

/**
 * Live objects some libraries hang on their errors: pg-pool's idle-connection
 * error carries its `client` (connection state, socket, type tables —
 * kilobytes per line, and no data about the failure).
 */
const ERROR_HANDLES = ['client'] as const;

/** pino's error serializer (class, message, stack, cause chain), without those handles. */
function serializeError(error: Error): ReturnType<typeof pino.stdSerializers.err> {
  const serialized = pino.stdSerializers.err(error);
  for (const handle of ERROR_HANDLES) delete serialized[handle];
  return serialized;
}

/**
 * pino serializes a child's bindings once, at child(), with no formatter: they
 * are censored on the way in. Children inherit from their parent, so one
 * override covers every descendant.
 */
function censorChildBindings(logger: Logger, sensitive: ReadonlySet<string>): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with each descendant as `this`
  const child = logger.child as unknown as (
    this: Logger,
    bindings: pino.Bindings,
    options?: pino.ChildLoggerOptions,
  ) => Logger;
  Object.defineProperty(logger, 'child', {
    value: function (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) {
      return child.call(this, censor(bindings, sensitive) as pino.Bindings, options);
    },
    writable: true,
    configurable: true,
  });
}

function bufferedStdout(): pino.DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => stream.flush(), FLUSH_INTERVAL_MS).unref();
  return stream;
}

/**
 * The child logger of one subsystem (`db`, `http`, `grpc`, `bus`, …): every
 * line it writes carries `subsystem` and the given bindings.
 */
export function childLogger(
  logger: Logger,
  subsystem: string,
  bindings: Record<string, unknown> = {},
): Logger {
  return logger.child({ subsystem, ...bindings });
}
