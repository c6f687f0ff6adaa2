import { corruptText, mutateJsonSeveral, seededRandom } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deviceEvent, ingest, type Reply } from './support/events.js';
import { startStack, type TelemetryStack, type TestDevice } from './support/stack.js';

let stack: TelemetryStack;
let device: TestDevice;

beforeAll(async () => {
  stack = await startStack({ projector: false });
  device = await stack.registerDevice();
});
afterAll(async () => {
  await stack?.stop();
});

interface Issue {
  index: number;
  eventId?: string;
  field: string;
  message: string;
}

function issuesOf(reply: Reply): Issue[] {
  return (reply.body.details as { issues: Issue[] }).issues;
}

async function storedFor(clientId: string): Promise<{ receipts: number; outbox: number }> {
  const { rows } = await stack.sql.query<{ receipts: string; outbox: string }>(
    `SELECT (SELECT count(*) FROM telemetry.ingest_receipt WHERE client_id = $1) AS receipts,
            (SELECT count(*) FROM telemetry.outbox WHERE event::jsonb->'data'->>'clientId' = $1) AS outbox`,
    [clientId],
  );
  return { receipts: Number(rows[0]?.receipts), outbox: Number(rows[0]?.outbox) };
}

describe('malformed batches', () => {
  it('names each invalid event by index and field, and stores nothing of the batch', async () => {
    const fresh = await stack.registerDevice();
    const events = [
      deviceEvent(),
      deviceEvent({ eventTime: '2025-10-20 22:54:16' }),
      deviceEvent({ eventTime: '2025-10-20T22:54:16+02:00' }),
      deviceEvent({ eventTime: '2025-02-30T10:00:00Z' }),
      deviceEvent({ eventTime: 1_700_000_000 }),
      deviceEvent({ colour: 'blue' }),
      deviceEvent({ severity: 'Critical' }),
      deviceEvent({ userId: 'jdoe' }),
      deviceEvent({ authenticatorId: 'BLE_MAC_00:1A:7D' }),
      deviceEvent({ totalElapsedMs: -5 }),
      deviceEvent({ eventType: undefined }),
      'not an event',
      deviceEvent({ message: 'bell\u0007' }),
    ];
    const reply = await ingest(stack.base, fresh.accessToken, events);
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('invalid_events');
    expect(reply.headers.get('content-type')).toContain('application/problem+json');
    expect((reply.body.details as { invalidEvents: number }).invalidEvents).toBe(12);
    const byIndex = new Map(issuesOf(reply).map((i) => [i.index, i]));
    expect(byIndex.has(0)).toBe(false);
    for (const index of [1, 2, 3, 4]) {
      expect(byIndex.get(index)).toMatchObject({ field: '/eventTime' });
      expect(byIndex.get(index)?.message).toContain('UTC ISO-8601');
    }
    expect(byIndex.get(5)).toMatchObject({ field: '/colour', message: 'is not a known field' });
    expect(byIndex.get(6)).toMatchObject({ field: '/severity' });
    expect(byIndex.get(7)).toMatchObject({ field: '/userId', message: 'must be DOMAIN\\username' });
    expect(byIndex.get(8)).toMatchObject({ field: '/authenticatorId' });
    expect(byIndex.get(9)).toMatchObject({
      field: '/totalElapsedMs',
      message: 'must not be negative',
    });
    expect(byIndex.get(10)).toMatchObject({ field: '/eventType', message: 'is required' });
    expect(byIndex.get(11)).toMatchObject({ field: '', message: 'must be a JSON object' });
    expect(byIndex.get(12)).toMatchObject({ field: '/message' });
    expect(byIndex.get(5)?.eventId).toBe(events[5] && (events[5] as { eventId: string }).eventId);
    expect(await storedFor(fresh.clientId)).toEqual({ receipts: 0, outbox: 0 });
    // The valid event alone goes through afterwards.
    expect((await ingest(stack.base, fresh.accessToken, [events[0]])).status).toBe(202);
    expect(await storedFor(fresh.clientId)).toEqual({ receipts: 1, outbox: 1 });
  });

  it('refuses a batch that repeats an event id', async () => {
    const event = deviceEvent();
    const reply = await ingest(stack.base, device.accessToken, [event, deviceEvent(), event]);
    expect(reply.status).toBe(400);
    expect(issuesOf(reply)).toEqual([
      {
        index: 2,
        eventId: event.eventId,
        field: '/eventId',
        message: 'duplicates the eventId of event 0 in this batch',
      },
    ]);
  });

  it('refuses bodies that are not a batch, with a 4xx naming the problem', async () => {
    const url = `${stack.base}/telemetry/v1/events`;
    const token = device.accessToken;
    const cases: [unknown, number, string][] = [
      ['{"events": [', 400, 'invalid_json'],
      [[], 400, 'invalid_batch'],
      [{ event: [] }, 400, 'invalid_batch'],
      [{ events: {} }, 400, 'invalid_batch'],
      [{ events: [] }, 400, 'empty_batch'],
      [{ events: Array.from({ length: 1001 }, () => deviceEvent()) }, 413, 'batch_too_large'],
      [{ events: [deviceEvent({ details: 'x'.repeat(1_100_000) })] }, 413, 'payload_too_large'],
    ];
    for (const [body, status, code] of cases) {
      const reply = await call(url, { token, body });
      expect(reply.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(reply.body.code).toBe(code);
    }
    const text = await call(url, {
      token,
      body: 'events=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
  });

  it('never answers 5xx to hostile input', async () => {
    const url = `${stack.base}/telemetry/v1/events`;
    const samples: unknown[] = [
      null,
      0,
      'x',
      { events: [null] },
      { events: [[]] },
      { events: [{ eventId: {} }] },
      { events: [{ ...deviceEvent(), eventTime: '9999-99-99T99:99:99Z' }] },
      { events: [{ ...deviceEvent(), eventId: 'a'.repeat(500) }] },
      { events: [{ ...deviceEvent(), totalElapsedMs: 1e30 }] },
      `{"events":[${JSON.stringify(deviceEvent()).slice(0, -1)},"__proto__":{"admin":true}}]}`,
      { events: [deviceEvent({ appUrl: '\ud800' })] },
    ];
    for (const body of samples) {
      const text = typeof body === 'string' && body.startsWith('{') ? body : JSON.stringify(body);
      const reply = await call(url, { token: device.accessToken, body: text });
      expect(reply.status, text.slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
    }
  });
});

describe('mutated batches', () => {
  it('answers every mutation of a valid batch with 202 or a 4xx problem, never a 5xx', async () => {
    const url = `${stack.base}/telemetry/v1/events`;
    const statuses = new Map<number, number>();
    for (let seed = 1; seed <= 300; seed += 1) {
      const random = seededRandom(seed);
      const body = mutateJsonSeveral(
        { events: [deviceEvent(), deviceEvent(), deviceEvent()] },
        random,
      );
      let text = JSON.stringify(body);
      if (random() < 0.3) text = corruptText(text, random);
      const reply = await call(url, { token: device.accessToken, body: text });
      const label = `seed ${seed}: ${reply.status} ${reply.text.slice(0, 200)} for ${text.slice(0, 200)}`;
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      expect(reply.status, label).toBeLessThan(500);
      if (reply.status === 202) {
        const { events } = body as { events: unknown[] };
        const { accepted, duplicates } = reply.body as { accepted: number; duplicates: number };
        expect(accepted + duplicates, label).toBe(events.length);
      } else {
        expect(reply.status, label).toBeGreaterThanOrEqual(400);
        expect(reply.headers.get('content-type'), label).toMatch(/^application\/problem\+json/);
        expect(reply.body.code, label).toEqual(expect.any(String));
      }
    }
    // Both outcomes occurred, so the mutations neither all missed nor all broke the schema.
    expect(statuses.get(202), JSON.stringify([...statuses])).toBeGreaterThan(0);
    expect(statuses.get(400), JSON.stringify([...statuses])).toBeGreaterThan(100);
    expect((await fetch(`${stack.base}/readyz`)).status).toBe(200);
  });
});

describe('authentication', () => {
  it('requires a device access token', async () => {
    const none = await ingest(stack.base, '', [deviceEvent()]);
    expect(none.status).toBe(401);
    const missing = await call(`${stack.base}/telemetry/v1/events`, {
      body: { events: [deviceEvent()] },
    });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    const forged = await ingest(stack.base, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', [
      deviceEvent(),
    ]);
    expect(forged.status).toBe(401);
    expect(forged.body.error).toBe('invalid_token');
    // An analyst key is not a device token.
    const analyst = await ingest(stack.base, stack.analystKey, [deviceEvent()]);
    expect(analyst.status).toBe(401);
  });
});
