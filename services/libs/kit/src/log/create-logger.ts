import { pino } from 'pino';
import type { LogLevel } from '../config/sections.js';
import { buildRedactPaths, REDACT_CENSOR, SENSITIVE_KEYS } from './redact-paths.js';

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
}

/**
 * A JSON logger for one service: ISO timestamps, `level` as a name,
 * `service` on every line, errors serialized with their cause chain, and the
 * central redaction list applied at several depths (values become
 * "[REDACTED]").
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const keys = [...SENSITIVE_KEYS, ...(options.extraSensitiveKeys ?? [])];
  const settings: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    redact: { paths: buildRedactPaths(keys), censor: REDACT_CENSOR },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
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
