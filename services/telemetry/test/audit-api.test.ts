import { corruptText, mutateJsonSeveral, seededRandom } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSse } from '../src/cli/run-cli.js';
import { call, deviceEvent, ingest } from './support/events.js';
import { ENTRY, spawnEntry } from './support/process.js';
import { eventually, startStack, type TelemetryStack, type TestDevice } from './support/stack.js';

// The Postgres bus here: the projector's per-event path (Kafka's batch path is covered elsewhere).
let stack: TelemetryStack;
let device: TestDevice;
const users = ['NES\\ann', 'NES\\bob'];
const band = 'BLE_MAC_0A:0B:0C:0D:0E:0F';

beforeAll(async () => {
  stack = await startStack();
  device = await stack.registerDevice();
  const events = Array.from({ length: 30 }, (_, i) =>
    deviceEvent({
      userId: users[i % 2],
      eventType: i % 3 === 0 ? 'Registration' : 'TapAuthentication',
      authenticatorId: i % 5 === 0 ? band : 'BLE_MAC_00:00:00:00:00:01',
      secondaryAuthenticatorId: i % 7 === 0 ? band : '',
      appWindowTitle: i === 4 ? '=HYPERLINK("http://evil.example","click")' : `window ${i}`,
    }),
  );
  expect((await ingest(stack.base, device.accessToken, events)).status).toBe(202);
  await eventually(async () => {
    const { rows } = await stack.sql.query(`SELECT 1 FROM telemetry.log WHERE client_id = $1`, [
      device.clientId,
    ]);
    expect(rows).toHaveLength(30);
  });
});
afterAll(async () => {
  await stack?.stop();
});

function audit(path: string, token = stack.analystKey) {
  return call(`${stack.base}${path}`, { token });
}

interface Entry {
  id: string;
  eventId: string;
  timestamp: string;
  attributes: Record<string, unknown>;
}

