import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether a process is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when `child` exited, killing it after `timeoutMs`. */
export function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Runs a command to completion; secrets are masked in the error. */
export function runCommand(
  command: string,
  args: string[],
  secrets: string[] = [],
  cwd?: string,
): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180_000,
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) return resolve({ stdout: out });
      const mask = (text: string) => secrets.reduce((t, s) => t.replaceAll(s, '***'), text);
      reject(
        new Error(
          mask(
            `${command} ${args.join(' ')} failed (${code}): ${out.split('\n').slice(-15).join('\n')}`,
          ),
        ),
      );
    });
  });
}

/** An exclusive lock file holding our pid; a dead holder's lock is taken over. */
export async function lock(path: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(path).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (holder && !alive(holder)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}`);
    await sleep(250);
  }
}
