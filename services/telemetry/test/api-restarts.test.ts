import { setTimeout as sleep } from 'node:timers/promises';
import { startKafkaMock, type KafkaMock } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, smallEvent } from './support/events.js';
import { ENTRY, spawnEntry, type ServiceProcess } from './support/process.js';
import { freePort, startStack, type TelemetryStack, type TestDevice } from './support/stack.js';

const BATCH = 200;
const SENDERS = 4;
const RESTARTS = 4;
const MIN_EVENTS = 20_000;

let kafka: KafkaMock;
let stack: TelemetryStack;
const children: ServiceProcess[] = [];

beforeAll(async () => {
  kafka = await startKafkaMock({ topics: [{ name: 'nes.audit.v1', partitions: 8 }] });
  stack = await startStack({ brokers: kafka.brokers });
});
afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGKILL');
  await stack?.stop();
  await kafka?.stop();
});

describe('the ingest API stopped and killed under load', () => {
  it('keeps every acknowledged batch, once, while devices retry through restarts', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const startApi = async () => {
      const api = spawnEntry(ENTRY.api, {
        ...stack.env,
        NES_TEL_HTTP_PORT: String(port),
        NES_TEL_LOG_LEVEL: 'info',
      });
      children.push(api);
      await api.waitFor('telemetry service started');
      return api;
    };
    const devices: TestDevice[] = [];
    for (let i = 0; i < SENDERS; i += 1) devices.push(await stack.registerDevice());

    // Devices send until the restarts are over (and at least MIN_EVENTS), each
    // batch again and again until it is acknowledged, as the app does: on a
    // refused connection, a reset or a 503 the same batch goes again.
    let restarting = true;
    let sent = 0;
    const answers = new Map<string, number>();
    const count = (answer: string) => answers.set(answer, (answers.get(answer) ?? 0) + 1);
    const sender = async (device: TestDevice) => {
      while (restarting || sent < MIN_EVENTS) {
        const batch = Array.from({ length: BATCH }, smallEvent);
        sent += BATCH;
        for (let attempt = 0; ; attempt += 1) {
          expect(attempt, JSON.stringify([...answers])).toBeLessThan(400);
          const reply = await ingest(base, device.accessToken, batch).catch(() => undefined);
          count(reply === undefined ? 'no answer' : String(reply.status));
          if (reply?.status === 202) break;
          // Only "not now" answers: no batch may be refused for good, or answered 5xx.
          if (reply !== undefined) expect(reply.status, reply.text.slice(0, 300)).toBe(503);
          await sleep(50 + Math.random() * 100);
        }
      }
    };
    let api = await startApi();
    const sending = Promise.all(devices.map(sender));
    // Awaited below; a sender's failure must not surface before as unhandled.
    sending.catch(() => undefined);
    const stops: { signal: string; code: number | null; ms: number }[] = [];
    for (let restart = 0; restart < RESTARTS; restart += 1) {
      await sleep(300 + Math.random() * 700);
      const signal = restart % 2 === 0 ? 'SIGTERM' : 'SIGKILL';
      const stopping = performance.now();
      api.child.kill(signal);
      const code = await api.exited;
      stops.push({ signal, code, ms: Math.round(performance.now() - stopping) });
      // A clean stop lets go of every connection: the backstop never has to end it.
      if (signal === 'SIGTERM') expect(api.stdout()).not.toContain('event loop still busy');
      api = await startApi();
    }
    restarting = false;
    await sending;

    // A graceful stop under load is clean and quick (well inside Kubernetes' 30 s).
    for (const stop of stops.filter((s) => s.signal === 'SIGTERM')) {
      expect(stop.code, JSON.stringify(stops)).toBe(0);
      expect(stop.ms, JSON.stringify(stops)).toBeLessThan(10_000);
    }
    const clientIds = devices.map((d) => d.clientId);
    const projected = async () => {
      const { rows } = await stack.sql.query<{ rows: string; distinct: string }>(
        `SELECT count(*) AS rows, count(DISTINCT (client_id, attributes->>'ClientEventId')) AS distinct
           FROM telemetry.log WHERE client_id = ANY($1::text[])`,
        [clientIds],
      );
      return { rows: Number(rows[0]?.rows), distinct: Number(rows[0]?.distinct) };
    };
    const deadline = Date.now() + 60_000;
    let rows = await projected();
    while (rows.rows < sent && Date.now() < deadline) {
      await sleep(250);
      rows = await projected();
    }
    // Every event once: none lost in a stop or a kill, none doubled by a retry.
    expect(rows, JSON.stringify([...answers])).toEqual({ rows: sent, distinct: sent });
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
  }, 180_000);
});
