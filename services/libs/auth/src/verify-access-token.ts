import { InsufficientScopeError, InvalidTokenError, TemporarilyUnavailableError } from '@nes/kit';
import { SUPPORTED_ALGORITHMS, verifySignature, type Algorithm } from './algorithms.js';
import { createJwksCache, type FetchLike, type JwksCache } from './jwks-cache.js';

/** The claims of a verified access token (RFC 9068 §2.2). */
export interface AccessTokenClaims {
  readonly iss: string;
  /** The subject; for client_credentials tokens, the client itself. */
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly clientId: string;
  /** The granted scopes, split. */
  readonly scopes: readonly string[];
  readonly jti: string;
  /** Epoch seconds. */
  readonly iat: number;
  readonly exp: number;
  /** The whole payload, for claims beyond RFC 9068's. */
  readonly payload: Readonly<Record<string, unknown>>;
}

/** A revocation check: true when the token must be refused although it verified. */
export type RevocationCheck = (claims: AccessTokenClaims) => Promise<boolean>;

/** Options of {@link createAccessTokenVerifier}. */
export interface AccessTokenVerifierOptions {
  /** The token service's issuer URL (`iss` must equal it). */
  readonly issuer: string;
  /** Where its JWKS is (its metadata's jwks_uri). */
  readonly jwksUri: string;
  /** This resource server's audience(s): `aud` must name at least one. */
  readonly audience: string | readonly string[];
  /** Pinned algorithms; default ES256 and EdDSA (what NES signs with). */
  readonly algorithms?: readonly Algorithm[];
  /** Tolerance for clocks (exp, nbf, iat). Default 30 s, at most 300 s. */
  readonly clockSkewSeconds?: number;
  /** Consulted after every other check passed; see `redisRevocationCheck`. */
  readonly isRevoked?: RevocationCheck;
  /** Epoch ms. Default Date.now. */
  readonly now?: () => number;
  /** JWKS fetching: custom fetch, max age, cooldown, timeout. */
  readonly jwks?: {
    readonly fetch?: FetchLike;
    readonly maxAgeMs?: number;
    readonly cooldownMs?: number;
    readonly timeoutMs?: number;
  };
}

/** What a request needs from a token besides being valid. */
export interface VerifyOptions {
  /** Scopes the token must all carry (else insufficient_scope). */
  readonly scopes?: readonly string[];
}

/** Verifies access tokens for one resource server. */
export interface AccessTokenVerifier {
  /**
   * @throws InvalidTokenError (401) for anything wrong with the token,
   *   InsufficientScopeError (403) for a missing scope,
   *   TemporarilyUnavailableError (503) when keys or the revocation check
   *   cannot be reached.
   */
  verify(token: string, options?: VerifyOptions): Promise<AccessTokenClaims>;
  readonly jwks: JwksCache;
}

const MAX_TOKEN_LENGTH = 8192;
const MAX_CLOCK_SKEW_SECONDS = 300;
const B64URL = /^[A-Za-z0-9_-]+$/;
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);

