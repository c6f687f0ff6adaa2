import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../..', import.meta.url).pathname;
const main = join(root, 'services/all-in-one/src/main.ts');

/**
 * The runner, from source, as `scripts/nes start` runs it (minus the build):
 * node itself with tsx's loader, not the tsx CLI, whose signal relay SIGKILLs
 * a child that has not acknowledged a signal within 30 ms — a busy machine's
 * runner would die before it could stop anything.
 */
function startRunner(env: Record<string, string>): ChildProcess {
  // eslint-disable-next-line no-restricted-syntax -- the child needs this process' PATH and HOME, nothing more
  const { PATH = '', HOME = '/root' } = process.env;
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=@nes/source', main], {
    cwd: root,
    env: { PATH, HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess): { out: () => string; exit: Promise<number | null> } {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { out: () => out, exit };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('all-in-one runner', () => {
  const home = mkdtempSync(join(tmpdir(), 'nes-aio-'));
  // As root, PostgreSQL runs as the postgres user, which must reach its data dir.
  chmodSync(home, 0o755);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('refuses a bad configuration at start, naming each variable', async () => {
    const run = collect(
      startRunner({
        NES_AIO_POSTGRES_PORT: 'abc',
        NES_AIO_SERVICE_GRACE_MS: '5',
        NES_AIO_HOEM: home,
      }),
    );
    expect(await run.exit).toBe(1);
    const out = run.out();
    expect(out).toContain('NES_AIO_POSTGRES_PORT');
    expect(out).toContain("got 'abc'");
    expect(out).toContain('NES_AIO_SERVICE_GRACE_MS');
    expect(out).toContain('NES_AIO_HOEM: unknown variable');
  });

  /** A runner on fresh Postgres and Redis ports, once it has printed its summary. */
  async function startedRunner() {
    const [pgPort, redisPort] = [await freePort(), await freePort()];
    const child = startRunner({
      NES_AIO_HOME: home,
      NES_AIO_POSTGRES_PORT: String(pgPort),
      NES_AIO_REDIS_PORT: String(redisPort),
    });
    const run = collect(child);
    await until(() => run.out().includes('Ctrl-C stops everything'), 120_000);
    return { child, run, pgPort, redisPort };
  }

  it('brings the platform up, prints its URLs, and stops cleanly on Ctrl-C', async () => {
    const { child, run, pgPort, redisPort } = await startedRunner();
    // Every service answered its /readyz before the summary was printed.
    expect(run.out()).toContain('NES is up');
    expect(run.out()).not.toContain('NOT READY');
    expect(run.out()).toContain(`postgres://postgres:***@127.0.0.1:${pgPort}/nes`);
    expect(run.out()).toContain(`redis://127.0.0.1:${redisPort}`);

    // As a terminal's Ctrl-C would.
    child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.out()).toContain('shutdown complete');
    // Nothing left listening on the runner's ports.
    expect(await portIsFree(pgPort)).toBe(true);
    expect(await portIsFree(redisPort)).toBe(true);
    for (const port of SERVICE_PORTS) expect(await portIsFree(port)).toBe(true);
  }, 180_000);

  it('leaves nothing running when the runner itself is killed', async () => {
    const { child, run, pgPort, redisPort } = await startedRunner();

    // No chance to stop anything: the kernel's parent-death signal must do it.
    child.kill('SIGKILL');
    await run.exit;
    const ports = [pgPort, redisPort, ...SERVICE_PORTS];
    const deadline = Date.now() + 40_000;
    let busy = ports;
    while (busy.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      busy = (await Promise.all(ports.map(async (p) => ((await portIsFree(p)) ? [] : [p])))).flat();
    }
    expect(busy).toEqual([]);
  }, 180_000);
});

/** The services' fixed HTTP ports (services/all-in-one/src/services.ts). */
const SERVICE_PORTS = [8081, 8082, 8083, 8084, 8085];

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
