import { access, chmod, constants, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'nes-infra-';
/** RAM-backed where the machine has it: test databases need no disk. */
const SHM = '/dev/shm';

/** True when a process with this pid exists (signal 0 probes without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes this run's scratch directory, `nes-infra-<pid>-XXXXXX` in /dev/shm
 * (else the temp dir), world-traversable so the `postgres` user can reach its
 * data dir below. First removes the directories of runs whose process is gone
 * (a SIGKILLed run cannot clean up after itself; its servers died with it).
 */
export async function createRunDir(): Promise<string> {
  const bases = [SHM, tmpdir()];
  await Promise.all(bases.map((base) => sweepStaleRunDirs(base)));
  const base = (await writable(SHM)) ? SHM : tmpdir();
  const dir = await mkdtemp(join(base, `${PREFIX}${process.pid}-`));
  await chmod(dir, 0o755);
  return dir;
}

async function writable(dir: string): Promise<boolean> {
  return access(dir, constants.W_OK).then(
    () => true,
    () => false,
  );
}

async function sweepStaleRunDirs(base: string): Promise<void> {
  const entries = await readdir(base).catch(() => []);
  await Promise.all(
    entries.map(async (entry) => {
      const pid = Number(new RegExp(`^${PREFIX}(\\d+)-`).exec(entry)?.[1]);
      if (!pid || processAlive(pid)) return;
      await rm(join(base, entry), { recursive: true, force: true }).catch(() => undefined);
    }),
  );
}
