import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OsUser } from '@nes/local-postgres';

/** A server the runner started, bound to the runner's life. */
export interface ServerProcess {
  child: ChildProcess;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** Sends `signal`, and SIGKILL if the process outlives `graceMs`. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
}

/**
 * Starts a server under `setpriv --pdeathsig`: the kernel sends it `deathSignal`
 * when the runner dies, however it dies (SIGKILL, a closed terminal), so no
 * server outlives the runner. `user` drops privileges (PostgreSQL refuses root).
 */
export function startServerProcess(opts: {
  command: string;
  args: readonly string[];
  deathSignal: NodeJS.Signals;
  user?: OsUser;
}): ServerProcess {
  if (spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).error) {
    throw new Error('setpriv not found: run scripts/setup.sh (installs Debian util-linux)');
  }
  const identity = opts.user
    ? ['--reuid', String(opts.user.uid), '--regid', String(opts.user.gid), '--clear-groups']
    : [];
  const child = spawn(
    'setpriv',
    ['--pdeathsig', opts.deathSignal, ...identity, '--', opts.command, ...opts.args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      // Its own process group: a terminal's Ctrl-C reaches only the runner, which
      // stops the servers after the services that use them have drained.
      detached: true,
    },
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    exited,
    async stop(signal, graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = new AbortController();
      const outcome = await Promise.race([
        exited.then(() => 'exited' as const),
        sleep(graceMs, 'timeout' as const, { signal: timer.signal }).catch(() => 'exited' as const),
      ]);
      timer.abort();
      if (outcome === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