describe('the query API', () => {
  it('filters by user, authenticator (primary or secondary), event type and client', async () => {
    const ann = await audit(`/audit/v1/events?user=${encodeURIComponent('NES\\ann')}&limit=100`);
    expect(ann.status).toBe(200);
    const items = ann.body.items as Entry[];
    expect(items).toHaveLength(15);
    expect(items.every((e) => e.attributes.UserId === 'NES\\ann')).toBe(true);
    const byBand = await audit(
      `/audit/v1/events?authenticator=${encodeURIComponent(band.toLowerCase())}`,
    );
    // i % 5 === 0 (6 events) or i % 7 === 0 (5 events), 0 counted once: 10.
    expect((byBand.body.items as Entry[]).length).toBe(10);
    const registrations = await audit(
      `/audit/v1/events?eventType=Registration&client=${device.clientId}`,
    );
    expect((registrations.body.items as Entry[]).length).toBe(10);
    const none = await audit(`/audit/v1/events?host=someone-else`);
    expect(none.body.items).toEqual([]);
  });

  it('pages newest first with a keyset cursor, without gaps or repeats', async () => {
    const seen: Entry[] = [];
    let cursor: string | null = null;
    do {
      const query = `/audit/v1/events?client=${device.clientId}&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await audit(query);
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as Entry[]));
      cursor = page.body.nextCursor as string | null;
    } while (cursor !== null);
    expect(seen).toHaveLength(30);
    expect(new Set(seen.map((e) => e.id)).size).toBe(30);
    const order = seen.map((e) => [e.timestamp, BigInt(e.id)] as const);
    for (let i = 1; i < order.length; i += 1) {
      const [t0, id0] = order[i - 1] ?? ['', 0n];
      const [t1, id1] = order[i] ?? ['', 0n];
      expect(t0 > t1 || (t0 === t1 && id0 > id1)).toBe(true);
    }
  });

  it('filters by time range and refuses bad ranges and foreign cursors', async () => {
    const future = await audit(`/audit/v1/events?from=2190-01-01T00:00:00Z`);
    expect(future.body.items).toEqual([]);
    const past = await audit(
      `/audit/v1/events?client=${device.clientId}&from=2000-01-01T00:00:00Z&to=2190-01-01T00:00:00Z`,
    );
    expect((past.body.items as Entry[]).length).toBe(30);
    expect((await audit(`/audit/v1/events?from=yesterday`)).status).toBe(400);
    const inverted = await audit(
      `/audit/v1/events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
    );
    expect(inverted.body.code).toBe('invalid_time_range');
    const page = await audit(`/audit/v1/events?user=${encodeURIComponent('NES\\bob')}&limit=2`);
    const foreign = await audit(
      `/audit/v1/events?user=${encodeURIComponent('NES\\ann')}&cursor=${String(page.body.nextCursor)}`,
    );
    expect(foreign.status).toBe(400);
    expect(foreign.body.code).toBe('invalid_cursor');
  });

  it('admits analysts only', async () => {
    expect((await call(`${stack.base}/audit/v1/events`)).status).toBe(401);
    expect((await audit('/audit/v1/events', 'nesaud_not-a-real-key')).status).toBe(401);
    // A device's token has no analyst scope.
    const deviceToken = await audit('/audit/v1/events', device.accessToken);
    expect(deviceToken.status).toBe(403);
    expect(deviceToken.body.code).toBe('insufficient_scope');
  });

  it('answers every mutation of a valid query with rows or a 4xx problem, never a 5xx', async () => {
    const page = await audit(`/audit/v1/events?user=${encodeURIComponent('NES\\ann')}&limit=2`);
    const valid = {
      user: 'NES\\ann',
      authenticator: band.toLowerCase(),
      eventType: 'TapAuthentication',
      from: '2000-01-01T00:00:00Z',
      to: '2190-01-01T00:00:00Z',
      limit: '5',
      cursor: String(page.body.nextCursor),
    };
    const statuses = new Map<number, number>();
    for (let seed = 1; seed <= 200; seed += 1) {
      const random = seededRandom(seed);
      const params = mutateJsonSeveral(valid, random);
      const query = new URLSearchParams();
      if (params !== null && typeof params === 'object' && !Array.isArray(params)) {
        for (const [name, value] of Object.entries(params)) {
          // A list becomes a repeated parameter, anything else its JSON.
          const values = Array.isArray(value) ? value : [value];
          for (const item of values) {
            query.append(name, typeof item === 'string' ? item : (JSON.stringify(item) ?? ''));
          }
        }
      }
      let search = query.toString();
      if (random() < 0.3) search = corruptText(search, random);
      const path = random() < 0.2 ? '/audit/v1/export' : '/audit/v1/events';
      const reply = await audit(`${path}?${search}`);
      const label = `seed ${seed}: ${reply.status} ${reply.text.slice(0, 200)} for ${path}?${search.slice(0, 300)}`;
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      expect(reply.status, label).toBeLessThan(500);
      if (reply.status !== 200) {
        expect(reply.status, label).toBeGreaterThanOrEqual(400);
        expect(reply.headers.get('content-type'), label).toMatch(/^application\/problem\+json/);
        expect(reply.body.code, label).toEqual(expect.any(String));
      }
    }
    const seen = JSON.stringify([...statuses]);
    expect(statuses.get(200), seen).toBeGreaterThan(10);
    expect(statuses.get(400), seen).toBeGreaterThan(50);
  });
});

describe('the OpenAPI document', () => {
  it('documents ingest and the audit routes', async () => {
    const reply = await call(`${stack.base}/openapi.json`);
    expect(reply.status, reply.text.slice(0, 300)).toBe(200);
    const paths = Object.keys(reply.body.paths as Record<string, unknown>);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/telemetry/v1/events',
        '/audit/v1/events',
        '/audit/v1/export',
        '/audit/v1/stream',
      ]),
    );
  });
});

describe('exports', () => {
  it('streams NDJSON and CSV, oldest first, with spreadsheet formulas defused', async () => {
    const ndjson = await call(`${stack.base}/audit/v1/export?client=${device.clientId}`, {
      token: stack.analystKey,
    });
    expect(ndjson.status).toBe(200);
    expect(ndjson.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = ndjson.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Entry);
    expect(lines).toHaveLength(30);
    expect(lines.map((l) => Number(l.id))).toEqual(
      lines.map((l) => Number(l.id)).sort((a, b) => a - b),
    );
    expect((lines[0]?.timestamp ?? '') <= (lines[29]?.timestamp ?? '')).toBe(true);

    const csv = await call(
      `${stack.base}/audit/v1/export?client=${device.clientId}&format=csv&limit=10`,
      {
        token: stack.analystKey,
      },
    );
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = csv.text.trim().split('\r\n');
    expect(rows).toHaveLength(11);
    expect(rows[0]).toMatch(/^id,eventId,timestamp,severity,level,message/);
    expect(rows[0]).toContain('AuthenticatorId');
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  });
});

