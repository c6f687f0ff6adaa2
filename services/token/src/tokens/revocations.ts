import { TemporarilyUnavailableError, type RedisClient } from '@nes/kit';

/** Revoked tokens, by jti, shared by every replica. */
export interface Revocations {
  /** Refuses the token until `exp` (epoch seconds) and a grace: the key expires with the token. */
  revoke(jti: string, exp: number): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
}

/** Kept past `exp` by the largest clock skew a verifier may allow (@nes/auth caps it at 5 min). */
export const REVOCATION_GRACE_MS = 300_000;

/**
 * A Redis key per revoked token with an absolute expiry at the token's own
 * `exp` (plus the verifiers' clock skew allowance), so the set never holds a
 * token that would be refused anyway.
 * Resource servers sharing this Redis may check `<prefix>revoked:<jti>`
 * themselves (see @nes/auth's revocation hook).
 *
 * Redis errors become TemporarilyUnavailableError (503): a revocation that
 * was not stored must not be acknowledged, and an introspection that cannot
 * see revocations must not answer `active: true`.
 */
export function createRevocations(
  redis: RedisClient,
  keyPrefix: string,
  now: () => number,
): Revocations {
  const keyOf = (jti: string) => `${keyPrefix}revoked:${jti}`;
  return {
    async revoke(jti, exp) {
      const expiresAt = exp * 1000 + REVOCATION_GRACE_MS;
      if (expiresAt <= now()) return;
      try {
        await redis.set(keyOf(jti), '1', { expiration: { type: 'PXAT', value: expiresAt } });
      } catch (error) {
        throw new TemporarilyUnavailableError('cannot record the revocation right now', {
          cause: error,
        });
      }
    },
    async isRevoked(jti) {
      try {
        return (await redis.exists(keyOf(jti))) > 0;
      } catch (error) {
        throw new TemporarilyUnavailableError('cannot check revocations right now', {
          cause: error,
        });
      }
    },
  };
}
