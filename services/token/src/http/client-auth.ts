import type { FastifyRequest } from 'fastify';
import type { ClientAuthResult } from '../clients/client-authenticator.js';
import type { TokenContext } from '../context.js';
import { readClientCredentials, type CredentialParameters } from '../domain/client-credentials.js';

/** The credential parameters every OAuth endpoint of this service accepts, bounded. */
export const credentialFields = {
  client_id: 128,
  client_secret: 512,
  client_assertion: 8192,
  client_assertion_type: 256,
} as const;

/**
 * Authenticates the client of an OAuth request (token, introspection,
 * revocation) by whichever single method it used.
 */
export function authenticateRequestClient(
  context: TokenContext,
  request: FastifyRequest,
  body: CredentialParameters,
): Promise<ClientAuthResult> {
  const credentials = readClientCredentials(request.headers.authorization, body);
  return context.clients.authenticate(credentials, {
    ip: request.ip,
    requestId: request.id,
    audiences: context.endpoints.assertionAudiences,
  });
}
