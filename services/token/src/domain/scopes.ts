import { InvalidScopeError } from '@nes/kit';

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

/** Longest `scope` parameter accepted. */
export const MAX_SCOPE_PARAMETER = 1024;

/**
 * The scope to grant for a request: the requested scopes when every one of
 * them is among the client's permissions, or all of the client's scopes when
 * the request names none (RFC 6749 §3.3 lets the server pick a default).
 * Duplicates are dropped; order follows the request.
 *
 * @throws InvalidScopeError naming the first scope the client may not have,
 *   or when the client has no scope at all.
 */
export function grantedScope(
  allowed: ReadonlySet<string>,
  defaultScope: string,
  requested: string | undefined,
): string {
  if (requested === undefined || requested === '' || requested === defaultScope) {
    // The common case — a device asking for exactly its scopes — skips parsing.
    if (defaultScope === '') throw new InvalidScopeError('the client has no scopes to grant');
    return defaultScope;
  }
  if (requested.length > MAX_SCOPE_PARAMETER) {
    throw new InvalidScopeError(`scope must be at most ${MAX_SCOPE_PARAMETER} characters`);
  }
  const seen = new Set<string>();
  for (const scope of requested.split(' ')) {
    if (scope === '') continue;
    if (!SCOPE_TOKEN.test(scope)) throw new InvalidScopeError('scope holds a malformed value');
    if (!allowed.has(scope)) {
      throw new InvalidScopeError(`scope '${scope}' is not granted to this client`);
    }
    seen.add(scope);
  }
  if (seen.size === 0) throw new InvalidScopeError('scope names no scope');
  return [...seen].join(' ');
}
