import { setTimeout as sleep } from 'node:timers/promises';
import { startKafkaMock, type KafkaMock } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, type TelemetryStack } from './support/stack.js';

// On Kafka, telemetry republishes registration's events into the audit stream
// through its own Postgres (processed-event record and outbox in one
// transaction). Here that Postgres goes away for longer than the bus' handler
// retries last (5 tries, ~3 s): the events that arrive meanwhile must wait,
// not be dead-lettered — a database failover must not cost the audit trail.
let kafka: KafkaMock;
let stack: TelemetryStack;
beforeAll(async () => {
  kafka = await startKafkaMock({ partitions: 4 });
  stack = await startStack({ brokers: kafka.brokers, proxyDatabase: true });
});
afterAll(async () => {
  await stack?.stop();
  await kafka?.stop();
});

async function clientAuditRows(clientId: string): Promise<string[]> {
  const { rows } = await stack.sql.query<{ event_type: string }>(
    `SELECT event_type FROM audit.client WHERE client_id = $1 ORDER BY "identity"`,
    [clientId],
  );
  return rows.map((row) => row.event_type);
}

describe('telemetry’s Postgres away while registration events arrive', () => {
  it('audits every registration once it is back, dead-lettering none', async () => {
    const proxy = stack.databaseProxy!;
    const before = await stack.registerDevice();
    await eventually(async () => expect(await clientAuditRows(before.clientId)).toEqual(['C']));

    await proxy.down();
    let during: string[];
    try {
      // Registration and token keep their own connections: devices register.
      during = [(await stack.registerDevice()).clientId, (await stack.registerDevice()).clientId];
      await sleep(6_000);
    } finally {
      await proxy.up();
    }
    for (const clientId of during) {
      await eventually(async () => expect(await clientAuditRows(clientId)).toEqual(['C']), 90_000);
    }
    const lines = stack.telemetryLogs.map((line) => JSON.parse(line) as { msg: string });
    expect(lines.filter((line) => line.msg === 'dead-lettering event')).toEqual([]);
    expect(lines.some((line) => line.msg === 'event handler met an outage; retrying')).toBe(true);
  }, 150_000);
});
