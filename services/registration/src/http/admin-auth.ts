import { findApiKeyHolder, UnauthorizedError, type ApiKeyEntry } from '@nes/kit';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { readBearer } from '../domain/bearer.js';
import { authorizationOf } from './request-facts.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated administrator (API key holder) on admin routes; '' elsewhere. */
    adminName: string;
  }
}

/** 401 with a Bearer challenge for the admin realm. */
class AdminAuthenticationError extends UnauthorizedError {
  override name = 'AdminAuthenticationError';
  override headers(): Readonly<Record<string, string>> {
    return { 'www-authenticate': 'Bearer realm="nes-admin"' };
  }
}

/**
 * The admin API's gate: `Authorization: Bearer <API key>`, the key's SHA-256
 * compared in constant time with every configured entry. No configured keys
 * means every request is refused — the admin API is never open. (Admin
 * access tokens from the token service replace this with issue 4.)
 */
export function adminAuthentication(entries: readonly ApiKeyEntry[]): onRequestHookHandler {
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    const bearer = readBearer(authorizationOf(request));
    const holder = bearer.kind === 'token' ? findApiKeyHolder(bearer.token, entries) : undefined;
    if (holder === undefined) {
      done(
        new AdminAuthenticationError(
          bearer.kind === 'token'
            ? 'The API key is not valid.'
            : 'An administrator API key is required (Authorization: Bearer).',
          { code: 'admin_authentication_required' },
        ),
      );
      return;
    }
    request.adminName = holder;
    done();
  };
}
