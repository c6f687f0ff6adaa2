import { parseMessage, type UnaryHandler } from '@nes/kit';
import type { registrationV1 } from '@nes/proto';
import { z } from 'zod';
import type { RegistrationContext } from '../context.js';
import { toClientMessage } from '../events.js';
import { getClient } from '../operations/clients.js';

const request = z.object({ clientId: z.string().min(1).max(128) });

/** GetClient: an active client's metadata; NOT_FOUND for unknown and deleted clients. */
export function getClientHandler(
  context: RegistrationContext,
): UnaryHandler<registrationV1.GetClientRequest, registrationV1.GetClientResponse> {
  return async (message) => {
    const { clientId } = parseMessage(request, message);
    return { client: toClientMessage(await getClient(context, clientId)) };
  };
}
