/**
 * @nes/auth — verification of NES access tokens for every resource server:
 * JWKS fetched and cached (refreshed on an unknown kid, rate-limited),
 * pinned algorithms, issuer/audience/expiry/scope checks with a bounded
 * clock skew, an optional revocation hook, and a fastify preHandler that
 * answers RFC 6750 errors. See README.md.
 */
export {
  SUPPORTED_ALGORITHMS,
  toVerificationKey,
  type Algorithm,
  type VerificationKey,
} from './algorithms.js';
export {
  createJwksCache,
  type FetchLike,
  type JwksCache,
  type JwksCacheOptions,
} from './jwks-cache.js';
export {
  createAccessTokenVerifier,
  type AccessTokenClaims,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type RevocationCheck,
  type VerifyOptions,
} from './verify-access-token.js';
export { bearerToken, decorateAccessToken, requireAccessToken } from './fastify.js';
export { redisRevocationCheck, type ExistsClient } from './redis-revocation.js';
