import { nesEvent, type CloudEvent } from '@nes/bus';
import { commonV1, parseEventData, registrationV1, tapV1, type EventType } from '@nes/proto';
import { describe, expect, it } from 'vitest';
import { toAuditRow } from './audit-rows.js';

/** The audit row of a received event, its payload read as the catalog reads it. */
function auditRowOf(event: CloudEvent) {
  return toAuditRow({ event, payload: parseEventData(event.type as EventType, event.data) });
}

const admin = { type: commonV1.ActorType.USER, id: 'admin-api-key:alice', display: 'alice' };
const crt = registrationV1.ClientRegistrationToken.fromPartial({
  id: 'crt-1',
  title: 'Ward 7',
  tokenHash: 'a'.repeat(64),
  scope: 'nymi-connect',
  scopeAuditCode: 2,
  details: 'notes',
  expiresAt: new Date('2027-01-01T00:00:00Z'),
  maxClients: 5,
  clientCount: 1,
  status: registrationV1.CrtStatus.REVOKED,
  lastUsedAt: new Date('2026-01-02T00:00:00Z'),
  createdAt: new Date('2026-01-01T00:00:00Z'),
  modifiedAt: new Date('2026-01-03T00:00:00Z'),
  modifiedBy: admin,
  revokedAt: new Date('2026-01-03T00:00:00Z'),
});

describe('toAuditRow', () => {
  it('maps CRT events to audit.initial_access_token rows with C/U/R/D', () => {
    const types = [
      ['nes.crt.created.v1', 'C'],
      ['nes.crt.updated.v1', 'U'],
      ['nes.crt.revoked.v1', 'R'],
      ['nes.crt.deleted.v1', 'D'],
    ] as const;
    for (const [type, code] of types) {
      const { event } = nesEvent(
        type,
        { crt, actor: admin, changedFields: [] },
        { source: 'nes/registration' },
      );
      const row = auditRowOf(event);
      expect(row?.table).toBe('initial_access_token');
      expect(row?.row).toMatchObject({
        eventType: code,
        systemAccount: 'nes/registration',
        eventId: event.id,
      });
    }
    const { event } = nesEvent(
      'nes.crt.revoked.v1',
      { crt, actor: admin },
      { source: 'nes/registration' },
    );
    expect(auditRowOf(event)?.row).toMatchObject({
      tokenId: 'crt-1',
      token: 'a'.repeat(64),
      title: 'Ward 7',
      scope: 2,
      details: 'notes',
      maxClientLimit: 5,
      clientCount: 1,
      isRevoked: true,
      isDeleted: false,
      status: 'Revoked',
      modifiedBy: 'alice',
      validUntil: new Date('2027-01-01T00:00:00Z'),
      lastUsedTime: new Date('2026-01-02T00:00:00Z'),
    });
  });

  it('maps client events to audit.client rows with C/U/D and every column', () => {
    const client = registrationV1.Client.fromPartial({
      clientId: 'c-1',
      name: 'SN1-mdm-1',
      appName: 'Nymi Connect',
      osType: 'Android 14',
      hostName: 'SM-M315F',
      crtId: 'crt-1',
      registrationType: registrationV1.RegistrationType.DYNAMIC,
      createdAt: new Date('2026-01-01T00:00:00Z'),
      updatedAt: new Date('2026-01-02T00:00:00Z'),
    });
    const common = {
      client,
      actor: admin,
      clientIp: '10.0.0.7',
      crtTokenHash: 'b'.repeat(64),
      serverHost: 'nes-1',
      clientSecretHash: 'c'.repeat(64),
    };
    const created = nesEvent('nes.client.created.v1', common, { source: 'nes/registration' });
    expect(auditRowOf(created.event)?.row).toMatchObject({
      eventType: 'C',
      id: 'c-1',
      clientId: 'c-1',
      clientName: 'SN1-mdm-1',
      appName: 'Nymi Connect',
      clientSecret: 'c'.repeat(64),
      osType: 'Android 14',
      createdBy: 'nes-1',
      registrationType: 'Dynamic',
      hostName: 'SM-M315F',
      initialAccessTokenId: 'b'.repeat(64),
      modifiedBy: 'alice',
      clientIp: '10.0.0.7',
    });
    const updated = nesEvent(
      'nes.client.updated.v1',
      { ...common, changedFields: ['name'] },
      { source: 'nes/registration' },
    );
    expect(auditRowOf(updated.event)?.row).toMatchObject({
      eventType: 'U',
      changedFields: ['name'],
    });
    const deleted = nesEvent(
      'nes.client.deleted.v1',
      { ...common, clientSecretHash: '' },
      { source: 'nes/registration' },
    );
    expect(auditRowOf(deleted.event)?.row).toMatchObject({ eventType: 'D', clientSecret: null });
  });

  it('returns undefined for events with no audit table', () => {
    const { event } = nesEvent(
      'nes.tap.rejected.v1',
      tapV1.TapRejected.fromPartial({ bandId: 'b-1' }),
      { source: 'nes/edge-gateway' },
    );
    expect(auditRowOf(event)).toBeUndefined();
  });
});
