import { InvalidClientError } from '@nes/kit';
import type { RegistrationContext } from '../context.js';
import { secretMatches } from '../domain/secrets.js';
import { findClient } from '../db/client-queries.js';
import type { ClientRow } from '../db/rows.js';
import { isUuid } from './errors.js';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Checks a client's id and secret (for the token service's
 * client_credentials grant). Unknown ids, deleted clients, clients without a
 * secret, expired secrets and wrong secrets all fail the same way, and each
 * path does the same work — one indexed lookup and one constant-time
 * comparison of SHA-256 digests (against a dummy when there is no client) —
 * so that neither the answer nor its timing tells them apart.
 *
 * @throws InvalidClientError (gRPC UNAUTHENTICATED).
 */
export async function authenticateClient(
  context: RegistrationContext,
  clientId: string,
  clientSecret: string,
): Promise<ClientRow> {
  const client = await findClient(context.pool, isUuid(clientId) ? clientId : NIL_UUID);
  const matches = secretMatches(clientSecret, client?.secretHash);
  const expired =
    client?.secretExpiresAt != null &&
    client.secretExpiresAt.getTime() <= context.clock.now().getTime();
  if (!client || !matches || expired) {
    context.metrics.clientOperation('authenticate_failed');
    throw new InvalidClientError('client authentication failed');
  }
  context.metrics.clientOperation('authenticate_ok');
  return client;
}
