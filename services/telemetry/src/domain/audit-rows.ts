import type { CloudEvent } from '@nes/bus';
import { registrationV1, type commonV1 } from '@nes/proto';
import { payloadOf, type AuditEvent } from './audit-event.js';

/**
 * Rows of the guide's audit tables, from the registration service's events
 * (each event carries the full state after the change, so one event makes
 * one row). EventTime is the CloudEvents `time`, SystemUser its `source`
 * (the producing service's identity), EventType follows from the type.
 */

/** One `audit.client` row. */
export interface AuditClientRow {
  readonly eventId: string;
  readonly eventTime: Date;
  readonly eventType: 'C' | 'U' | 'D';
  readonly systemAccount: string;
  readonly id: string;
  readonly clientId: string;
  readonly clientName: string;
  readonly appName: string;
  /** SHA-256 of the client secret (never the secret); null without one. */
  readonly clientSecret: string | null;
  readonly osType: string;
  readonly createdBy: string;
  readonly registrationType: string;
  readonly hostName: string;
  /** SHA-256 of the CRT the client registered with. */
  readonly initialAccessTokenId: string;
  readonly createdAt: Date | null;
  readonly modifiedAt: Date | null;
  readonly modifiedBy: string;
  readonly clientIp: string;
  readonly crtId: string;
  readonly changedFields: readonly string[];
}

/** One `audit.initial_access_token` row. */
export interface AuditCrtRow {
  readonly eventId: string;
  readonly eventTime: Date;
  readonly eventType: 'C' | 'U' | 'R' | 'D';
  readonly systemAccount: string;
  readonly tokenId: string;
  /** SHA-256 of the token (never the token). */
  readonly token: string;
  readonly title: string;
  readonly validUntil: Date | null;
  /** The guide's numeric scope code (2 = Nymi Connect for Android). */
  readonly scope: number;
  readonly details: string;
  readonly maxClientLimit: number;
  readonly clientCount: number;
  readonly lastUsedTime: Date | null;
  readonly createdAt: Date | null;
  readonly modifiedAt: Date | null;
  readonly modifiedBy: string;
  readonly isRevoked: boolean;
  readonly isDeleted: boolean;
  readonly status: string;
  readonly changedFields: readonly string[];
}

/** What one registration event projects to. */
export type AuditRow =
  | { readonly table: 'client'; readonly row: AuditClientRow }
  | { readonly table: 'initial_access_token'; readonly row: AuditCrtRow };

const REGISTRATION_TYPES: Readonly<Record<number, string>> = {
  [registrationV1.RegistrationType.DYNAMIC]: 'Dynamic',
};

const CRT_STATUS: Readonly<Record<number, string>> = {
  [registrationV1.CrtStatus.ACTIVE]: 'Active',
  [registrationV1.CrtStatus.EXPIRED]: 'Expired',
  [registrationV1.CrtStatus.REVOKED]: 'Revoked',
};

function actorName(actor: commonV1.Actor | undefined): string {
  return actor === undefined ? '' : actor.display !== '' ? actor.display : actor.id;
}

function clientRow(
  event: CloudEvent,
  eventType: AuditClientRow['eventType'],
  payload: {
    client: registrationV1.Client | undefined;
    actor: commonV1.Actor | undefined;
    clientIp: string;
    crtTokenHash: string;
    serverHost: string;
    clientSecretHash: string;
    changedFields?: readonly string[];
  },
): AuditRow {
  const client = payload.client ?? registrationV1.Client.fromPartial({});
  return {
    table: 'client',
    row: {
      eventId: event.id,
      eventTime: new Date(event.time),
      eventType,
      systemAccount: event.source,
      id: client.clientId,
      clientId: client.clientId,
      clientName: client.name,
      appName: client.appName,
      clientSecret: payload.clientSecretHash === '' ? null : payload.clientSecretHash,
      osType: client.osType,
      createdBy: payload.serverHost,
      registrationType: REGISTRATION_TYPES[client.registrationType] ?? 'Unspecified',
      hostName: client.hostName,
      initialAccessTokenId: payload.crtTokenHash,
      createdAt: client.createdAt ?? null,
      modifiedAt: client.updatedAt ?? null,
      modifiedBy: actorName(payload.actor),
      clientIp: payload.clientIp,
      crtId: client.crtId,
      changedFields: payload.changedFields ?? [],
    },
  };
}

function crtRow(
  event: CloudEvent,
  eventType: AuditCrtRow['eventType'],
  payload: {
    crt: registrationV1.ClientRegistrationToken | undefined;
    actor: commonV1.Actor | undefined;
    changedFields?: readonly string[];
  },
): AuditRow {
  const crt = payload.crt ?? registrationV1.ClientRegistrationToken.fromPartial({});
  const modifiedBy = actorName(eventType === 'U' ? payload.actor : crt.modifiedBy);
  return {
    table: 'initial_access_token',
    row: {
      eventId: event.id,
      eventTime: new Date(event.time),
      eventType,
      systemAccount: event.source,
      tokenId: crt.id,
      token: crt.tokenHash,
      title: crt.title,
      validUntil: crt.expiresAt ?? null,
      scope: crt.scopeAuditCode,
      details: crt.details,
      maxClientLimit: crt.maxClients,
      clientCount: crt.clientCount,
      lastUsedTime: crt.lastUsedAt ?? null,
      createdAt: crt.createdAt ?? null,
      modifiedAt: crt.modifiedAt ?? null,
      modifiedBy: modifiedBy !== '' ? modifiedBy : actorName(payload.actor),
      isRevoked: crt.revokedAt !== undefined,
      isDeleted: crt.deletedAt !== undefined,
      status: CRT_STATUS[crt.status] ?? 'Unspecified',
      changedFields: payload.changedFields ?? [],
    },
  };
}

/**
 * The audit row of a registration event, or undefined for any other type.
 * C/U/R/D follow the guide: created, updated, revoked (CRTs only), deleted.
 */
export function toAuditRow(received: AuditEvent): AuditRow | undefined {
  const { event } = received;
  switch (event.type) {
    case 'nes.client.created.v1': {
      const p = payloadOf(received, 'nes.client.created.v1');
      return p && clientRow(event, 'C', p);
    }
    case 'nes.client.updated.v1': {
      const p = payloadOf(received, 'nes.client.updated.v1');
      return p && clientRow(event, 'U', p);
    }
    case 'nes.client.deleted.v1': {
      const p = payloadOf(received, 'nes.client.deleted.v1');
      return p && clientRow(event, 'D', p);
    }
    case 'nes.crt.created.v1': {
      const p = payloadOf(received, 'nes.crt.created.v1');
      return p && crtRow(event, 'C', p);
    }
    case 'nes.crt.updated.v1': {
      const p = payloadOf(received, 'nes.crt.updated.v1');
      return p && crtRow(event, 'U', p);
    }
    case 'nes.crt.revoked.v1': {
      const p = payloadOf(received, 'nes.crt.revoked.v1');
      return p && crtRow(event, 'R', p);
    }
    case 'nes.crt.deleted.v1': {
      const p = payloadOf(received, 'nes.crt.deleted.v1');
      return p && crtRow(event, 'D', p);
    }
    default:
      return undefined;
  }
}
