import kafkajs, { type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

const { logLevel } = kafkajs;

/**
 * Routes kafkajs' own log lines into the service's pino logger (a `kafka`
 * child), so broker trouble shows up in the same JSON stream with the same
 * redaction rules.
 */
export function pinoLogCreator(logger: Logger): logCreator {
  const log = logger.child({ subsystem: 'kafka' });
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, ...extra } = entry;
      const fields = { namespace, ...extra };
      switch (level) {
        case logLevel.ERROR:
          log.error(fields, message);
          break;
        case logLevel.WARN:
          log.warn(fields, message);
          break;
        case logLevel.INFO:
          log.info(fields, message);
          break;
        default:
          log.debug(fields, message);
      }
    };
}
