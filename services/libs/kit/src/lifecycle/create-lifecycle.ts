import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/create-logger.js';
import type { Readiness } from './readiness.js';

/** A shutdown step: close a server, drain a consumer, end a pool. */
export type StopStep = () => Promise<void> | void;

/** How shutdown went. */
export interface StopResult {
  /** No step failed or hung, and no fatal error caused the stop. */
  readonly ok: boolean;
  /** What started it: a signal name, `uncaughtException`, or the caller's reason. */
  readonly reason: string;
  /** Steps that threw. */
  readonly failed: readonly string[];
  /** The step still running when the timeout struck. */
  readonly hung?: string;
}

/** Options of {@link createLifecycle}. */
export interface CreateLifecycleOptions {
  readonly logger: Logger;
  /** Bound on the whole shutdown; after it the step that hung is logged and stop resolves. */
  readonly timeoutMs: number;
  /** Marked shutting down first, so probes turn 503 before anything closes. */
  readonly readiness?: Readiness;
  /**
   * Pause after marking not-ready and before closing anything, so load
   * balancers stop routing here first (Kubernetes endpoints lag a few seconds).
   * Default 0.
   */
  readonly drainDelayMs?: number;
}

/** The process' shutdown sequence. */
export interface Lifecycle {
  readonly logger: Logger;
  /**
   * Registers a step. Steps run in reverse order of registration: register
   * pools first and servers last, so servers stop accepting and drain before
   * the pools they use are closed.
   */
  onStop(name: string, step: StopStep): void;
  /** Starts shutdown (once; later calls return the same promise). */
  stop(reason: string): Promise<StopResult>;
  /** Resolves when shutdown has finished or timed out. */
  readonly stopped: Promise<StopResult>;
  readonly stopping: boolean;
  /**
   * Stops on SIGTERM/SIGINT; on an uncaught exception or unhandled rejection,
   * logs it as fatal and stops (the result is then not ok). Returns a function
   * that removes these handlers.
   */
  handleProcessEvents(): () => void;
}

/** Creates the lifecycle of one process; see {@link Lifecycle}. */
export function createLifecycle(options: CreateLifecycleOptions): Lifecycle {
  const logger = options.logger.child({ subsystem: 'lifecycle' });
  const steps: { name: string; step: StopStep }[] = [];
  let resolveStopped: (result: StopResult) => void = () => undefined;
  const stopped = new Promise<StopResult>((resolve) => {
    resolveStopped = resolve;
  });
  let stopping: Promise<StopResult> | undefined;
  let fatal = false;

  async function runSteps(reason: string): Promise<StopResult> {
    const started = performance.now();
    logger.info({ reason }, 'shutdown started');
    options.readiness?.markShuttingDown();
    const failed: string[] = [];
    let current = 'drain delay';
    const sequence = (async () => {
      if (options.drainDelayMs) await sleep(options.drainDelayMs);
      for (const { name, step } of [...steps].reverse()) {
        current = name;
        try {
          await step();
          logger.debug({ step: name }, 'shutdown step done');
        } catch (error) {
          failed.push(name);
          logger.error({ err: error, step: name }, 'shutdown step failed');
        }
      }
      return undefined;
    })();
    const timer = new AbortController();
    const timedOut = sleep(options.timeoutMs, 'timeout' as const, { signal: timer.signal }).catch(
      () => undefined,
    );
    const outcome = await Promise.race([sequence, timedOut]);
    timer.abort();
    const durationMs = Math.round(performance.now() - started);
    if (outcome === 'timeout') {
      logger.error(
        { step: current, timeoutMs: options.timeoutMs },
        `shutdown timed out in step "${current}"`,
      );
      return { ok: false, reason, failed, hung: current };
    }
    logger.info({ durationMs, failed }, 'shutdown complete');
    return { ok: failed.length === 0 && !fatal, reason, failed };
  }

  const lifecycle: Lifecycle = {
    logger: options.logger,
    onStop(name, step) {
      steps.push({ name, step });
    },
    stop(reason) {
      stopping ??= runSteps(reason).then((result) => {
        resolveStopped(result);
        return result;
      });
      return stopping;
    },
    stopped,
    get stopping() {
      return stopping !== undefined;
    },
    handleProcessEvents() {
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) logger.warn({ signal }, 'signal received while shutting down; ignored');
        void lifecycle.stop(signal);
      };
      const onFatal = (kind: string) => (error: unknown) => {
        fatal = true;
        logger.fatal({ err: error }, kind);
        void lifecycle.stop(kind);
      };
      const onException = onFatal('uncaughtException');
      const onRejection = onFatal('unhandledRejection');
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      process.on('uncaughtException', onException);
      process.on('unhandledRejection', onRejection);
      return () => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        process.off('uncaughtException', onException);
        process.off('unhandledRejection', onRejection);
      };
    },
  };
  return lifecycle;
}

/**
 * Runs a service's start-up, whose steps register their stop with
 * `lifecycle` as they go; if it throws, stops what was started already (in
 * the usual reverse order) before rethrowing, so a failed start leaves no
 * pool, server or consumer behind.
 */
export async function startOrUnwind<T>(lifecycle: Lifecycle, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    await lifecycle.stop('startup failed');
    throw error;
  }
}
