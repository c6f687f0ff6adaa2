import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGrpcClient } from '@nes/kit';
import { directoryV1, healthV1 } from '@nes/proto';
import { createTestDatabase, type TestDatabase } from '@nes/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createService, type DirectorySyncService } from '../src/create-service.js';
import { BUNDLED_DEMO_FILE } from '../src/demo/demo-directory.js';
import { captureLogs, freePort, outboxEvents } from './support/harness.js';

const { PasswordValidationResult: Result, UserState } = directoryV1;
const HOUR = 3_600_000;

/** Demo users' passwords (README.md): Demo-<Name>-1. */
const demoPassword = (name: string) => `Demo-${name[0]?.toUpperCase() ?? ''}${name.slice(1)}-1`;

async function demoEnv(database: TestDatabase, file: string): Promise<Record<string, string>> {
  return {
    NES_DIR_DATABASE_URL: database.url,
    NES_DIR_DIRECTORY_KIND: 'demo',
    NES_DIR_DEMO_FILE: file,
    NES_DIR_HTTP_HOST: '127.0.0.1',
    NES_DIR_HTTP_PORT: String(await freePort()),
    NES_DIR_GRPC_HOST: '127.0.0.1',
    NES_DIR_GRPC_PORT: String(await freePort()),
  };
}

/**
 * The whole service on the demo directory (the all-in-one default): states,
 * password checks, the state clock, file edits, ops endpoints, gRPC health
 * and graceful shutdown — also as a real process stopped with SIGTERM.
 */
