import { nesEventProducer, type OutgoingEvent } from '@nes/bus';
import { commonV1, registrationV1 } from '@nes/proto';
import { crtStatus, type CrtStatus } from './domain/crt-status.js';
import { APP_SCOPES } from './domain/scopes.js';
import type { ClientRow, CrtRow } from './db/rows.js';

/**
 * The events this service produces, all on `nes.registration.v1` through the
 * outbox (written in the transaction of the change they describe). Payloads
 * are the `@nes/proto` messages with the full state after the change, so
 * that the audit projection writes its row from one event. They carry ids
 * and SHA-256 hashes, never a token, secret or registration access token.
 *
 * The guide's audit columns and where they come from: EventTime = CloudEvents
 * `time`; EventType C/U/R/D = the event type; SystemUser = CloudEvents
 * `source` (the producing service's identity, NES' equivalent of the
 * application pool identity); the rest are payload fields.
 */

/** CloudEvents `source` of every event of this service. */
export const EVENT_SOURCE = 'nes/registration';

/** The producer bound to this service. */
export const produce = nesEventProducer(EVENT_SOURCE);

const STATUS: Record<CrtStatus, registrationV1.CrtStatus> = {
  active: registrationV1.CrtStatus.ACTIVE,
  expired: registrationV1.CrtStatus.EXPIRED,
  revoked: registrationV1.CrtStatus.REVOKED,
};

/** Who did it, for events: an administrator (by API key holder name). */
export function adminActor(name: string): commonV1.Actor {
  return { type: commonV1.ActorType.USER, id: `admin-api-key:${name}`, display: name };
}

/** Who did it, for events: a client acting for itself. */
export function clientActor(client: Pick<ClientRow, 'clientId' | 'name'>): commonV1.Actor {
  return { type: commonV1.ActorType.CLIENT, id: client.clientId, display: client.name };
}

/** Prefix of `modified_by` when a client changed itself (RFC 7592). */
export const CLIENT_ACTOR_PREFIX = 'client:';

/** The NES replica (host name) that registered a client. */
function serviceActor(host: string): commonV1.Actor {
  return { type: commonV1.ActorType.SERVICE, id: EVENT_SOURCE, display: host };
}

/** Who last modified a client, from its `modified_by` column. */
function clientModifier(row: ClientRow): commonV1.Actor {
  if (row.modifiedBy.startsWith(CLIENT_ACTOR_PREFIX)) {
    return clientActor({
      clientId: row.modifiedBy.slice(CLIENT_ACTOR_PREFIX.length),
      name: row.name,
    });
  }
  return row.modifiedAt.getTime() === row.createdAt.getTime()
    ? serviceActor(row.modifiedBy)
    : adminActor(row.modifiedBy);
}

/** A CRT row as its proto message (status computed at `now`). */
export function toCrtMessage(row: CrtRow, now: Date): registrationV1.ClientRegistrationToken {
  return {
    id: row.id,
    title: row.title,
    tokenHash: row.tokenHash,
    scope: row.scope,
    scopeAuditCode: APP_SCOPES[row.scope].auditCode,
    details: row.details,
    expiresAt: row.expiresAt,
    maxClients: row.maxClients,
    clientCount: row.clientCount,
    status: STATUS[crtStatus(row, now)],
    lastUsedAt: row.lastUsedAt ?? undefined,
    createdBy: adminActor(row.createdBy),
    createdAt: row.createdAt,
    modifiedBy: adminActor(row.modifiedBy),
    modifiedAt: row.modifiedAt,
    revokedAt: row.revokedAt ?? undefined,
    deletedAt: row.deletedAt ?? undefined,
  };
}

/** A client row as its proto message (never its secret or token hashes). */
export function toClientMessage(row: ClientRow): registrationV1.Client {
  return {
    clientId: row.clientId,
    name: row.name,
    scopes: [...row.scopes],
    appName: row.appName,
    appVersion: row.appVersion,
    osType: row.osType,
    hostName: row.hostName,
    deviceInfo1: row.deviceInfo1,
    deviceInfo2: row.deviceInfo2,
    androidId: row.androidId,
    jwks: row.jwks === null ? '' : JSON.stringify(row.jwks),
    crtId: row.crtId,
    status:
      row.deletedAt === null
        ? registrationV1.ClientStatus.ACTIVE
        : registrationV1.ClientStatus.DELETED,
    registrationType: registrationV1.RegistrationType.DYNAMIC,
    createdBy: serviceActor(row.createdBy),
    createdAt: row.createdAt,
    updatedBy: clientModifier(row),
    updatedAt: row.modifiedAt,
    deletedAt: row.deletedAt ?? undefined,
  };
}

/** Per-request facts events carry. */
export interface EventFacts {
  readonly actor: commonV1.Actor;
  readonly now: Date;
  readonly traceparent?: string | undefined;
}

function options(facts: EventFacts) {
  return {
    time: facts.now,
    ...(facts.traceparent === undefined ? {} : { traceparent: facts.traceparent }),
  };
}

/** `nes.crt.created.v1`, `.revoked.v1` or `.deleted.v1`. */
export function crtEvent(
  type: 'nes.crt.created.v1' | 'nes.crt.revoked.v1' | 'nes.crt.deleted.v1',
  row: CrtRow,
  facts: EventFacts,
): OutgoingEvent {
  return produce(type, { crt: toCrtMessage(row, facts.now), actor: facts.actor }, options(facts));
}

/** `nes.crt.updated.v1` with the proto names of the fields that changed. */
export function crtUpdatedEvent(
  row: CrtRow,
  changedFields: readonly string[],
  facts: EventFacts,
): OutgoingEvent {
  return produce(
    'nes.crt.updated.v1',
    { crt: toCrtMessage(row, facts.now), actor: facts.actor, changedFields: [...changedFields] },
    options(facts),
  );
}

/** Request facts of client events. */
export interface ClientEventFacts extends EventFacts {
  readonly clientIp: string;
  readonly serverHost: string;
}

function clientPayload(row: ClientRow, facts: ClientEventFacts) {
  return {
    client: toClientMessage(row),
    actor: facts.actor,
    clientIp: facts.clientIp,
    crtTokenHash: row.crtTokenHash,
    serverHost: facts.serverHost,
    clientSecretHash: row.secretHash ?? '',
  };
}

/** `nes.client.created.v1` or `.deleted.v1`. */
export function clientEvent(
  type: 'nes.client.created.v1' | 'nes.client.deleted.v1',
  row: ClientRow,
  facts: ClientEventFacts,
): OutgoingEvent {
  return produce(type, clientPayload(row, facts), options(facts));
}

/** `nes.client.updated.v1` with the proto names of the Client fields that changed. */
export function clientUpdatedEvent(
  row: ClientRow,
  changedFields: readonly string[],
  facts: ClientEventFacts,
): OutgoingEvent {
  return produce(
    'nes.client.updated.v1',
    { ...clientPayload(row, facts), changedFields: [...changedFields] },
    options(facts),
  );
}
