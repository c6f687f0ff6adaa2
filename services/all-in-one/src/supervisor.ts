import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from '@nes/kit';

export interface SupervisedProcess {
  name: string;
  /** Absolute path of the script node runs. */
  script: string;
  env: Record<string, string>;
}

/**
 * Keeps each service process running: restarts one that dies unexpectedly, with
 * a backoff that grows to 30 s so that a service failing at start (bad config,
 * port taken) does not spin. `stop()` sends SIGTERM to all — each service then
 * drains on its own — and SIGKILLs what is still alive after `graceMs`.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;

  constructor(
    private readonly logger: Logger,
    private readonly graceMs: number,
    private readonly baseEnv: Readonly<Record<string, string | undefined>>,
  ) {}

  start(proc: SupervisedProcess, attempt = 0): void {
    if (this.stopping) return;
    const log = this.logger.child({ service: proc.name });
    // Under setpriv --pdeathsig, as the servers: should the runner die without
    // stopping it (SIGKILL, a closed terminal), the service gets SIGTERM and drains
    // rather than living on as an orphan holding its ports.
    const command = ['--pdeathsig', 'SIGTERM', '--', process.execPath, '--enable-source-maps'];
    const child = spawn('setpriv', [...command, proc.script], {
      env: { ...this.baseEnv, ...proc.env },
      stdio: ['ignore', 'inherit', 'inherit'],
      // Its own process group, so that a terminal's Ctrl-C reaches the runner only
      // and services stop in order (SIGTERM from stop()), before the servers.
      detached: true,
    });
    this.children.set(proc.name, child);
    const startedAt = Date.now();
    child.once('exit', (code, signal) => {
      this.children.delete(proc.name);
      if (this.stopping) return;
      // A process that ran for a while before dying gets a fresh backoff.
      const next = Date.now() - startedAt > 60_000 ? 0 : attempt + 1;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(next, 6));
      log.error({ code, signal, restartInMs: delay }, 'service exited; restarting');
      setTimeout(() => this.start(proc, next), delay).unref();
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const alive = [...this.children.entries()].reverse();
    await Promise.all(
      alive.map(([name, child]) => {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          this.logger.warn(
            { service: name, graceMs: this.graceMs },
            'service did not stop in time; killing',
          );
          child.kill('SIGKILL');
        }, this.graceMs);
        return exited.finally(() => clearTimeout(timer));
      }),
    );
  }
}
