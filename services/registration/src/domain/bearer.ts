/**
 * Reading a bearer token from the Authorization header (RFC 6750 §2.1):
 * exactly one header, scheme `Bearer` (any case), one space-separated
 * token68 value. Anything else is either "no bearer credentials" (no header,
 * another scheme) or a malformed request.
 */

/** The outcome of reading the header. */
export type BearerResult =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'malformed'; readonly reason: string };

/** RFC 7235 token68. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Longest credential read at all; longer ones are malformed (CRTs are ~400 chars). */
export const MAX_BEARER_LENGTH = 4096;

/**
 * Reads the bearer token from the values of every Authorization header the
 * request carried (Node keeps only the first of duplicates, so pass the raw
 * header list).
 */
export function readBearer(values: readonly string[]): BearerResult {
  if (values.length === 0) return { kind: 'missing' };
  if (values.length > 1) return { kind: 'malformed', reason: 'repeated Authorization header' };
  const header = (values[0] ?? '').trim();
  if (header.length > MAX_BEARER_LENGTH) {
    return { kind: 'malformed', reason: 'Authorization header too long' };
  }
  const space = header.indexOf(' ');
  const scheme = space < 0 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return { kind: 'missing' };
  const token = header.slice(space + 1).trim();
  if (space < 0 || token === '') return { kind: 'malformed', reason: 'empty bearer token' };
  if (!TOKEN68.test(token)) return { kind: 'malformed', reason: 'malformed bearer token' };
  return { kind: 'token', token };
}

/** The values of every `Authorization` header in Node's raw header list. */
export function authorizationHeaders(rawHeaders: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === 'authorization') values.push(rawHeaders[i + 1] ?? '');
  }
  return values;
}
