import { bearerToken, type AccessTokenVerifier } from '@nes/auth';
import {
  findApiKeyHolder,
  ForbiddenError,
  isAppError,
  ServiceUnavailableError,
  UnauthorizedError,
  type ApiKeyEntry,
} from '@nes/kit';
import type { FastifyRequest } from 'fastify';
import { ANALYST_KEY_PREFIX } from '../domain/analyst-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who reads the audit: an analyst key's holder, or `client:<id>` for an access token. */
    analyst: string;
  }
}

/** 401 with a Bearer challenge for the audit realm. */
class AnalystAuthenticationError extends UnauthorizedError {
  override name = 'AnalystAuthenticationError';
  override headers(): Readonly<Record<string, string>> {
    return { 'www-authenticate': 'Bearer realm="nes-audit"' };
  }
}

/**
 * The audit API's gate. Two kinds of credentials, both read-only:
 * - an analyst API key (`nesaud_…`), whose SHA-256 is compared in constant
 *   time with every configured entry;
 * - an access token from the token service carrying the analyst scope
 *   (`audit.read` by default) — a device's token never has it.
 * No configured key and no token means every request is refused.
 */
export function analystAuthentication(options: {
  readonly keys: readonly ApiKeyEntry[];
  readonly verifier: AccessTokenVerifier;
  readonly scope: string;
}): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    let token: string;
    try {
      token = bearerToken(request.headers.authorization);
    } catch {
      throw new AnalystAuthenticationError(
        'An analyst API key or access token is required (Authorization: Bearer).',
        { code: 'analyst_authentication_required' },
      );
    }
    if (token.startsWith(ANALYST_KEY_PREFIX)) {
      const holder = findApiKeyHolder(token, options.keys);
      if (holder === undefined) {
        throw new AnalystAuthenticationError('The analyst API key is not valid.', {
          code: 'analyst_authentication_required',
        });
      }
      request.analyst = holder;
      return;
    }
    request.analyst = `client:${await verifyAnalystToken(options.verifier, token, options.scope)}`;
  };
}

/**
 * Verifies an analyst's access token; the verifier's RFC 6750 errors are
 * turned into this API's problem details (the audit API is not an OAuth
 * endpoint, and one error format per route keeps clients simple).
 */
async function verifyAnalystToken(
  verifier: AccessTokenVerifier,
  token: string,
  scope: string,
): Promise<string> {
  try {
    return (await verifier.verify(token, { scopes: [scope] })).clientId;
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.status === 401) {
      throw new AnalystAuthenticationError(`The access token is not valid: ${error.message}.`, {
        code: 'analyst_authentication_required',
        cause: error,
      });
    }
    if (error.status === 403) {
      throw new ForbiddenError(`The access token lacks the scope '${scope}'.`, {
        code: 'insufficient_scope',
        cause: error,
      });
    }
    throw new ServiceUnavailableError('Access tokens cannot be checked right now; try again.', {
      cause: error,
      retryAfterSeconds: 5,
    });
  }
}