function invalid(description: string): never {
  throw new InvalidTokenError(description);
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    invalid(`the token ${what} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(`the token ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Creates a verifier of NES access tokens (RFC 9068 JWTs), for every service
 * that accepts them. Checks, in order: the compact JWS shape; the header
 * (`typ` at+jwt, `alg` among the pinned ones — never `none` or HMAC —, a
 * kid, no `crit`); the key from the issuer's JWKS (whose type must match the
 * `alg`); the signature; `iss`; `aud`; `exp`/`nbf`/`iat` within the clock
 * skew; the RFC 9068 claims; the revocation hook; the required scopes.
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const now = options.now ?? Date.now;
  const skew = options.clockSkewSeconds ?? 30;
  if (!Number.isInteger(skew) || skew < 0 || skew > MAX_CLOCK_SKEW_SECONDS) {
    throw new RangeError(`clockSkewSeconds must be an integer 0-${MAX_CLOCK_SKEW_SECONDS}`);
  }
  const algorithms = new Set<string>(options.algorithms ?? ['ES256', 'EdDSA']);
  for (const alg of algorithms) {
    if (!(SUPPORTED_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new RangeError(`algorithm '${alg}' is not supported`);
    }
  }
  const audiences = new Set(
    typeof options.audience === 'string' ? [options.audience] : options.audience,
  );
  if (audiences.size === 0) throw new RangeError('at least one audience is required');
  const jwks = createJwksCache({ uri: options.jwksUri, now, ...options.jwks });

  async function verify(
    token: string,
    verifyOptions: VerifyOptions = {},
  ): Promise<AccessTokenClaims> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      invalid('the token is malformed');
    }
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => B64URL.test(part))) {
      invalid('the token is not a signed JWT');
    }
    const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
    const header = decodeJson(encodedHeader, 'header');
    if (typeof header.alg !== 'string' || !algorithms.has(header.alg)) {
      invalid('the token is signed with an algorithm that is not accepted');
    }
    if (typeof header.typ !== 'string' || !ACCESS_TOKEN_TYPES.has(header.typ.toLowerCase())) {
      invalid('the token is not an access token (typ must be at+jwt)');
    }
    if (header.crit !== undefined) invalid('the token has critical header parameters');
    if (typeof header.kid !== 'string' || header.kid === '') invalid('the token names no key');

    const key = await jwks.getKey(header.kid);
    if (key === undefined) invalid('the token is signed with an unknown key');
    if (key.alg !== header.alg) invalid('the token algorithm does not match its key');
    const data = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'latin1');
    if (!verifySignature(key, data, Buffer.from(encodedSignature, 'base64url'))) {
      invalid('the token signature is invalid');
    }

    const payload = decodeJson(encodedPayload, 'payload');
    if (payload.iss !== options.issuer) invalid('the token has another issuer');
    const aud = payload.aud;
    const audList = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    if (!audList.some((value) => typeof value === 'string' && audiences.has(value))) {
      invalid('the token is not meant for this audience');
    }
    const at = now() / 1000;
    if (!isNumber(payload.exp)) invalid('the token has no expiry');
    if (at >= payload.exp + skew) invalid('the token has expired');
    if (payload.nbf !== undefined && (!isNumber(payload.nbf) || payload.nbf > at + skew)) {
      invalid('the token is not valid yet');
    }
    if (!isNumber(payload.iat) || payload.iat > at + skew) invalid('the token has an invalid iat');
    const { sub, client_id: clientId, jti, scope } = payload;
    if (typeof sub !== 'string' || typeof clientId !== 'string' || typeof jti !== 'string') {
      invalid('the token lacks required claims');
    }
    if (scope !== undefined && typeof scope !== 'string') invalid('the token scope is malformed');

    const claims: AccessTokenClaims = {
      iss: options.issuer,
      sub,
      aud: typeof aud === 'string' ? aud : (audList as string[]),
      clientId,
      scopes: scope === undefined ? [] : scope.split(' ').filter((s) => s !== ''),
      jti,
      iat: payload.iat,
      exp: payload.exp,
      payload,
    };
    if (options.isRevoked !== undefined) {
      let revoked: boolean;
      try {
        revoked = await options.isRevoked(claims);
      } catch (error) {
        throw new TemporarilyUnavailableError('token revocation cannot be checked right now', {
          cause: error,
        });
      }
      if (revoked) invalid('the token has been revoked');
    }
    const required = verifyOptions.scopes ?? [];
    const missing = required.filter((s) => !claims.scopes.includes(s));
    if (missing.length > 0) {
      throw new InsufficientScopeError(`the token lacks scope '${missing[0]}'`, {
        scope: required.join(' '),
      });
    }
    return claims;
  }

  return { verify, jwks };
}
