import { randomUUID } from 'node:crypto';
import { enqueue } from '@nes/bus';
import { InvalidRequestError, InvalidTokenError, withTransaction } from '@nes/kit';
import type { RegistrationContext } from '../context.js';
import { readBearer } from '../domain/bearer.js';
import { parseClientMetadata } from '../domain/client-metadata.js';
import { deriveClientName } from '../domain/client-name.js';
import { crtStatus } from '../domain/crt-status.js';
import { verifyCrt } from '../domain/crt-token.js';
import { hashesEqual, newSecret, sha256Hex } from '../domain/secrets.js';
import { insertClient } from '../db/client-queries.js';
import { claimCrtSlot, findCrt } from '../db/crt-queries.js';
import type { CrtRow } from '../db/rows.js';
import { clientActor, clientEvent, crtUpdatedEvent } from '../events.js';
import type { RegistrationOutcome } from '../metrics.js';
import { clientInformation, type ClientInformation } from './client-response.js';
import { ClientLimitReachedError } from './errors.js';
import { limitRegistrations } from './rate-limits.js';

/** An RFC 7591 registration request as the HTTP layer hands it over. */
export interface RegistrationRequest {
  /** Values of every Authorization header sent. */
  readonly authorization: readonly string[];
  /** The parsed JSON body, unchecked. */
  readonly body: unknown;
  /** The caller's address (after trusted proxies). */
  readonly clientIp: string;
  readonly traceparent?: string | undefined;
}

/** The guide's wording for the two CRT states a device shows to its user. */
export const CRT_EXPIRED = 'Initial access token expired';
export const CRT_REVOKED = 'Initial access token has been revoked';

/** An error that also says which outcome to count. */
function refused(outcome: RegistrationOutcome, error: Error): Error {
  return Object.assign(error, { registrationOutcome: outcome });
}

function unusable(crt: CrtRow, now: Date): Error | undefined {
  const status = crtStatus(crt, now);
  if (status === 'revoked') return refused('revoked', new InvalidTokenError(CRT_REVOKED));
  if (status === 'expired') return refused('expired', new InvalidTokenError(CRT_EXPIRED));
  // Deleted CRTs are expired or revoked, so one of the above answered already.
  return undefined;
}

/**
 * Authenticates the initial access token: a CRT signed by this server,
 * whose row exists and holds the token's hash. Expiry and revocation are
 * judged from the row (the authority), with the guide's messages.
 */
async function authenticateCrt(
  context: RegistrationContext,
  authorization: readonly string[],
): Promise<{ crt: CrtRow; tokenHash: string }> {
  const bearer = readBearer(authorization);
  if (bearer.kind === 'missing') {
    throw refused(
      'missing_token',
      new InvalidTokenError('An initial access token is required (Authorization: Bearer).', {
        missing: true,
      }),
    );
  }
  if (bearer.kind === 'malformed')
    throw refused('invalid_token', new InvalidRequestError(bearer.reason));
  const invalid = () =>
    refused('invalid_token', new InvalidTokenError('Initial access token is not valid'));
  const claims = await verifyCrt(bearer.token, context.signingKeys, context.tokenSettings);
  if (typeof claims === 'string') throw invalid();
  await limitRegistrations(context, `crt:${claims.id}`, context.config.rateLimit.registerPerCrt);
  const tokenHash = sha256Hex(bearer.token);
  const crt = await findCrt(context.pool, claims.id, { includeDeleted: true });
  if (!crt || !hashesEqual(tokenHash, crt.tokenHash) || crt.scope !== claims.scope) throw invalid();
  const problem = unusable(crt, context.clock.now());
  if (problem) throw problem;
  return { crt, tokenHash };
}

/**
 * Dynamic client registration (RFC 7591 §3) with a CRT as initial access
 * token. In one transaction: insert the client and its scope grants, take a
 * slot of the CRT (the conditional update that keeps the client limit exact),
 * and enqueue `client.created` and `crt.updated` (client count, last used).
 * The client secret and registration access token exist only in the
 * response; the database keeps their SHA-256.
 */
export async function registerClient(
  context: RegistrationContext,
  request: RegistrationRequest,
): Promise<ClientInformation> {
  try {
    await limitRegistrations(
      context,
      `ip:${request.clientIp}`,
      context.config.rateLimit.registerPerIp,
    );
    const { crt } = await authenticateCrt(context, request.authorization);
    const metadata = (() => {
      try {
        return parseClientMetadata(request.body, [crt.scope]);
      } catch (error) {
        throw refused('invalid_metadata', error as Error);
      }
    })();
    const now = context.clock.now();
    const clientId = randomUUID();
    const clientSecret =
      metadata.tokenEndpointAuthMethod === 'private_key_jwt' ? undefined : newSecret();
    const registrationAccessToken = newSecret();
    const ttl = context.config.client.secretTtlSeconds;
    const row = await withTransaction(context.pool, async (tx) => {
      const client = await insertClient(tx, {
        clientId,
        name: deriveClientName(metadata, clientId),
        secretHash: clientSecret === undefined ? null : sha256Hex(clientSecret),
        secretExpiresAt:
          clientSecret === undefined || ttl === 0 ? null : new Date(now.getTime() + ttl * 1000),
        registrationAccessTokenHash: sha256Hex(registrationAccessToken),
        metadata,
        crtId: crt.id,
        crtTokenHash: crt.tokenHash,
        clientIp: request.clientIp,
        createdBy: context.config.serverHost,
        now,
      });
      // The slot is taken last: concurrent registrations with one CRT queue on
      // its row lock, which is then held only for this statement, one outbox
      // insert and the commit. Refused, the whole transaction rolls back.
      const claimed = await claimCrtSlot(tx, crt.id, now);
      if (!claimed) {
        const current = await findCrt(tx, crt.id, { includeDeleted: true });
        throw (
          (current && unusable(current, now)) ??
          refused(
            'limit_reached',
            new ClientLimitReachedError(
              `Initial access token has reached its client limit (${current?.maxClients ?? crt.maxClients} clients)`,
            ),
          )
        );
      }
      const facts = {
        actor: clientActor(client),
        now,
        traceparent: request.traceparent,
        clientIp: request.clientIp,
        serverHost: context.config.serverHost,
      };
      await enqueue(tx, [
        clientEvent('nes.client.created.v1', client, facts),
        crtUpdatedEvent(claimed, ['client_count', 'last_used_at'], facts),
      ]);
      return client;
    });
    context.metrics.registration('registered');
    return clientInformation(row, context.config.publicUrl, {
      ...(clientSecret === undefined ? {} : { clientSecret }),
      registrationAccessToken,
    });
  } catch (error) {
    const outcome = (error as { registrationOutcome?: RegistrationOutcome }).registrationOutcome;
    // Rate-limited requests were counted where they were refused.
    if (!(error instanceof Error && error.name === 'TooManyRequestsError')) {
      context.metrics.registration(outcome ?? 'error');
    }
    throw error;
  }
}
