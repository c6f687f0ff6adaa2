import type { Logger } from '@nes/kit';
import type { ClientAuthenticator } from './clients/client-authenticator.js';
import type { TokenConfig } from './config.js';
import type { KeyRing } from './keys/key-ring.js';
import type { TokenMetrics } from './metrics.js';
import type { AccessTokens } from './tokens/access-tokens.js';
import type { Revocations } from './tokens/revocations.js';

/** Where the time comes from; tests pass a clock they move. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Public URLs of this service's endpoints, derived from the issuer once. */
export interface Endpoints {
  readonly issuer: string;
  readonly token: string;
  readonly introspection: string;
  readonly revocation: string;
  readonly jwks: string;
  /** What a private_key_jwt assertion's `aud` may name (RFC 7523 §3). */
  readonly assertionAudiences: readonly string[];
}

/** The local paths of the routes (the issuer's path, if any, is the ingress' business). */
export const ROUTES = {
  token: '/oauth2/token',
  introspection: '/oauth2/introspect',
  revocation: '/oauth2/revoke',
  jwks: '/oauth2/jwks',
  metadata: '/.well-known/oauth-authorization-server',
} as const;

/** The endpoints of a service whose public base URL (and `iss`) is `issuer`. */
export function endpointsFor(issuer: string): Endpoints {
  const token = `${issuer}${ROUTES.token}`;
  const introspection = `${issuer}${ROUTES.introspection}`;
  const revocation = `${issuer}${ROUTES.revocation}`;
  return {
    issuer,
    token,
    introspection,
    revocation,
    jwks: `${issuer}${ROUTES.jwks}`,
    assertionAudiences: [issuer, token, introspection, revocation],
  };
}

/**
 * Everything the routes need, built once by `createTokenService` and passed
 * down explicitly.
 */
export interface TokenContext {
  readonly config: TokenConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: TokenMetrics;
  readonly clients: ClientAuthenticator;
  readonly tokens: AccessTokens;
  readonly revocations: Revocations;
  readonly ring: KeyRing;
  readonly endpoints: Endpoints;
}
