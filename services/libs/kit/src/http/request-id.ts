import { randomUUID } from 'node:crypto';

/** The header a request id arrives in and is echoed back in (HTTP and gRPC metadata). */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What a caller-supplied request id may look like: 1–128 characters of
 * letters, digits and `._:-` — enough for UUIDs, ULIDs and the ids proxies
 * generate, and nothing that could forge log lines or headers.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Returns the incoming request id if it is sane, else a new random UUID. */
export function requestIdFrom(incoming: string | readonly string[] | undefined): string {
  if (typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming)) return incoming;
  return randomUUID();
}
