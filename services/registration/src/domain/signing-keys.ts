/**
 * The HMAC keys CRTs are signed with: the current one signs, previous ones
 * (kept during a rotation) still verify. Each has a key id that goes into
 * the token's `kid` header, so a verifier picks the right key without trying
 * them all.
 */
export interface SigningKey {
  readonly kid: string;
  readonly secret: Uint8Array;
}

/** The current key and those still accepted. */
export interface SigningKeys {
  readonly current: SigningKey;
  readonly previous: readonly SigningKey[];
}

/** At least 256 bits: HS256 keys shorter than the hash output weaken it (RFC 7518 §3.2). */
export const MIN_SIGNING_KEY_BYTES = 32;

const KID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Parses `kid:base64url-secret` (standard base64 accepted too). Returns why
 * it is wrong otherwise — never quoting the secret.
 */
export function parseSigningKey(text: string): SigningKey | string {
  const colon = text.indexOf(':');
  const kid = colon < 0 ? '' : text.slice(0, colon);
  const encoded = colon < 0 ? '' : text.slice(colon + 1).trim();
  if (!KID.test(kid)) return 'expected kid:secret, kid 1-64 of letters, digits and ._-';
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) return 'the secret must be base64url';
  const secret = Buffer.from(encoded, 'base64url');
  if (secret.length < MIN_SIGNING_KEY_BYTES) {
    return `the secret must decode to at least ${MIN_SIGNING_KEY_BYTES} bytes`;
  }
  return { kid, secret: new Uint8Array(secret) };
}

/** The key with id `kid` among current and previous keys. */
export function findSigningKey(keys: SigningKeys, kid: unknown): SigningKey | undefined {
  if (typeof kid !== 'string') return undefined;
  if (keys.current.kid === kid) return keys.current;
  return keys.previous.find((key) => key.kid === kid);
}
