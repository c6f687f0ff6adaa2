import { setTimeout as sleep } from 'node:timers/promises';
import { startKafkaMock, type KafkaMock } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, smallEvent } from './support/events.js';
import { androidIdsOnePerPartition } from './support/partitions.js';
import { ENTRY, spawnEntry, type ServiceProcess } from './support/process.js';
import { freePort, startStack, type TelemetryStack } from './support/stack.js';

const EVENTS = 100_000;
const BATCH = 1_000;
const KILLS = 10;
/**
 * Devices (keys) and partitions: the librdkafka mock broker keeps at most
 * 5 MiB per partition (older records are dropped, as Kafka's retention
 * would), so the events are spread evenly over one device (key) per
 * partition: ~3 MiB each, inside that window even if nothing were consumed.
 */
const PARTITIONS = 32;
const DEVICES = PARTITIONS;

let kafka: KafkaMock;
let stack: TelemetryStack;
const children: ServiceProcess[] = [];

beforeAll(async () => {
  kafka = await startKafkaMock({ topics: [{ name: 'nes.audit.v1', partitions: PARTITIONS }] });
  stack = await startStack({ brokers: kafka.brokers, projector: false });
});
afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGKILL');
  await stack?.stop();
  await kafka?.stop();
});

async function projectorProcess(): Promise<ServiceProcess> {
  const child = spawnEntry(ENTRY.projector, {
    ...stack.env,
    NES_TEL_PROJECTOR_HTTP_PORT: String(await freePort()),
    NES_TEL_LOG_LEVEL: 'info',
  });
  children.push(child);
  return child;
}

async function projectedCount(
  clientIds: readonly string[],
): Promise<{ rows: number; distinct: number }> {
  const { rows } = await stack.sql.query<{ rows: string; distinct: string }>(
    `SELECT count(*) AS rows,
            count(DISTINCT (client_id, attributes->>'ClientEventId')) AS distinct
       FROM telemetry.log WHERE client_id = ANY($1::text[])`,
    [clientIds],
  );
  return { rows: Number(rows[0]?.rows), distinct: Number(rows[0]?.distinct) };
}

describe('the projection under SIGKILL', () => {
  it(`projects ${EVENTS} events exactly once while its process is killed ${KILLS} times`, async () => {
    const devices = await Promise.all(
      androidIdsOnePerPartition(PARTITIONS).map((androidId) =>
        stack.registerDevice({ android_id: androidId }),
      ),
    );
    expect(devices).toHaveLength(DEVICES);
    const clientIds = devices.map((d) => d.clientId);
    const started = Date.now();
    // Ingest runs throughout, four batches in flight, as devices would send.
    let sent = 0;
    let retries = 0;
    const sender = async () => {
      while (sent < EVENTS) {
        const device = devices[(sent / BATCH) % DEVICES];
        if (device === undefined) throw new Error('no device');
        sent += BATCH;
        const batch = Array.from({ length: BATCH }, smallEvent);
        // As a device does: a 503 (Retry-After) means "send the same batch again".
        let reply = await ingest(stack.base, device.accessToken, batch);
        while (reply.status === 503 && retries < 100) {
          retries += 1;
          await sleep(500);
          reply = await ingest(stack.base, device.accessToken, batch);
        }
        if (reply.status !== 202) {
          const problems = stack.telemetryLogs.filter((l) => /"level":"(warn|error)"/.test(l));
          console.error(problems.slice(-20).join('\n'));
        }
        expect(reply.status, reply.text.slice(0, 500)).toBe(202);
      }
    };
    const ingesting = Promise.all([sender(), sender(), sender(), sender()]);

    let projector = await projectorProcess();
    const killedAt: number[] = [];
    let previous = 0;
    for (let kill = 0; kill < KILLS; kill += 1) {
      await projector.waitFor('telemetry projector started');
      // Kill while it is projecting: once rows move again after the
      // rebalance, at a random point (mid-batch, mid-commit, between).
      const moving = Date.now() + 20_000;
      while ((await projectedCount(clientIds)).rows <= previous && Date.now() < moving) {
        await sleep(50);
      }
      await sleep(Math.floor(Math.random() * 400));
      previous = (await projectedCount(clientIds)).rows;
      killedAt.push(previous);
      projector.child.kill('SIGKILL');
      await projector.exited;
      projector = await projectorProcess();
    }
    await ingesting;
    const ingestedIn = Date.now() - started;

    const deadline = Date.now() + 90_000;
    let count = await projectedCount(clientIds);
    while (count.rows < EVENTS && Date.now() < deadline) {
      await sleep(250);
      count = await projectedCount(clientIds);
    }
    if (count.rows < EVENTS) {
      const lines = children.flatMap((c) => c.stdout().split('\n'));
      console.error(
        lines
          .filter((l) => /"level":"(warn|error|fatal)"/.test(l))
          .slice(-15)
          .join('\n')
          .slice(0, 6000),
      );
    }
    // Exactly one row per event: none missing, none twice.
    expect(count).toEqual({ rows: EVENTS, distinct: EVENTS });
    const { rows: twice } = await stack.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM (SELECT event_id FROM telemetry.log WHERE client_id = ANY($1::text[])
                                    GROUP BY event_id HAVING count(*) > 1) d`,
      [clientIds],
    );
    expect(twice[0]?.n).toBe('0');
    // The kills happened while work was in progress: rows grew between kills.
    expect(killedAt.filter((n) => n < EVENTS).length).toBeGreaterThanOrEqual(KILLS / 2);
    expect(new Set(killedAt).size).toBeGreaterThanOrEqual(KILLS / 2);

    // A graceful stop still works after all that.
    projector.child.kill('SIGTERM');
    expect(await projector.exited).toBe(0);
    console.log(
      `crash test: ${EVENTS} events, ingest ${ingestedIn} ms (${retries} retried batches), all projected after ${Date.now() - started} ms; rows at kills: ${killedAt.join(', ')}`,
    );
  }, 240_000);
});
