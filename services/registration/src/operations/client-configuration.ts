import { enqueue } from '@nes/bus';
import { InvalidRequestError, InvalidTokenError, withTransaction } from '@nes/kit';
import type { RegistrationContext } from '../context.js';
import { readBearer } from '../domain/bearer.js';
import { parseClientUpdate, type ClientMetadata } from '../domain/client-metadata.js';
import { newSecret, secretMatches, sha256Hex } from '../domain/secrets.js';
import * as queries from '../db/client-queries.js';
import type { ClientRow } from '../db/rows.js';
import { CLIENT_ACTOR_PREFIX, clientActor, clientEvent, clientUpdatedEvent } from '../events.js';
import { clientInformation, type ClientInformation } from './client-response.js';
import { isUuid } from './errors.js';

/**
 * The client configuration endpoint (RFC 7592): a registered client reads,
 * updates or deletes its own registration with its registration access
 * token. The token is rotated on every successful update (the new one is in
 * the response, the old one stops working at once); deleting is a soft
 * delete, after which the client can no longer authenticate anywhere.
 */

/** A request to the configuration endpoint. */
export interface ConfigurationRequest {
  readonly clientId: string;
  readonly authorization: readonly string[];
  readonly clientIp: string;
  readonly traceparent?: string | undefined;
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

function invalidToken(): InvalidTokenError {
  return new InvalidTokenError('The registration access token is not valid for this client');
}

/**
 * Authenticates the registration access token for the client in the path.
 * Unknown, deleted and mismatching cases are one answer (RFC 7592 §2.1 asks
 * for 401 when the client does not exist), and cost the same work.
 */
async function authenticate(
  context: RegistrationContext,
  request: ConfigurationRequest,
  executor: Parameters<typeof queries.findClient>[0] = context.pool,
  forUpdate = false,
): Promise<{ client: ClientRow }> {
  const bearer = readBearer(request.authorization);
  if (bearer.kind === 'missing') {
    throw new InvalidTokenError(
      'A registration access token is required (Authorization: Bearer).',
      {
        missing: true,
      },
    );
  }
  if (bearer.kind === 'malformed') throw new InvalidRequestError(bearer.reason);
  const id = isUuid(request.clientId) ? request.clientId : NIL_UUID;
  const client = await queries.findClient(executor, id, { forUpdate });
  if (!secretMatches(bearer.token, client?.registrationAccessTokenHash) || !client)
    throw invalidToken();
  return { client };
}

/** RFC 7592 §2.1: the client's current registration (no secret, no new token). */
export async function readClientConfiguration(
  context: RegistrationContext,
  request: ConfigurationRequest,
): Promise<ClientInformation> {
  const { client } = await authenticate(context, request);
  return clientInformation(client, context.config.publicUrl, {});
}

/** Stored metadata of a client, in the shape the validator compares with. */
function currentMetadata(client: ClientRow): ClientMetadata {
  return {
    clientName: client.clientName,
    grantTypes: client.grantTypes,
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
    scopes: client.scopes,
    jwks: client.jwks,
    softwareId: client.softwareId,
    softwareVersion: client.softwareVersion,
    appName: client.appName,
    appVersion: client.appVersion,
    osType: client.osType,
    hostName: client.hostName,
    deviceInfo1: client.deviceInfo1,
    deviceInfo2: client.deviceInfo2,
    androidId: client.androidId,
  };
}

/** Metadata names → proto names of Client (fields the proto does not carry are left out). */
const PROTO_FIELDS: Partial<Record<keyof ClientMetadata, string>> = {
  jwks: 'jwks',
  appName: 'app_name',
  appVersion: 'app_version',
  osType: 'os_type',
  hostName: 'host_name',
  deviceInfo1: 'device_info_1',
  deviceInfo2: 'device_info_2',
};

/**
 * RFC 7592 §2.2: replaces the client's mutable metadata and rotates its
 * registration access token. The body must repeat the client_id; a
 * client_secret in it must be the right one.
 */
export async function updateClientConfiguration(
  context: RegistrationContext,
  request: ConfigurationRequest & { readonly body: unknown },
): Promise<ClientInformation> {
  const { client } = await authenticate(context, request);
  const body = request.body as Record<string, unknown> | null;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('the request body must be a JSON object of client metadata');
  }
  if (body.client_id !== client.clientId) {
    throw new InvalidRequestError('client_id in the body must be the client being updated');
  }
  if (body.client_secret !== undefined) {
    if (
      typeof body.client_secret !== 'string' ||
      !secretMatches(body.client_secret, client.secretHash)
    ) {
      throw new InvalidRequestError('client_secret does not match the registered secret');
    }
  }
  const { metadata, changed } = parseClientUpdate(body, currentMetadata(client));
  const token = newSecret();
  const now = context.clock.now();
  const row = await withTransaction(context.pool, async (tx) => {
    // Re-authenticate under the row lock: of two updates sent with the same
    // token, the second finds it already rotated.
    const { client: locked } = await authenticate(context, request, tx, true);
    const updated = await queries.updateClientMetadata(
      tx,
      locked.clientId,
      { metadata, registrationAccessTokenHash: sha256Hex(token) },
      `${CLIENT_ACTOR_PREFIX}${locked.clientId}`,
      now,
    );
    const fields = changed.flatMap((key) => PROTO_FIELDS[key] ?? []);
    await enqueue(
      tx,
      clientUpdatedEvent(updated, fields, {
        actor: clientActor(updated),
        now,
        traceparent: request.traceparent,
        clientIp: request.clientIp,
        serverHost: context.config.serverHost,
      }),
    );
    return updated;
  });
  context.metrics.clientOperation('update');
  return clientInformation(row, context.config.publicUrl, { registrationAccessToken: token });
}

/** RFC 7592 §2.3: the client deletes (deactivates) its registration. */
export async function deleteClientConfiguration(
  context: RegistrationContext,
  request: ConfigurationRequest,
): Promise<void> {
  await authenticate(context, request);
  const now = context.clock.now();
  await withTransaction(context.pool, async (tx) => {
    const { client } = await authenticate(context, request, tx, true);
    const deleted = await queries.deleteClient(
      tx,
      client.clientId,
      `${CLIENT_ACTOR_PREFIX}${client.clientId}`,
      now,
    );
    await enqueue(
      tx,
      clientEvent('nes.client.deleted.v1', deleted, {
        actor: clientActor(deleted),
        now,
        traceparent: request.traceparent,
        clientIp: request.clientIp,
        serverHost: context.config.serverHost,
      }),
    );
  });
  context.metrics.clientOperation('delete');
}
