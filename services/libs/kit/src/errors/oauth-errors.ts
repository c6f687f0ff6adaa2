import { AppError, type AppErrorOptions } from './app-error.js';

/** The JSON body of an OAuth error response (RFC 6749 §5.2). */
export interface OAuthErrorBody {
  readonly error: string;
  readonly error_description?: string;
}

/** Options of the OAuth errors; `realm` goes into WWW-Authenticate challenges. */
export interface OAuthErrorOptions extends Omit<AppErrorOptions, 'code'> {
  readonly realm?: string;
}

const DEFAULT_REALM = 'nes';

/**
 * RFC 6749 §5.2 limits error_description to printable ASCII without `"` and
 * `\`; anything else is replaced so the text is safe in a JSON body and in a
 * quoted WWW-Authenticate parameter alike.
 */
export function toErrorDescription(text: string): string {
  return text
    .replaceAll('"', "'")
    .replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?')
    .slice(0, 500);
}

/**
 * Base of the OAuth 2.0 errors. Its `code` is the registered error code, sent
 * as `error`; the message is sent as `error_description` when exposed. Over
 * HTTP it is answered with the RFC 6749 JSON body, `Cache-Control: no-store`
 * (RFC 6749 §5.1), and a WWW-Authenticate challenge where the RFC calls for one.
 */
export class OAuthError extends AppError {
  override name = 'OAuthError';
  protected readonly realm: string;

  constructor(status: number, error: string, description: string, options: OAuthErrorOptions = {}) {
    // The code of an OAuth error is fixed by its RFC; only cause and details pass through.
    super(status, error, description, { cause: options.cause, details: options.details });
    this.realm = options.realm ?? DEFAULT_REALM;
  }

  /** The RFC 6749 §5.2 response body; the description only when exposed (not for server_error). */
  body(): OAuthErrorBody {
    return this.expose
      ? { error: this.code, error_description: toErrorDescription(this.message) }
      : { error: this.code };
  }

  override headers(): Readonly<Record<string, string>> {
    return { 'cache-control': 'no-store', pragma: 'no-cache' };
  }
}

/** RFC 6749 §5.2 `invalid_request`: missing or repeated parameter, malformed request. */
export class InvalidRequestError extends OAuthError {
  override name = 'InvalidRequestError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(400, 'invalid_request', description, options);
  }
}

/**
 * RFC 6749 §5.2 `invalid_client`: client authentication failed (unknown or
 * deleted client, wrong secret). Always 401 with a `Basic` challenge, as §5.2
 * requires when the client authenticated with the Authorization header.
 */
export class InvalidClientError extends OAuthError {
  override name = 'InvalidClientError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(401, 'invalid_client', description, options);
  }
  override headers(): Readonly<Record<string, string>> {
    return { ...super.headers(), 'www-authenticate': `Basic realm="${this.realm}"` };
  }
}

/** RFC 6749 §5.2 `invalid_grant`: the grant or refresh token is invalid, expired or revoked. */
export class InvalidGrantError extends OAuthError {
  override name = 'InvalidGrantError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(400, 'invalid_grant', description, options);
  }
}

/** RFC 6749 §5.2 `unauthorized_client`: this client may not use this grant type. */
export class UnauthorizedClientError extends OAuthError {
  override name = 'UnauthorizedClientError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(400, 'unauthorized_client', description, options);
  }
}

/** RFC 6749 §5.2 `unsupported_grant_type`. */
export class UnsupportedGrantTypeError extends OAuthError {
  override name = 'UnsupportedGrantTypeError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(400, 'unsupported_grant_type', description, options);
  }
}

/** RFC 6749 §5.2 `invalid_scope`: unknown, malformed or excessive scope. */
export class InvalidScopeError extends OAuthError {
  override name = 'InvalidScopeError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(400, 'invalid_scope', description, options);
  }
}

/** RFC 6749 §4.1.2.1 `server_error`: an unexpected failure; the description is never sent. */
export class OAuthServerError extends OAuthError {
  override name = 'OAuthServerError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(500, 'server_error', description, options);
  }
}

/**
 * RFC 6749 §4.1.2.1 `temporarily_unavailable`: overloaded, in maintenance or
 * a dependency is down; answered with `Retry-After: 1`.
 */
export class TemporarilyUnavailableError extends OAuthError {
  override name = 'TemporarilyUnavailableError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(503, 'temporarily_unavailable', description, options);
  }
  override headers(): Readonly<Record<string, string>> {
    return { ...super.headers(), 'retry-after': '1' };
  }
}

/** RFC 7009 §2.2.1 `unsupported_token_type`: revocation of this token type is not supported. */
export class UnsupportedTokenTypeError extends OAuthError {
  override name = 'UnsupportedTokenTypeError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(400, 'unsupported_token_type', description, options);
  }
}
