import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deviceEvent, ingest, type Reply } from './support/events.js';
import { eventually, startStack, type TelemetryStack } from './support/stack.js';

// The telemetry API and projector reach Postgres and Redis through proxies
// this file takes down: what a device and an analyst see while one is gone
// (a restart, a failover, a network fault), and that nothing is lost after.
let stack: TelemetryStack;
beforeAll(async () => {
  stack = await startStack({ proxyDatabase: true, proxyRedis: true });
});
afterAll(() => stack?.stop());

interface LogLine {
  level: string;
  msg: string;
  code?: string;
}

function logLines(from: number): LogLine[] {
  return stack.telemetryLogs.slice(from).map((line) => JSON.parse(line) as LogLine);
}

/** As a device does after a 503: the same batch again, until it is accepted. */
function resendUntilAccepted(token: string, events: unknown[]): Promise<Reply> {
  return eventually(async () => {
    const reply = await ingest(stack.base, token, events);
    expect(reply.status, reply.text).toBe(202);
    return reply;
  });
}

describe('Postgres unreachable', () => {
  it('answers 503 with Retry-After, never a 500, and keeps every event once it is back', async () => {
    const proxy = stack.databaseProxy!;
    const device = await stack.registerDevice();
    const before = [deviceEvent(), deviceEvent()];
    expect((await ingest(stack.base, device.accessToken, before)).status).toBe(202);
    const logsFrom = stack.telemetryLogs.length;

    const during = [deviceEvent(), deviceEvent(), deviceEvent()];
    await proxy.down();
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const refused = await ingest(stack.base, device.accessToken, during);
        expect(refused.status, refused.text).toBe(503);
        expect(refused.headers.get('retry-after')).toBe('1');
        expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(refused.body).toMatchObject({
          status: 503,
          code: 'service_unavailable',
          detail: 'A service this request depends on is unavailable; try again shortly.',
        });
        // Nothing of the cause (addresses, driver messages) reaches the caller.
        expect(refused.text).not.toContain(String(proxy.port));
        expect(refused.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
      }
      const query = await call(`${stack.base}/audit/v1/events?client=${device.clientId}`, {
        token: stack.analystKey,
      });
      expect(query.status, query.text).toBe(503);
      expect(query.headers.get('retry-after')).toBe('1');
      const ready = await call(`${stack.base}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ checks: { postgres: { ok: false } } });

      // Warnings, every one: an outage is no bug (nothing is logged at error level).
      const logged = logLines(logsFrom);
      expect(logged.filter((line) => line.msg.startsWith('request failed'))).toHaveLength(4);
      expect(logged.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
    } finally {
      await proxy.up();
    }
    // Accepted once Postgres is back, without a restart.
    const accepted = await resendUntilAccepted(device.accessToken, during);
    expect(accepted.body).toMatchObject({ accepted: 3, duplicates: 0 });
    expect((await ingest(stack.base, device.accessToken, during)).body).toMatchObject({
      accepted: 0,
      duplicates: 3,
    });
    // The projector, which lost the database as well, projects each event once.
    const eventIds = [...before, ...during].map((event) => String(event.eventId));
    await eventually(async () => {
      const { rows } = await stack.sql.query<{ event_id: string; copies: string }>(
        `SELECT attributes->>'ClientEventId' AS event_id, count(*) AS copies
           FROM telemetry.log WHERE client_id = $1 GROUP BY 1`,
        [device.clientId],
      );
      expect(rows.map((row) => row.event_id).sort()).toEqual(eventIds.sort());
      expect(rows.every((row) => row.copies === '1')).toBe(true);
    }, 60_000);
    expect((await call(`${stack.base}/readyz`)).status).toBe(200);
  });
});

describe('Redis unreachable', () => {
  it('refuses device batches with 503 and Retry-After: revocations cannot be checked', async () => {
    const proxy = stack.redisProxy!;
    const device = await stack.registerDevice();
    const batch = [deviceEvent()];
    await proxy.down();
    try {
      const refused = await ingest(stack.base, device.accessToken, batch);
      expect(refused.status, refused.text).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body).toMatchObject({ error: 'temporarily_unavailable' });
      expect((await call(`${stack.base}/readyz`)).status).toBe(503);
    } finally {
      await proxy.up();
    }
    const accepted = await resendUntilAccepted(device.accessToken, batch);
    expect(accepted.body).toMatchObject({ accepted: 1, duplicates: 0 });
  });
});
