import { startKafkaMock, type KafkaMock } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneReceipts } from '../src/db/ingest-queries.js';
import { deviceEvent, ingest } from './support/events.js';
import { eventually, startStack, type TelemetryStack, type TestDevice } from './support/stack.js';

let kafka: KafkaMock;
let stack: TelemetryStack;
let device: TestDevice;

beforeAll(async () => {
  kafka = await startKafkaMock({ partitions: 4 });
  stack = await startStack({ brokers: kafka.brokers });
  device = await stack.registerDevice();
});
afterAll(async () => {
  await stack?.stop();
  await kafka?.stop();
});

interface LogRowRecord {
  id: string;
  event_id: string;
  timestamp: Date;
  severity: string;
  level: string;
  message: string;
  exception: string | null;
  trace_id: string | null;
  span_id: string | null;
  source: string;
  service_name: string;
  attributes: Record<string, unknown>;
  created_at: Date;
  modified_at: Date;
  client_ip: string | null;
  user_id: string | null;
  authenticator_id: string | null;
  host_id: string | null;
  client_id: string | null;
}

async function rowsOf(clientId: string): Promise<LogRowRecord[]> {
  const { rows } = await stack.sql.query<LogRowRecord>(
    `SELECT *, host(client_ip) AS client_ip FROM telemetry.log WHERE client_id = $1 ORDER BY id`,
    [clientId],
  );
  return rows;
}

