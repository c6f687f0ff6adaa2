import type { RevocationCheck } from './verify-access-token.js';

/** The one Redis command the check needs (node-redis' client has it). */
export interface ExistsClient {
  exists(key: string): Promise<number>;
}

/**
 * A revocation check against the token service's revocation set in a Redis
 * the resource server shares with it: a revoked token's `jti` is stored as
 * `<keyPrefix>revoked:<jti>` until the token expires (RFC 7009 revocation at
 * the token service). `keyPrefix` is the token service's
 * `NES_TOKEN_REDIS_KEY_PREFIX` (default `nes:token:`). Errors propagate, and
 * the verifier turns them into 503: a revocation that cannot be checked is
 * not assumed absent.
 */
export function redisRevocationCheck(
  client: ExistsClient,
  keyPrefix = 'nes:token:',
): RevocationCheck {
  return async (claims) => (await client.exists(`${keyPrefix}revoked:${claims.jti}`)) > 0;
}
