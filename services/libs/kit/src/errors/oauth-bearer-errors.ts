import { OAuthError, toErrorDescription, type OAuthErrorOptions } from './oauth-errors.js';

/**
 * RFC 6750 (bearer token usage) errors: returned by resource endpoints (and
 * by RFC 7591/7592 endpoints guarded by an initial or registration access
 * token) with a `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3).
 */

function challenge(
  realm: string,
  params: Readonly<Record<string, string | undefined>> = {},
): Readonly<Record<string, string>> {
  const parts = [`realm="${realm}"`];
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) parts.push(`${name}="${toErrorDescription(value)}"`);
  }
  return { 'www-authenticate': `Bearer ${parts.join(', ')}` };
}

/**
 * RFC 6750 §3.1 `invalid_token` (401): the access token is expired, revoked,
 * malformed or otherwise invalid. With `{ missing: true }` the request carried
 * no token at all, and per RFC 6750 §3.1 the challenge then has no error code.
 */
export class InvalidTokenError extends OAuthError {
  override name = 'InvalidTokenError';
  /** The request carried no token (the challenge then names no error). */
  readonly missing: boolean;
  constructor(description: string, options?: OAuthErrorOptions & { missing?: boolean }) {
    super(401, 'invalid_token', description, options);
    this.missing = options?.missing ?? false;
  }
  override headers(): Readonly<Record<string, string>> {
    const params = this.missing ? {} : { error: this.code, error_description: this.message };
    return { ...super.headers(), ...challenge(this.realm, params) };
  }
}

/**
 * RFC 6750 §3.1 `insufficient_scope` (403): the token lacks a scope this
 * request needs; `scope` (space-separated) tells the client which.
 */
export class InsufficientScopeError extends OAuthError {
  override name = 'InsufficientScopeError';
  readonly scope: string | undefined;
  constructor(description: string, options?: OAuthErrorOptions & { scope?: string }) {
    super(403, 'insufficient_scope', description, options);
    this.scope = options?.scope;
  }
  override headers(): Readonly<Record<string, string>> {
    return {
      ...super.headers(),
      ...challenge(this.realm, {
        error: this.code,
        error_description: this.message,
        scope: this.scope,
      }),
    };
  }
}