describe('directory-sync service (demo directory)', () => {
  let database: TestDatabase;
  let dir: string;
  let file: string;
  let service: DirectorySyncService;
  let offsetMs = 0;
  const logs = captureLogs();
  let db: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase('dir_service');
    dir = await mkdtemp(join(tmpdir(), 'nes-dir-demo-'));
    file = join(dir, 'directory.json');
    await copyFile(BUNDLED_DEMO_FILE, file);
    // Bob's account expires in an hour: only time changes his state.
    const json = JSON.parse(await readFile(file, 'utf8')) as { users: Record<string, unknown>[] };
    const bob = json.users.find((u) => u['samAccountName'] === 'bob');
    if (bob) bob['accountExpires'] = new Date(Date.now() + HOUR).toISOString();
    await writeFile(file, JSON.stringify(json));
    const config = loadConfig({
      ...(await demoEnv(database, file)),
      NES_DIR_SYNC_ENABLED: 'false',
    });
    service = await createService({
      config,
      logger: logs.logger,
      clock: () => new Date(Date.now() + offsetMs),
    });
    db = new pg.Pool({
      connectionString: database.url,
      max: 2,
      options: '-c search_path=directory',
    });
  });

  afterAll(async () => {
    await service?.lifecycle.stop('test done');
    await db?.end();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('warns that the demo directory is not for production', () => {
    expect(logs.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: expect.stringContaining('NOT FOR PRODUCTION') as unknown,
      }),
    );
  });

  it('syncs the demo users with their states and checks their passwords', async () => {
    const [round] = await service.scheduler.runOnce();
    expect(round).toMatchObject({ status: 'synced', kind: 'full', changed: 7 });
    const client = await createGrpcClient(
      directoryV1.DirectoryServiceClient,
      `127.0.0.1:${service.grpcPort}`,
    );
    try {
      const cases: [string, directoryV1.UserState, directoryV1.PasswordValidationResult][] = [
        ['alice', UserState.ACTIVE, Result.OK],
        ['dave', UserState.DISABLED, Result.ACCOUNT_DISABLED],
        ['erin', UserState.LOCKED, Result.ACCOUNT_LOCKED],
        ['frank', UserState.MUST_CHANGE_PASSWORD, Result.MUST_CHANGE],
        ['grace', UserState.PASSWORD_EXPIRED, Result.PASSWORD_EXPIRED],
      ];
      for (const [name, state, result] of cases) {
        const { user } = await client.getUser({
          lookup: { $case: 'account', value: `DEMO\\${name}` },
        });
        expect({ name, state: user?.state }).toEqual({ name, state });
        const answer = await client.validatePassword({
          account: `${name}@demo.nes.local`,
          password: demoPassword(name),
        });
        expect({ name, result: answer.result }).toEqual({ name, result });
      }
      const wrong = await client.validatePassword({ account: 'DEMO\\alice', password: 'nope' });
      expect(wrong.result).toBe(Result.INVALID_PASSWORD);
      const carol = await client.getUser({
        lookup: { $case: 'upn', value: 'carol@demo.nes.local' },
      });
      expect(carol.user?.groups.map((g) => g.name).sort()).toEqual([
        'NES Administrators',
        'NES Users',
      ]);
    } finally {
      client.close();
    }
  });

  it('changes a state when only time passes, with the event', async () => {
    offsetMs = 2 * HOUR;
    await service.scheduler.runOnce();
    const events = await outboxEvents(db);
    const expired = events.find((e) => e.type === 'nes.directory.user-state-changed.v1');
    expect(expired?.data).toMatchObject({
      previousState: 'USER_STATE_ACTIVE',
      user: { samAccountName: 'bob', state: 'USER_STATE_EXPIRED' },
    });
  });

  it('follows edits of the file: a removed user is deleted', async () => {
    const json = JSON.parse(await readFile(file, 'utf8')) as {
      users: { samAccountName: string }[];
    };
    json.users = json.users.filter((u) => u.samAccountName !== 'alice');
    await writeFile(file, JSON.stringify(json));
    const [round] = await service.scheduler.runOnce();
    expect(round).toMatchObject({ kind: 'full' });
    const events = await outboxEvents(db);
    expect(events.at(-1)).toMatchObject({
      type: 'nes.directory.user-deleted.v1',
      data: { user: { samAccountName: 'alice', state: 'USER_STATE_DELETED' } },
    });
  });

  it('serves /healthz, /readyz, /metrics and gRPC health', async () => {
    const base = `http://127.0.0.1:${service.httpPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { postgres: { ok: true }, bus: { ok: true }, directory: { ok: true } },
    });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/nes_directory_password_checks_total\{[^}]*result="ok"[^}]*\} 1/);
    expect(metrics).toMatch(
      /nes_directory_events_total\{[^}]*type="nes.directory.user-deleted.v1"[^}]*\} 1/,
    );
    const health = await createGrpcClient(healthV1.HealthClient, `127.0.0.1:${service.grpcPort}`);
    try {
      const answer = await health.check({ service: '' });
      expect(answer.status).toBe(healthV1.HealthCheckResponse_ServingStatus.SERVING);
    } finally {
      health.close();
    }
  });

  it('publishes the outbox to the bus', async () => {
    await expect
      .poll(
        async () =>
          (
            await db.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
            )
          ).rows[0],
        {
          timeout: 10_000,
        },
      )
      .toEqual({ n: 0 });
    const metrics = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/nes_directory_outbox_published_total\{[^}]*\} [1-9]/);
  });

  it('runs as a process and shuts down cleanly on SIGTERM', async () => {
    const processDb = await createTestDatabase('dir_process');
    const env = await demoEnv(processDb, file);
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    const hook = fileURLToPath(new URL('./support/ts-resolve.mjs', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--conditions=@nes/source',
        '--experimental-transform-types',
        '--no-warnings',
        '--import',
        hook,
        main,
      ],
      {
        env: { ...env, NES_DIR_SYNC_INTERVAL_MS: '200' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await expect.poll(() => output, { timeout: 30_000, interval: 100 }).toContain('site synced');
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
      expect(output).toContain('shutdown complete');
    } finally {
      child.kill('SIGKILL');
      await processDb.drop();
    }
    // Every line is JSON from the service's logger: nothing else writes to stdout/stderr.
    const lines = output.trim().split('\n');
    expect(
      lines.every(
        (line) => (JSON.parse(line) as { service?: string }).service === 'directory-sync',
      ),
    ).toBe(true);
  });
});
