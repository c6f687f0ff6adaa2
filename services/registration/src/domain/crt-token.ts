import { compactVerify, SignJWT } from 'jose';
import { findSigningKey, type SigningKeys } from './signing-keys.js';

/** The JOSE `typ` of a CRT, so it cannot be confused with any other JWT NES or others issue. */
export const CRT_TOKEN_TYPE = 'nes-crt+jwt';

/** Longest token accepted for verification; real CRTs are ~400 characters. */
export const MAX_CRT_TOKEN_LENGTH = 2048;

/** What a CRT's claims say. */
export interface CrtClaims {
  /** `jti`: the CRT's id. */
  readonly id: string;
  readonly scope: string;
}

/** What signing needs to know about a CRT. */
export interface CrtToSign {
  readonly id: string;
  readonly scope: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/** Why a presented token is not a CRT of this server. */
export type CrtTokenProblem = 'malformed' | 'bad_signature' | 'wrong_claims';

/** Issuer and audience of this server's CRTs. */
export interface CrtTokenSettings {
  /** `iss`: the NES public URL. */
  readonly issuer: string;
  /** `aud`: the registration endpoint URL. */
  readonly audience: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Signs a CRT: a JWT (HS256, `kid` of the current key, `typ` nes-crt+jwt)
 * with iss, aud, jti = CRT id, scope, iat and exp = the CRT's expiry.
 */
export async function signCrt(
  crt: CrtToSign,
  keys: SigningKeys,
  settings: CrtTokenSettings,
): Promise<string> {
  return new SignJWT({ scope: crt.scope })
    .setProtectedHeader({ alg: 'HS256', kid: keys.current.kid, typ: CRT_TOKEN_TYPE })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setJti(crt.id)
    .setIssuedAt(Math.floor(crt.issuedAt.getTime() / 1000))
    .setExpirationTime(Math.floor(crt.expiresAt.getTime() / 1000))
    .sign(keys.current.secret);
}

/**
 * Checks a presented CRT's signature (HS256 only, key by `kid`, current or
 * previous), type, issuer and audience, and returns its claims.
 *
 * Expiry is deliberately not judged here: the CRT's row is the authority
 * (an administrator may change the expiry after issuing), and the caller
 * reads it anyway to check revocation and the client limit. `exp` in the
 * token records the expiry as issued.
 */
export async function verifyCrt(
  token: string,
  keys: SigningKeys,
  settings: CrtTokenSettings,
): Promise<CrtClaims | CrtTokenProblem> {
  if (token.length > MAX_CRT_TOKEN_LENGTH || token.split('.').length !== 3) return 'malformed';
  let payloadBytes: Uint8Array;
  try {
    const verified = await compactVerify(
      token,
      (header) => {
        const key = findSigningKey(keys, header.kid);
        if (key === undefined || header.typ !== CRT_TOKEN_TYPE) throw new Error('unknown key');
        return key.secret;
      },
      { algorithms: ['HS256'] },
    );
    payloadBytes = verified.payload;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === undefined
      ? 'bad_signature'
      : 'malformed';
  }
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    return 'malformed';
  }
  if (typeof claims !== 'object' || claims === null) return 'wrong_claims';
  const { iss, aud, jti, scope } = claims as Record<string, unknown>;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (
    iss !== settings.issuer ||
    !audiences.includes(settings.audience) ||
    typeof jti !== 'string' ||
    !UUID.test(jti) ||
    typeof scope !== 'string'
  ) {
    return 'wrong_claims';
  }
  return { id: jti, scope };
}
