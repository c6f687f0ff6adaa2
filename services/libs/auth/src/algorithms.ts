import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * JWS algorithms this library verifies. Asymmetric only: `none` and the
 * HMAC family (HS256…) are not in the list, so no header can talk a verifier
 * into treating a published public key as an HMAC secret.
 */
export const SUPPORTED_ALGORITHMS = ['ES256', 'ES384', 'EdDSA'] as const;

/** A supported JWS `alg`. */
export type Algorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** A published key, bound to the one algorithm its type allows. */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: Algorithm;
  readonly key: KeyObject;
}

/** The algorithm a JWK's type and curve allow, if it is one we support. */
function algorithmOf(jwk: Record<string, unknown>): Algorithm | undefined {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-384') return 'ES384';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

/**
 * Turns a published JWK into a verification key, or undefined when it is
 * not one: symmetric or private material, a type we do not support, an
 * `alg` that contradicts its type, a `use` other than `sig`, or no kid.
 */
export function toVerificationKey(jwk: unknown): VerificationKey | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  const record = jwk as Record<string, unknown>;
  if (typeof record.kid !== 'string' || record.kid === '' || record.kid.length > 256) {
    return undefined;
  }
  if (record.d !== undefined || record.k !== undefined) return undefined;
  if (record.use !== undefined && record.use !== 'sig') return undefined;
  const alg = algorithmOf(record);
  if (alg === undefined || (record.alg !== undefined && record.alg !== alg)) return undefined;
  try {
    const key = createPublicKey({ key: record, format: 'jwk' });
    return { kid: record.kid, alg, key };
  } catch {
    return undefined;
  }
}

const ES_OPTIONS = { dsaEncoding: 'ieee-p1363' } as const;
const SIGNATURE_BYTES: Record<Algorithm, number> = { ES256: 64, ES384: 96, EdDSA: 64 };

/** Checks a JWS signature over `data` with `key` (raw r‖s for ECDSA, as JWS requires). */
export function verifySignature(key: VerificationKey, data: Buffer, signature: Buffer): boolean {
  if (signature.length !== SIGNATURE_BYTES[key.alg]) return false;
  switch (key.alg) {
    case 'ES256':
      return verify('sha256', data, { key: key.key, ...ES_OPTIONS }, signature);
    case 'ES384':
      return verify('sha384', data, { key: key.key, ...ES_OPTIONS }, signature);
    case 'EdDSA':
      return verify(null, data, key.key, signature);
  }
}
