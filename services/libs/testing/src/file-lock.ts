import { open, readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from './errors.js';
import { processAlive } from './run-dir.js';

/** Releases a lock taken with {@link acquireLock}. */
export type ReleaseLock = () => Promise<void>;

/**
 * Takes an exclusive lock file holding our pid, for work that test runs on
 * this machine must not do twice at once (building the Samba template,
 * claiming a DC address). A lock whose holder died is taken over.
 * Returns undefined when `wait` is false and the lock is held.
 */
export async function acquireLock(
  path: string,
  options: { wait: boolean; timeoutMs?: number },
): Promise<ReleaseLock | undefined> {
  const deadline = performance.now() + (options.timeoutMs ?? 300_000);
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
    const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now());
    // No pid after 10 s: its writer died between creating and writing the file.
    if (holder ? !processAlive(holder) : age > 10_000) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (!options.wait) return undefined;
    if (performance.now() > deadline) {
      throw new InfraError(`timed out waiting for lock ${path} (held by pid ${holder || '?'})`);
    }
    await sleep(200);
  }
}
