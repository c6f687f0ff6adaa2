import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@nes/kit';

/**
 * Stops a server left running by an earlier run of the runner that was killed
 * outright (SIGKILL, a closed terminal): its pid file names the process, and a
 * new server could not bind its port or lock its data dir while it lives.
 * `signal` is the one the server treats as a fast, clean shutdown.
 */
export async function stopStaleProcess(opts: {
  pidFile: string;
  expectedCommand: string;
  signal: NodeJS.Signals;
  logger: Logger;
}): Promise<void> {
  if (!existsSync(opts.pidFile)) return;
  const pid = Number.parseInt(readFileSync(opts.pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) return;
  // Only a process that really is that server: pids get reused.
  const command = readCommand(pid);
  if (!command.includes(opts.expectedCommand)) return;
  opts.logger.warn(
    { pid, command: opts.expectedCommand },
    'stopping a server left from an earlier run',
  );
  process.kill(pid, opts.signal);
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}