describe('device telemetry from ingest to the projection', () => {
  it('answers 202 once durable and projects every field into telemetry.log', async () => {
    const event = deviceEvent({
      severity: 'Error',
      level: 'Warning',
      exception: 'java.lang.IllegalStateException: band lost\n\tat Tap.run(Tap.kt:42)',
      authenticatorId: 'ble_mac_00:1a:7d:da:71:13',
    });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const reply = await fetch(`${stack.base}/telemetry/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${device.accessToken}`,
        'content-type': 'application/json',
        traceparent,
      },
      body: JSON.stringify({ events: [event] }),
    });
    const body = (await reply.json()) as {
      accepted: number;
      events: { id: string; status: string; eventId: string }[];
    };
    expect(reply.status).toBe(202);
    expect(body.accepted).toBe(1);
    expect(body.events[0]).toMatchObject({ eventId: event.eventId, status: 'accepted' });
    // Durable before the answer: its receipt, written in the transaction that
    // wrote the outbox row, exists already (the row itself is deleted once published).
    const receipt = await stack.sql.query(
      `SELECT 1 FROM telemetry.ingest_receipt WHERE event_id = $1`,
      [body.events[0]?.id],
    );
    expect(receipt.rowCount).toBe(1);

    const [row] = await eventually(async () => {
      const rows = await rowsOf(device.clientId);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(row).toMatchObject({
      event_id: body.events[0]?.id,
      severity: 'Error',
      level: 'Warning',
      message: event.message,
      exception: event.exception,
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      source: 'TapService',
      service_name: 'nes/telemetry',
      client_ip: '127.0.0.1',
      user_id: 'EXAMPLE\\jdoe',
      authenticator_id: 'BLE_MAC_00:1A:7D:DA:71:13',
      host_id: device.androidId,
      client_id: device.clientId,
    });
    expect(row?.timestamp).toBeInstanceOf(Date);
    expect(row?.created_at).toBeInstanceOf(Date);
    expect(row?.modified_at).toBeInstanceOf(Date);
    expect(row?.attributes).toEqual({
      ClientName: `${String(device.metadata.device_info_1)}-${String(device.metadata.device_info_2)}`,
      AppName: 'Nymi Connect',
      HostName: 'SM-M315F',
      OSType: 'Android 14',
      EventType: 'TapAuthentication',
      EventTime: event.eventTime,
      Category: 'Audit',
      SubCategory: 'Authentication',
      Producer: 'NCA',
      ProducerVersion: '3.0.1',
      HostId: device.androidId,
      UserId: 'EXAMPLE\\jdoe',
      AuthenticatorId: 'BLE_MAC_00:1A:7D:DA:71:13',
      SecondaryAuthenticatorId: 'NFC_3B8F7E2100',
      AppProcessName: 'chrome.exe',
      AppURL: 'https://intranet.example.com/login',
      AppWinTitle: event.appWindowTitle,
      TotalElapsedTime: 1234,
      Details: 'password autofilled',
      ClientId: device.clientId,
      ClientEventId: event.eventId,
    });
  });

  it('refuses identity fields in the body and takes them from the registered client', async () => {
    const other = await stack.registerDevice();
    const spoofed = deviceEvent({
      clientName: 'ceo-laptop',
      hostName: 'evil',
      osType: 'Windows',
      appName: 'Not Nymi',
      clientId: device.clientId,
    });
    const reply = await ingest(stack.base, other.accessToken, [spoofed]);
    expect(reply.status).toBe(400);
    const issues = (
      reply.body.details as { issues: { index: number; field: string; message: string }[] }
    ).issues;
    expect(issues.map((i) => i.field).sort()).toEqual(
      ['/appName', '/clientId', '/clientName', '/hostName', '/osType'].sort(),
    );
    expect(issues[0]?.message).toContain('set by the server');
    // Another device's Android id is refused too.
    const foreignHost = await ingest(stack.base, other.accessToken, [
      deviceEvent({ hostId: device.androidId }),
    ]);
    expect(foreignHost.status).toBe(400);
    expect(JSON.stringify(foreignHost.body)).toContain('/hostId');
    // Nothing of either batch was stored.
    const ok = await ingest(stack.base, other.accessToken, [
      deviceEvent({ hostId: other.androidId }),
    ]);
    expect(ok.status).toBe(202);
    const rows = await eventually(async () => {
      const found = await rowsOf(other.clientId);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(rows[0]?.attributes).toMatchObject({
      ClientName: `${String(other.metadata.device_info_1)}-${String(other.metadata.device_info_2)}`,
      OSType: 'Android 14',
      HostId: other.androidId,
      ClientId: other.clientId,
    });
  });

  it('keeps one event per client event id across retries and concurrent duplicates', async () => {
    const retrying = await stack.registerDevice();
    const batch = Array.from({ length: 50 }, () => deviceEvent());
    const first = await ingest(stack.base, retrying.accessToken, batch);
    expect(first.status).toBe(202);
    expect(first.body.accepted).toBe(50);
    const replies = await Promise.all(
      Array.from({ length: 4 }, () => ingest(stack.base, retrying.accessToken, batch)),
    );
    for (const reply of replies) {
      expect(reply.status).toBe(202);
      expect(reply.body).toMatchObject({ accepted: 0, duplicates: 50 });
    }
    // A retry names the CloudEvents ids of the first acceptance.
    const ids = (r: typeof first) => (r.body.events as { id: string }[]).map((e) => e.id);
    expect(ids(replies[0] ?? first)).toEqual(ids(first));
    // Half old, half new: only the new half is stored.
    const mixed = [...batch.slice(0, 25), ...Array.from({ length: 25 }, () => deviceEvent())];
    const third = await ingest(stack.base, retrying.accessToken, mixed);
    expect(third.body).toMatchObject({ accepted: 25, duplicates: 25 });
    await eventually(async () => {
      const { rows } = await stack.sql.query<{ n: string; distinct_ids: string }>(
        `SELECT count(*) AS n, count(DISTINCT attributes->>'ClientEventId') AS distinct_ids
           FROM telemetry.log WHERE client_id = $1`,
        [retrying.clientId],
      );
      expect(rows[0]).toEqual({ n: '75', distinct_ids: '75' });
    });
    // Each row's attributes are its own event's (the INSERT pairs one array per column).
    const accepted = [first, third].flatMap(
      (r) => r.body.events as { id: string; eventId: string }[],
    );
    const clientEventIds = new Map(accepted.map((e) => [e.id, e.eventId]));
    const { rows: projected } = await stack.sql.query<{ event_id: string; sent_as: string }>(
      `SELECT event_id, attributes->>'ClientEventId' AS sent_as
         FROM telemetry.log WHERE client_id = $1`,
      [retrying.clientId],
    );
    expect(projected.map((r) => r.sent_as)).toEqual(
      projected.map((r) => clientEventIds.get(r.event_id)),
    );
    // The same event id from another client is another event.
    const neighbour = await stack.registerDevice();
    const reused = await ingest(stack.base, neighbour.accessToken, [batch[0]]);
    expect(reused.body).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('projects registration events into the audit tables with C/U/R/D codes', async () => {
    const admin = { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' };
    const created = await fetch(`${stack.registrationBase}/admin/v1/crts`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        title: `audit trail ${Date.now()}`,
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        scope: 'nymi-connect',
        details: 'for the audit test',
        maxClients: 3,
      }),
    });
    const crt = (await created.json()) as { crt: { id: string; tokenHash: string }; token: string };
    expect(created.status).toBe(201);
    const registered = await fetch(`${stack.registrationBase}/oauth2/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${crt.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        app_name: 'Nymi Connect',
        os_type: 'Android 14',
        host_name: 'SM-A515F',
        device_info_1: 'SN-audit',
        device_info_2: 'mdm-audit',
        android_id: 'c0ffee00c0ffee00',
      }),
    });
    const client = (await registered.json()) as { client_id: string };
    expect(registered.status).toBe(201);
    const patch = (path: string, body: unknown) =>
      fetch(`${stack.registrationBase}${path}`, {
        method: 'PATCH',
        headers: admin,
        body: JSON.stringify(body),
      });
    expect(
      (await patch(`/admin/v1/clients/${client.client_id}`, { name: 'Ward 7 tablet' })).status,
    ).toBe(200);
    expect((await patch(`/admin/v1/crts/${crt.crt.id}`, { details: 'edited' })).status).toBe(200);
    const revoke = await fetch(`${stack.registrationBase}/admin/v1/crts/${crt.crt.id}/revoke`, {
      method: 'POST',
      headers: { authorization: admin.authorization },
    });
    expect(revoke.status).toBe(200);
    const del = (path: string) =>
      fetch(`${stack.registrationBase}${path}`, {
        method: 'DELETE',
        headers: { authorization: admin.authorization },
      });
    expect((await del(`/admin/v1/crts/${crt.crt.id}`)).status).toBe(204);
    expect((await del(`/admin/v1/clients/${client.client_id}`)).status).toBe(204);

    const clientRows = await eventually(async () => {
      const { rows } = await stack.sql.query<Record<string, unknown>>(
        `SELECT * FROM audit.client WHERE client_id = $1 ORDER BY "identity"`,
        [client.client_id],
      );
      expect(rows.map((r) => r.event_type)).toEqual(['C', 'U', 'D']);
      return rows;
    });
    expect(clientRows[0]).toMatchObject({
      system_account: 'nes/registration',
      id: client.client_id,
      client_name: 'SN-audit-mdm-audit',
      app_name: 'Nymi Connect',
      os_type: 'Android 14',
      created_by: 'nes-test-host',
      registration_type: 'Dynamic',
      host_name: 'SM-A515F',
      initial_access_token_id: crt.crt.tokenHash,
      crt_id: crt.crt.id,
    });
    expect(String(clientRows[0]?.client_secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(clientRows[1]).toMatchObject({ client_name: 'Ward 7 tablet', modified_by: 'auditor' });
    for (const row of clientRows) {
      expect(row.event_time).toBeInstanceOf(Date);
      expect(row.created_at).toBeInstanceOf(Date);
      expect(row.modified_at).toBeInstanceOf(Date);
    }

    const crtRows = await eventually(async () => {
      const { rows } = await stack.sql.query<Record<string, unknown>>(
        `SELECT * FROM audit.initial_access_token WHERE token_id = $1 ORDER BY "identity"`,
        [crt.crt.id],
      );
      // Created, used by the registration (U), edited (U), revoked, deleted.
      expect(rows.map((r) => r.event_type)).toEqual(['C', 'U', 'U', 'R', 'D']);
      return rows;
    });
    expect(crtRows[0]).toMatchObject({
      system_account: 'nes/registration',
      token: crt.crt.tokenHash,
      scope: 2,
      details: 'for the audit test',
      max_client_limit: 3,
      is_revoked: false,
      is_deleted: false,
      modified_by: 'auditor',
    });
    expect(crtRows[1]).toMatchObject({ client_count: 1 });
    expect(crtRows[1]?.last_used_time).toBeInstanceOf(Date);
    expect(crtRows[2]).toMatchObject({ details: 'edited' });
    expect(crtRows[3]).toMatchObject({ is_revoked: true, is_deleted: false, status: 'Revoked' });
    expect(crtRows[4]).toMatchObject({ is_revoked: true, is_deleted: true });
    expect(crtRows[0]?.valid_until).toBeInstanceOf(Date);
  });

  it('remembers client event ids for the retention window, and only that long', async () => {
    const device2 = await stack.registerDevice();
    const event = deviceEvent();
    expect((await ingest(stack.base, device2.accessToken, [event])).body.accepted).toBe(1);
    await stack.sql.query(
      `UPDATE telemetry.ingest_receipt SET received_at = now() - interval '8 days' WHERE client_id = $1`,
      [device2.clientId],
    );
    const removed = await pruneReceipts(stack.sql, new Date(Date.now() - 7 * 86_400_000));
    expect(removed).toBeGreaterThanOrEqual(1);
    // Past the window the id is new again (documented: retries must come within it).
    expect((await ingest(stack.base, device2.accessToken, [event])).body.accepted).toBe(1);
  });

  it('refuses a deleted client even with a token that has not expired', async () => {
    const doomed = await stack.registerDevice();
    await fetch(`${stack.registrationBase}/admin/v1/clients/${doomed.clientId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${stack.adminKey}` },
    });
    await eventually(async () => {
      const reply = await ingest(stack.base, doomed.accessToken, [deviceEvent()]);
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('invalid_token');
    });
  });
});
