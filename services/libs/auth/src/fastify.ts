import { InvalidTokenError } from '@nes/kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessTokenClaims, AccessTokenVerifier } from './verify-access-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access token of the request (set by `requireAccessToken`). */
    accessToken: AccessTokenClaims | undefined;
  }
}

/** Declares `request.accessToken` on an instance (once, before routes are added). */
export function decorateAccessToken(app: FastifyInstance): void {
  if (!app.hasRequestDecorator('accessToken')) app.decorateRequest('accessToken', undefined);
}

const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The bearer token of an Authorization header (RFC 6750 §2.1).
 *
 * @throws InvalidTokenError — without an error code when the request has no
 *   bearer credentials at all (RFC 6750 §3.1), with one when they are malformed.
 */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || !/^bearer(\s|$)/i.test(authorization)) {
    throw new InvalidTokenError('a bearer access token is required', { missing: true });
  }
  const match = BEARER.exec(authorization);
  if (match?.[1] === undefined) throw new InvalidTokenError('the bearer token is malformed');
  return match[1];
}

/**
 * A fastify preHandler that admits requests with a valid access token
 * carrying every scope in `scopes`, and puts its claims on
 * `request.accessToken`. Refusals are RFC 6750 errors (kit's invalid_token
 * 401 / insufficient_scope 403 with their WWW-Authenticate challenge),
 * answered by kit's error handler.
 */
export function requireAccessToken(
  verifier: AccessTokenVerifier,
  options: { readonly scopes?: readonly string[] } = {},
): (request: FastifyRequest) => Promise<void> {
  const verifyOptions = { scopes: options.scopes ?? [] };
  return async (request) => {
    const token = bearerToken(request.headers.authorization);
    request.accessToken = await verifier.verify(token, verifyOptions);
  };
}
