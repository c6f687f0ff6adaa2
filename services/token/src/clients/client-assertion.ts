import { InvalidClientError } from '@nes/kit';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet, type JWK } from 'jose';

/**
 * Signature algorithms accepted on client assertions: asymmetric only. `none`
 * and the HMAC family are never accepted — a client's registered keys are
 * public, and an HMAC keyed with public material proves nothing.
 */
export const ASSERTION_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'] as const;

const MAX_JTI = 256;

/** The verified facts of an assertion that the caller still has to act on. */
export interface VerifiedAssertion {
  readonly jti: string;
  /** Epoch seconds. */
  readonly exp: number;
}

/** Options of {@link verifyClientAssertion}. */
export interface AssertionCheck {
  readonly clientId: string;
  /** The client's registered public keys (RFC 7591 `jwks`, JSON text). */
  readonly jwks: string;
  /** Values `aud` may name: the issuer and the endpoint URLs (RFC 7523 §3). */
  readonly audiences: readonly string[];
  /** Epoch ms. */
  readonly now: number;
  readonly maxLifetimeMs: number;
  readonly clockSkewMs: number;
}

/**
 * The client id an assertion claims to come from (its `iss`), read without
 * verifying anything: it only says which keys to verify with.
 *
 * @throws InvalidClientError when the assertion is not a JWT with an issuer.
 */
export function assertionIssuer(assertion: string): string {
  let iss: unknown;
  try {
    iss = decodeJwt(assertion).iss;
  } catch {
    throw new InvalidClientError('client_assertion is not a well-formed JWT');
  }
  if (typeof iss !== 'string' || iss === '' || iss.length > 128) {
    throw new InvalidClientError('client_assertion has no valid iss');
  }
  return iss;
}

/** The registered keys usable for verifying signatures (not those meant for encryption). */
function signingKeys(jwksText: string): JSONWebKeySet | undefined {
  if (jwksText === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(jwksText);
  } catch {
    return undefined;
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return undefined;
  const usable = (keys as JWK[]).filter(
    (key) =>
      typeof key === 'object' &&
      key !== null &&
      (key.use === undefined || key.use === 'sig') &&
      (key.key_ops === undefined || key.key_ops.includes('verify')),
  );
  return usable.length === 0 ? undefined : { keys: usable };
}

/**
 * Verifies a private_key_jwt client assertion (RFC 7523 §3): signed by one
 * of the client's registered keys with an asymmetric algorithm, `iss` and
 * `sub` the client id, `aud` naming this server, `exp` present and not too
 * far ahead, `nbf`/`iat` not in the future, and a `jti` (single use is the
 * caller's job, since it needs shared state).
 *
 * @throws InvalidClientError saying what was wrong (never echoing the token).
 */
export async function verifyClientAssertion(
  assertion: string,
  check: AssertionCheck,
): Promise<VerifiedAssertion> {
  const keys = signingKeys(check.jwks);
  if (keys === undefined) {
    throw new InvalidClientError('the client has no registered signing keys');
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(keys), {
      algorithms: [...ASSERTION_ALGORITHMS],
      issuer: check.clientId,
      subject: check.clientId,
      audience: [...check.audiences],
      requiredClaims: ['exp', 'jti'],
      clockTolerance: Math.floor(check.clockSkewMs / 1000),
      currentDate: new Date(check.now),
    }));
  } catch (error) {
    throw new InvalidClientError('client_assertion verification failed', { cause: error });
  }
  const { jti, exp } = payload;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI || exp === undefined) {
    throw new InvalidClientError('client_assertion has no valid jti');
  }
  if (exp * 1000 - check.now > check.maxLifetimeMs + check.clockSkewMs) {
    throw new InvalidClientError('client_assertion expires too far in the future');
  }
  return { jti, exp };
}