describe('the live tail', () => {
  async function openStream(query: string, lastEventId?: string) {
    const controller = new AbortController();
    const response = await fetch(`${stack.base}/audit/v1/stream?${query}`, {
      headers: {
        authorization: `Bearer ${stack.analystKey}`,
        ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
      },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = readSse(response.body ?? new ReadableStream());
    return { events, close: () => controller.abort() };
  }

  async function take(
    events: AsyncGenerator<{ id: string | undefined; event: string | undefined; data: string }>,
    count: number,
  ): Promise<{ id: string; entry: Entry }[]> {
    const got: { id: string; entry: Entry }[] = [];
    for await (const message of events) {
      if (message.event !== 'telemetry') continue;
      got.push({ id: message.id ?? '', entry: JSON.parse(message.data) as Entry });
      if (got.length === count) break;
    }
    return got;
  }

  it('delivers new matching rows and resumes after Last-Event-ID without gaps or repeats', async () => {
    const user = `NES\\tail${Date.now() % 100000}`;
    const stream = await openStream(`user=${encodeURIComponent(user)}`);
    const first = Array.from({ length: 3 }, () => deviceEvent({ userId: user }));
    await ingest(stack.base, device.accessToken, [...first, deviceEvent({ userId: 'NES\\other' })]);
    const received = await take(stream.events, 3);
    stream.close();
    expect(received.map((r) => r.entry.attributes.ClientEventId)).toEqual(
      first.map((e) => e.eventId),
    );

    // While nobody listens, more happens; a reconnect picks up exactly there.
    const later = Array.from({ length: 2 }, () => deviceEvent({ userId: user }));
    await ingest(stack.base, device.accessToken, later);
    const resumed = await openStream(`user=${encodeURIComponent(user)}`, received.at(-1)?.id);
    const next = await take(resumed.events, 2);
    resumed.close();
    expect(next.map((r) => r.entry.attributes.ClientEventId)).toEqual(later.map((e) => e.eventId));
  });

  it('refuses a Last-Event-ID it did not send', async () => {
    const reply = await call(`${stack.base}/audit/v1/stream`, {
      token: stack.analystKey,
      headers: { 'last-event-id': 'nonsense' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('invalid_last_event_id');
  });
});

describe('nes-audit', () => {
  const cliEnv = () => ({ NES_AUDIT_URL: stack.base, NES_AUDIT_KEY: stack.analystKey });

  it('queries, exports and tails through the API', async () => {
    const query = spawnEntry(ENTRY.cli, cliEnv(), [
      'query',
      '--client',
      device.clientId,
      '--all',
      '--limit',
      '8',
    ]);
    expect(await query.exited).toBe(0);
    const { rows } = await stack.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM telemetry.log WHERE client_id = $1`,
      [device.clientId],
    );
    expect(query.stdout().trim().split('\n')).toHaveLength(Number(rows[0]?.n));

    const exported = spawnEntry(ENTRY.cli, cliEnv(), [
      'export',
      '--user',
      'NES\\bob',
      '--format',
      'csv',
    ]);
    expect(await exported.exited).toBe(0);
    expect(exported.stdout().trim().split('\r\n').length).toBeGreaterThanOrEqual(16);

    const user = `NES\\cli${Date.now() % 100000}`;
    const tail = spawnEntry(ENTRY.cli, cliEnv(), ['tail', '--user', user, '--max', '2']);
    // The tail starts at "now" once connected; report until it has seen two.
    let exited = false;
    void tail.exited.then(() => (exited = true));
    while (!exited) {
      await ingest(stack.base, device.accessToken, [deviceEvent({ userId: user })]);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(await tail.exited).toBe(0);
    const tailed = tail
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Entry);
    expect(tailed.map((e) => e.attributes.UserId)).toEqual([user, user]);
  });

  it('explains usage and authentication errors', async () => {
    const usage = spawnEntry(ENTRY.cli, cliEnv(), ['frobnicate']);
    expect(await usage.exited).toBe(2);
    expect(usage.stderr()).toContain("unknown command 'frobnicate'");
    const denied = spawnEntry(ENTRY.cli, { ...cliEnv(), NES_AUDIT_KEY: 'nesaud_wrong' }, ['query']);
    expect(await denied.exited).toBe(3);
    expect(denied.stderr()).toContain('HTTP 401');
  });
});
