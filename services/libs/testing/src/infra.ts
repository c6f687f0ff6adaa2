import { rm } from 'node:fs/promises';
import { loadInfraConfig, type InfraConfig } from './config.js';
import { InfraError, redactUrl } from './errors.js';
import { externalStarters } from './external.js';
import { localStarters } from './local/index.js';
import { elapsedMs, stderrLog, type LogLine } from './log.js';
import { dockerEngineAnswers, resolveMode } from './mode.js';
import { createRunDir } from './run-dir.js';
import type { ComponentInfo, ComponentStarters, StartedServer } from './server.js';
import type { InfraComponent, InfraMode, StartedInfra } from './types.js';

/** Options of {@link startInfra}. */
export interface StartInfraOptions {
  /** Settings; default: parsed from the environment (`NES_TEST_*`). */
  config?: InfraConfig;
  /** Progress lines (mode, one per component with its start time); default stderr. */
  log?: LogLine;
}

interface Running {
  infra: StartedInfra;
  servers: StartedServer<unknown>[];
  runDir?: string;
  log: LogLine;
}

let running: Running | undefined;
let starting = false;

/**
 * Starts the selected components in parallel and returns where they are.
 * If any fails, the others are stopped and the error names every failure.
 * One harness per process: call {@link stopInfra} before starting again.
 */
export async function startInfra(options: StartInfraOptions = {}): Promise<StartedInfra> {
  if (running || starting) {
    throw new InfraError('startInfra: already started in this process; call stopInfra() first');
  }
  starting = true;
  try {
    running = await startAll(options);
    return running.infra;
  } finally {
    starting = false;
  }
}

async function startAll(options: StartInfraOptions): Promise<Running> {
  const config = options.config ?? loadInfraConfig();
  const log = options.log ?? stderrLog;
  const mode = await pickMode(config, log);
  const runDir = mode === 'local' ? await createRunDir() : undefined;
  const starters = await startersFor(mode, config, runDir, log);

  const started = await Promise.allSettled(
    config.components.map((component) => startOne(component, starters, log)),
  );
  const servers = started.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value.server] : [],
  );
  const failures = started.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  if (failures.length > 0) {
    await Promise.allSettled(servers.map((server) => server.stop()));
    if (runDir) await rm(runDir, { recursive: true, force: true });
    throw new InfraError(
      `test infrastructure (${mode}) failed to start:\n${failures.map((f) => `- ${message(f)}`).join('\n')}`,
      { cause: failures[0] },
    );
  }
  const infra: StartedInfra = { mode, components: [...config.components] };
  for (const result of started) {
    if (result.status === 'fulfilled') {
      Object.assign(infra, { [result.value.component]: result.value.server.info });
    }
  }
  return { infra, servers, runDir, log };
}

/** Stops everything {@link startInfra} started (in parallel) and removes its scratch files. */
export async function stopInfra(): Promise<void> {
  const current = running;
  running = undefined;
  if (!current) return;
  const started = performance.now();
  const results = await Promise.allSettled(current.servers.map((server) => server.stop()));
  if (current.runDir) await rm(current.runDir, { recursive: true, force: true });
  current.log(`stopped in ${elapsedMs(started)} ms`);
  const failures = results.flatMap((result) =>
    result.status === 'rejected' ? [message(result.reason)] : [],
  );
  if (failures.length > 0)
    throw new InfraError(`stopping test infrastructure failed: ${failures.join('; ')}`);
}

async function pickMode(config: InfraConfig, log: LogLine): Promise<InfraMode> {
  const docker = config.mode === 'auto' ? await dockerEngineAnswers(config.dockerHost) : false;
  const mode = resolveMode(config.mode, docker);
  const why =
    config.mode === 'auto'
      ? ` (auto: ${docker ? 'a Docker engine answers' : 'no Docker engine'})`
      : '';
  log(`mode ${mode}${why}; components: ${config.components.join(', ') || 'none'}`);
  return mode;
}

async function startersFor(
  mode: InfraMode,
  config: InfraConfig,
  runDir: string | undefined,
  log: LogLine,
): Promise<ComponentStarters> {
  if (mode === 'local') return localStarters(config, runDir ?? '', log);
  if (mode === 'external') return externalStarters(config);
  // Loaded on demand: testcontainers is heavy and local runs never need it.
  const { containerStarters } = await import('./containers.js');
  return containerStarters(config);
}

async function startOne<K extends InfraComponent>(
  component: K,
  starters: ComponentStarters,
  log: LogLine,
): Promise<{ component: K; server: StartedServer<ComponentInfo[K]> }> {
  const started = performance.now();
  try {
    const server = await starters[component]();
    log(`${component} ready in ${elapsedMs(started)} ms: ${describe(server.info)}`);
    return { component, server };
  } catch (error) {
    throw new InfraError(`${component}: ${message(error)}`, { cause: error });
  }
}

function describe(info: ComponentInfo[InfraComponent]): string {
  if ('brokers' in info) return info.brokers.join(',');
  if ('ldapsUrl' in info) return `${info.url} ${info.ldapsUrl}`;
  return redactUrl(info.url);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
