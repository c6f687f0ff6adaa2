import { readdir } from 'node:fs/promises';
import { basename, resolve } from 'node:path';

/**
 * Migration file rules. A file is `YYYYMMDDHHmmss_name.sql` (UTC time it was
 * written): one timestamp format for every folder, because node-pg-migrate
 * orders files by the numeric value of that prefix and mixed widths would
 * interleave wrongly. The migration's name is the file name without `.sql`
 * and must be unique across all folders a service applies.
 */
export const MIGRATION_FILE = /^(\d{14})_[A-Za-z0-9][A-Za-z0-9_-]{0,100}\.sql$/;

/** One folder's migrations, in the order they apply. */
export interface MigrationFolder {
  readonly dir: string;
  readonly names: readonly string[];
}

/** Whether a 14-digit prefix is a real UTC date and time. */
function isTimestamp(prefix: string): boolean {
  const iso = `${prefix.slice(0, 4)}-${prefix.slice(4, 6)}-${prefix.slice(6, 8)}T${prefix.slice(8, 10)}:${prefix.slice(10, 12)}:${prefix.slice(12, 14)}Z`;
  const date = new Date(iso);
  return !Number.isNaN(date.valueOf()) && date.toISOString().startsWith(iso.slice(0, 19));
}

/**
 * node-pg-migrate's order: by timestamp, then by name the way it compares
 * (numeric, punctuation ignored), so the per-folder check agrees with it.
 */
function compareNames(a: string, b: string): number {
  const byTime = a.slice(0, 14).localeCompare(b.slice(0, 14));
  return byTime !== 0
    ? byTime
    : a.localeCompare(b, undefined, {
        usage: 'sort',
        numeric: true,
        sensitivity: 'variant',
        ignorePunctuation: true,
      });
}

/**
 * Lists the `.sql` files of each folder (other files, such as a README, are
 * ignored), checks their names and that no name appears twice.
 */
export async function readMigrationFolders(dirs: readonly string[]): Promise<MigrationFolder[]> {
  const folders: MigrationFolder[] = [];
  const seen = new Map<string, string>();
  for (const dir of dirs.map((d) => resolve(d))) {
    let entries: string[];
    try {
      entries = (await readdir(dir, { withFileTypes: true }))
        .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.sql'))
        .map((e) => e.name);
    } catch (error) {
      throw new Error(`cannot read migrations folder '${dir}'`, { cause: error });
    }
    for (const file of entries) {
      const match = MIGRATION_FILE.exec(file);
      if (!match?.[1] || !isTimestamp(match[1])) {
        throw new Error(`migration '${file}' in '${dir}' must be named YYYYMMDDHHmmss_name.sql`);
      }
      const name = basename(file, '.sql');
      const other = seen.get(name);
      if (other !== undefined)
        throw new Error(`migration '${name}' exists in both '${other}' and '${dir}'`);
      seen.set(name, dir);
    }
    folders.push({ dir, names: entries.map((f) => basename(f, '.sql')).sort(compareNames) });
  }
  return folders;
}

/**
 * Refuses a folder whose new migration sorts before one already applied:
 * within one folder order matters (a later file may build on an earlier one).
 * Across folders it does not — a library's new migration may carry an older
 * timestamp than the service's latest — so node-pg-migrate's global order
 * check is off and this per-folder one is used instead.
 */
export function checkFolderOrder(
  folders: readonly MigrationFolder[],
  applied: ReadonlySet<string>,
): void {
  for (const { dir, names } of folders) {
    const firstPending = names.findIndex((name) => !applied.has(name));
    if (firstPending === -1) continue;
    const laterApplied = names.slice(firstPending + 1).find((name) => applied.has(name));
    if (laterApplied !== undefined) {
      throw new Error(
        `migration '${names[firstPending]}' in '${dir}' is older than the already applied '${laterApplied}'; give it a newer timestamp`,
      );
    }
  }
}

/** Escapes a path for glob patterns (node-pg-migrate takes several folders only as globs). */
export function escapeGlob(path: string): string {
  return path.replace(/[\\*?[\](){}!+@,]/g, '\\$&');
}
