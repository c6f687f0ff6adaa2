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
 * error, and sets `process.exitCode` (0 after a clean stop, 1 otherwise).
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
  let lifecycle: Lifecycle;
  try {
    lifecycle = await main();
  } catch (error) {
    // No logger may exist yet (config failed): write one JSON line by hand.
    process.stderr.write(`${JSON.stringify(startupFailure(error))}\n`);
    process.exitCode = 1;
    exitAfter(graceMs);
    return;
  }
  lifecycle.handleProcessEvents();
  const result = await lifecycle.stopped;
  process.exitCode = result.ok ? 0 : 1;
  setTimeout(() => {
    lifecycle.logger.warn('event loop still busy after shutdown; exiting');
    process.exit();
  }, graceMs).unref();
}

function exitAfter(graceMs: number): void {
  setTimeout(() => process.exit(), graceMs).unref();
}

function startupFailure(error: unknown): Record<string, unknown> {
  const err =
    error instanceof Error
      ? { type: error.name, message: error.message, stack: error.stack }
      : { message: String(error) };
  return { level: 'fatal', time: new Date().toISOString(), msg: 'startup failed', err };
}
