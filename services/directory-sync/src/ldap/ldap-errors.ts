import { BusyError, ResultCodeError, UnavailableError } from 'ldapts';

/**
 * A DC could not be reached or stopped answering: no TCP connection, a TLS
 * failure, a timeout, a dropped connection. Only these let an operation move
 * on to the next DC.
 */
export class DcUnavailableError extends Error {
  override readonly name = 'DcUnavailableError';
  readonly dc: string;
  constructor(dc: string, message: string, options?: { cause?: unknown }) {
    super(`DC ${dc}: ${message}`, options);
    this.dc = dc;
  }
}

/**
 * Whether an error from an LDAP operation means the DC (or the path to it)
 * failed rather than the DC answering: anything that is not an LDAP result,
 * plus the results "busy" (51) and "unavailable" (52), which say the request
 * was not processed.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof DcUnavailableError) return true;
  if (error instanceof BusyError || error instanceof UnavailableError) return true;
  return !(error instanceof ResultCodeError);
}

/** A short reason for logs and health, without stack or payload. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const first = error.message.split('\n')[0] ?? '';
    return (code && !first.includes(code) ? `${code}: ${first}` : first).slice(0, 200);
  }
  return String(error).slice(0, 200);
}
