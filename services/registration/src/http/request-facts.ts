import type { FastifyRequest } from 'fastify';
import { authorizationHeaders } from '../domain/bearer.js';

/** Every Authorization header value the request carried (duplicates included). */
export function authorizationOf(request: FastifyRequest): string[] {
  return authorizationHeaders(request.raw.rawHeaders);
}

/**
 * The caller's address: the socket peer, or the X-Forwarded-For hop that
 * `NES_REG_HTTP_TRUST_PROXY` says to believe.
 */
export function clientIpOf(request: FastifyRequest): string {
  return request.ip.slice(0, 64);
}

/** The caller's W3C traceparent, when it sent a valid one (carried into events). */
export function traceparentOf(request: FastifyRequest): string | undefined {
  const header = request.headers.traceparent;
  return request.trace !== undefined && typeof header === 'string' ? header : undefined;
}

/** Response headers for bodies that carry a secret shown once. */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
