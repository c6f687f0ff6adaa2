import { constants } from 'node:os';
import type { Lifecycle } from './create-lifecycle.js';

/** Options of {@link runService}. */
export interface RunServiceOptions {
  /**
   * How long the event loop may stay busy after shutdown (or a failed start)
   * before the process is made to exit. Default 2 s.
   */
  readonly exitGraceMs?: number;
}

/**
 * The body of every `main.ts`: runs `main` (which builds the service, starts
 * listening and returns its lifecycle), stops on SIGTERM/SIGINT or a fatal
 * error, and sets `process.exitCode` (0 after a clean stop, 1 otherwise). A
 * signal that arrives while `main` is still starting is held, and the service
 * stops gracefully as soon as it has started.
 *
 * This is the only place in NES that calls `process.exit`, and only as a
 * backstop: when shutdown timed out (a step hung), or startup failed halfway,
 * handles such as an open socket keep the event loop alive and the process
 * would never end on its own; the orchestrator would then SIGKILL it after its
 * grace period with nothing logged. An unref'd timer exits after
 * `exitGraceMs` instead; after a clean stop the process normally ends first.
 */
export async function runService(
  main: () => Promise<Lifecycle>,
  options: RunServiceOptions = {},
): Promise<void> {
  const graceMs = options.exitGraceMs ?? 2_000;
  const startup = holdSignalsDuringStartup();
  let lifecycle: Lifecycle;
  try {
    lifecycle = await main();
  } catch (error) {
    startup.release();
    // No logger may exist yet (config failed): write one JSON line by hand.
    writeLine('fatal', 'startup failed', { err: errorFields(error) });
    process.exitCode = 1;
    exitAfter(graceMs);
    return;
  }
  // The lifecycle's listeners first, then the start-up ones off: never a moment
  // without a listener, when the signal's default action would kill the process.
  lifecycle.handleProcessEvents();
  const held = startup.release();
  if (held !== undefined) void lifecycle.stop(held);
  const result = await lifecycle.stopped;
  process.exitCode = result.ok ? 0 : 1;
  setTimeout(() => {
    // What still holds the loop (kinds only: sockets, timers, …), for whoever
    // finds the step that did not let go.
    const resources = process.getActiveResourcesInfo();
    lifecycle.logger.warn({ resources }, 'event loop still busy after shutdown; exiting');
    process.exit();
  }, graceMs).unref();
}

/**
 * Until the service has started, SIGTERM and SIGINT would kill it outright
 * (Node's default action): half-opened pools and servers, started children,
 * nothing logged — and an orchestrator or a quick Ctrl-C sends them exactly
 * then. They are held instead and acted on once start-up returns (a graceful
 * stop at once); a second one during start-up exits at once.
 */
function holdSignalsDuringStartup(): { release(): NodeJS.Signals | undefined } {
  let held: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (held !== undefined) {
      writeLine('fatal', `${signal} again during start-up; exiting now`);
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    held = signal;
    writeLine('warn', `${signal} during start-up; stopping as soon as started (again to exit now)`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    release() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      return held;
    },
  };
}

/** One JSON log line on stderr, for the moments before a service has its logger. */
function writeLine(
  level: 'warn' | 'fatal',
  msg: string,
  fields: Readonly<Record<string, unknown>> = {},
): void {
  const line = { level, time: new Date().toISOString(), msg, ...fields };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

function exitAfter(graceMs: number): void {
  setTimeout(() => process.exit(), graceMs).unref();
}

function errorFields(error: unknown): Record<string, unknown> {
  return error instanceof Error
    ? { type: error.name, message: error.message, stack: error.stack }
    : { message: String(error) };
}
