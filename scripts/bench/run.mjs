// `pnpm bench`: runs every benchmark in the workspace (services/*/bench/*.bench.ts
// and scripts/bench/*.bench.ts), one after another so they never compete for the
// two cores, each in its own process. A benchmark prints human-readable lines and
// one final JSON line `{"bench": name, ...figures}`; the JSON lines are collected
// into reports/bench.json together with a description of the machine.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const only = process.argv.slice(2);

function benchFiles() {
  const dirs = [join(root, 'scripts/bench')];
  for (const name of readdirSync(join(root, 'services')))
    dirs.push(join(root, 'services', name, 'bench'));
  return dirs
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.bench.ts'))
        .map((f) => join(dir, f)),
    )
    .filter((file) => only.length === 0 || only.some((o) => file.includes(o)))
    .sort();
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
console.log(
  `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}`,
);

const results = [];
let failed = 0;
for (const file of benchFiles()) {
  console.log(`\n=== ${file.slice(root.length)}`);
  const run = spawnSync('pnpm', ['exec', 'tsx', '--conditions=@nes/source', file], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  process.stdout.write(run.stdout ?? '');
  if (run.status !== 0) {
    failed += 1;
    continue;
  }
  const last = (run.stdout ?? '').trim().split('\n').at(-1) ?? '';
  try {
    results.push(JSON.parse(last));
  } catch {
    console.log(`(no JSON result line from ${file})`);
  }
}
mkdirSync(join(root, 'reports'), { recursive: true });
writeFileSync(join(root, 'reports/bench.json'), JSON.stringify({ machine, results }, null, 2));
console.log(
  `\n${results.length} benchmark(s) recorded in reports/bench.json${failed ? `, ${failed} failed` : ''}`,
);
process.exit(failed ? 1 : 0);
