import { parseMessage, type UnaryHandler } from '@nes/kit';
import type { registrationV1 } from '@nes/proto';
import { z } from 'zod';
import type { RegistrationContext } from '../context.js';
import { toClientMessage } from '../events.js';
import { authenticateClient } from '../operations/authenticate-client.js';

const request = z.object({
  clientId: z.string().min(1).max(128),
  clientSecret: z.string().min(1).max(512),
});

/**
 * AuthenticateClient: the token service's client_credentials check.
 * UNAUTHENTICATED (invalid_client) for every failure, without saying which.
 */
export function authenticateClientHandler(
  context: RegistrationContext,
): UnaryHandler<
  registrationV1.AuthenticateClientRequest,
  registrationV1.AuthenticateClientResponse
> {
  return async (message) => {
    const { clientId, clientSecret } = parseMessage(request, message);
    const client = await authenticateClient(context, clientId, clientSecret);
    return { client: toClientMessage(client) };
  };
}
