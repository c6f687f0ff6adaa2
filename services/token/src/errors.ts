import { OAuthError, type OAuthErrorOptions } from '@nes/kit';

/**
 * Client authentication refused without being attempted, because of too many
 * recent failures (see domain/brute-force.ts). It keeps the RFC 6749 §5.2
 * code `invalid_client` — a standard client treats it as an authentication
 * failure — with HTTP 429 and Retry-After (RFC 6585 §4), so a real device
 * knows to wait rather than retry at once.
 */
export class ClientAuthThrottledError extends OAuthError {
  override name = 'ClientAuthThrottledError';
  readonly retryAfterSeconds: number;

  constructor(retryAfterMs: number, options?: OAuthErrorOptions) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(
      429,
      'invalid_client',
      `too many failed client authentications; retry after ${seconds} s`,
      options,
    );
    this.retryAfterSeconds = seconds;
  }

  override headers(): Readonly<Record<string, string>> {
    return { ...super.headers(), 'retry-after': String(this.retryAfterSeconds) };
  }
}
