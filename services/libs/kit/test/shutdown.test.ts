import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./fixtures/shutdown-service.ts', import.meta.url));
const HOOK = fileURLToPath(new URL('./support/ts-resolve.mjs', import.meta.url));

interface Service {
  readonly child: ChildProcess;
  readonly port: number;
  readonly lines: Record<string, unknown>[];
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/**
 * Starts the fixture with Node's own TypeScript support; resolves once it
 * logs `until` (by default: once it listens), or exits.
 */
async function start(mode: string, until = 'fixture listening'): Promise<Service> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@nes/source',
      '--experimental-transform-types',
      '--no-warnings',
      '--import',
      HOOK,
      FIXTURE,
      mode,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const line of complete.filter(Boolean))
      lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const reached = lines.find((l) => l.msg === until);
    if (reached)
      return { child, port: (reached.port as number) ?? 0, lines, stderr: () => stderr, exited };
    await sleep(20);
  }
  return { child, port: 0, lines, stderr: () => stderr, exited };
}

/** One GET on a fresh connection (no keep-alive pool), so "refused" means refused. */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful shutdown of a real process', () => {
  it('on SIGTERM: turns not-ready, finishes the in-flight request, refuses new ones, exits 0', async () => {
    const service = await start('normal');
    expect(service.port).toBeGreaterThan(0);
    expect((await get(service.port, '/readyz')).status).toBe(200);

    const inFlight = get(service.port, '/slow');
    await sleep(100);
    service.child.kill('SIGTERM');
    await sleep(100);
    // Drain delay: still listening, but reporting not ready.
    expect(await get(service.port, '/readyz')).toMatchObject({ status: 503 });
    await sleep(400);
    await expect(get(service.port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    expect(await inFlight).toEqual({ status: 200, body: '{"done":true}' });
    expect(await service.exited).toBe(0);
    expect(service.lines).toContainEqual(
      expect.objectContaining({ msg: 'shutdown started', reason: 'SIGTERM' }),
    );
    expect(service.lines).toContainEqual(
      expect.objectContaining({ msg: 'shutdown complete', failed: [] }),
    );
  });

  it('logs the step that hung, then exits 1 even though the step holds the event loop', async () => {
    const service = await start('hang');
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(1);
    expect(service.lines).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'shutdown timed out in step "stuck"' }),
    );
  });

  it('logs an uncaught exception as fatal, shuts down and exits 1', async () => {
    const service = await start('normal');
    expect((await get(service.port, '/boom')).status).toBe(200);
    expect(await service.exited).toBe(1);
    const fatal = service.lines.find((l) => l.level === 'fatal');
    expect(fatal).toMatchObject({ msg: 'uncaughtException', err: { message: 'kaboom' } });
    expect(service.lines).toContainEqual(expect.objectContaining({ msg: 'shutdown complete' }));
  });

  it('holds a SIGTERM that arrives during start-up, then stops gracefully once started', async () => {
    const service = await start('slow-start', 'fixture starting');
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const messages = service.lines.map((l) => l.msg);
    expect(messages).toContain('fixture listening');
    expect(messages.indexOf('shutdown complete')).toBeGreaterThan(
      messages.indexOf('fixture listening'),
    );
    expect(service.stderr()).toContain('SIGTERM during start-up; stopping as soon as started');
  });

  it('exits at once on a second signal during start-up', async () => {
    const service = await start('slow-start', 'fixture starting');
    service.child.kill('SIGINT');
    await sleep(100);
    service.child.kill('SIGINT');
    expect(await service.exited).toBe(130);
    expect(service.lines.map((l) => l.msg)).not.toContain('fixture listening');
    expect(service.stderr()).toContain('SIGINT again during start-up; exiting now');
  });

  it('reports a failed start as one JSON line on stderr and exits 1', async () => {
    const service = await start('fail-start');
    expect(await service.exited).toBe(1);
    const line =
      service
        .stderr()
        .split('\n')
        .find((l) => l.includes('startup failed')) ?? '{}';
    expect(JSON.parse(line)).toMatchObject({
      level: 'fatal',
      msg: 'startup failed',
      err: { message: 'cannot start: NES_TEST_DATABASE_URL: required' },
    });
  });
});
