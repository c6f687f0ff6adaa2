import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startKafkaMock, type KafkaMock } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceEvent, ingest } from './support/events.js';
import { eventually, startStack, type TelemetryStack } from './support/stack.js';

const run = promisify(execFile);

let kafka: KafkaMock;
let stack: TelemetryStack;

beforeAll(async () => {
  kafka = await startKafkaMock({ partitions: 4 });
  stack = await startStack({ brokers: kafka.brokers, projector: false });
});
afterAll(async () => {
  await stack?.stop();
  await kafka?.stop();
});

interface Record {
  key: string;
  headers: string;
  value: string;
}

/** Reads a whole topic with kcat, as any outside consumer would (no NES code involved). */
async function kcat(topic: string): Promise<Record[]> {
  const { stdout } = await run(
    'kcat',
    [
      '-b',
      kafka.brokers.join(','),
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k\t%h\t%s\n',
    ],
    { timeout: 20_000, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [key = '', headers = '', ...rest] = line.split('\t');
      return { key, headers, value: rest.join('\t') };
    });
}

describe('nes.audit.v1 for outside consumers', () => {
  it('carries self-describing CloudEvents JSON that kcat can read', async () => {
    const device = await stack.registerDevice();
    const event = deviceEvent();
    const reply = await ingest(stack.base, device.accessToken, [event]);
    expect(reply.status).toBe(202);

    const records = await eventually(async () => {
      const found = (await kcat('nes.audit.v1')).filter((r) =>
        r.value.includes(String(event.eventId)),
      );
      expect(found).toHaveLength(1);
      return found;
    });
    const record = records[0] as Record;
    expect(record.key).toBe(device.androidId);
    const envelope = JSON.parse(record.value) as Record & globalThis.Record<string, unknown>;
    expect(envelope).toMatchObject({
      specversion: '1.0',
      type: 'nes.audit.telemetry.v1',
      source: 'nes/telemetry',
      subject: device.androidId,
      partitionkey: device.androidId,
      datacontenttype: 'application/json',
      time: event.eventTime,
    });
    expect(String(envelope.id)).toMatch(/^[0-9a-f-]{36}$/);
    expect(envelope.data).toMatchObject({
      eventType: 'TapAuthentication',
      clientEventId: event.eventId,
      clientId: device.clientId,
      hostId: device.androidId,
      userId: 'EXAMPLE\\jdoe',
      authenticatorId: 'BLE_MAC_00:1A:7D:DA:71:13',
      severity: 'LOG_LEVEL_INFORMATION',
      osType: 'Android 14',
    });
  });

  it('sends poison to nes.audit.v1.dlq with the reason and keeps projecting', async () => {
    const projector = await stack.startProjector();
    const device = await stack.registerDevice();
    const produce = (line: string) =>
      new Promise<void>((resolve, reject) => {
        const child = execFile(
          'kcat',
          ['-b', kafka.brokers.join(','), '-P', '-t', 'nes.audit.v1', '-K', '\t'],
          (error) => (error ? reject(new Error('kcat -P failed', { cause: error })) : resolve()),
        );
        child.stdin?.end(`${line}\n`);
      });
    await produce(`${device.androidId}\tnot a cloud event`);
    const mystery = {
      specversion: '1.0',
      id: '0190a5f2-6c1e-7000-8000-00000000dead',
      source: 'somebody/else',
      type: 'com.example.mystery.v1',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      partitionkey: device.androidId,
      data: {},
    };
    await produce(`${device.androidId}\t${JSON.stringify(mystery)}`);
    const event = deviceEvent();
    expect((await ingest(stack.base, device.accessToken, [event])).status).toBe(202);

    const dead = await eventually(async () => {
      const records = (await kcat('nes.audit.v1.dlq')).map(
        (r) => JSON.parse(r.value) as globalThis.Record<string, unknown>,
      );
      expect(records).toHaveLength(2);
      return records;
    });
    expect(dead[0]).toMatchObject({
      type: 'nes.bus.invalid-envelope.v1',
      dlqgroup: 'nes-telemetry-projector',
      dlqtopic: 'nes.audit.v1',
    });
    expect(String(dead[0]?.dlqreason)).toContain('not JSON');
    expect(dead[1]).toMatchObject({
      id: mystery.id,
      type: 'com.example.mystery.v1',
      dlqreason: 'unknown-type: com.example.mystery.v1',
    });
    // The partition moved on: the valid event behind the poison is projected.
    await eventually(async () => {
      const { rows } = await stack.sql.query(`SELECT 1 FROM telemetry.log WHERE client_id = $1`, [
        device.clientId,
      ]);
      expect(rows).toHaveLength(1);
    });
    const metrics = await (await fetch(`http://127.0.0.1:${projector.httpPort}/metrics`)).text();
    expect(metrics).toMatch(
      /nes_telemetry_dead_lettered_total\{[^}]*reason="invalid-envelope"[^}]*\} 1/,
    );
    expect(metrics).toMatch(
      /nes_telemetry_dead_lettered_total\{[^}]*reason="unknown-type"[^}]*\} 1/,
    );
  });

  it('republishes registration events unchanged: same id, type, subject, key and data', async () => {
    const device = await stack.registerDevice();
    const records = await eventually(async () => {
      const audit = (await kcat('nes.audit.v1')).filter((r) => r.value.includes(device.clientId));
      const created = audit.filter((r) => r.value.includes('"nes.client.created.v1"'));
      expect(created).toHaveLength(1);
      return created;
    });
    const original = (await kcat('nes.registration.v1')).find(
      (r) => r.value.includes('"nes.client.created.v1"') && r.value.includes(device.clientId),
    );
    expect(original).toBeDefined();
    const republished = JSON.parse(records[0]?.value ?? '{}') as unknown;
    expect(republished).toEqual(JSON.parse(original?.value ?? '{}'));
    expect(records[0]?.key).toBe(device.clientId);
    // Secrets never travel: only hashes.
    expect(records[0]?.value).not.toContain(device.clientSecret);
    expect(records[0]?.value).not.toContain(device.accessToken);
  });
});
