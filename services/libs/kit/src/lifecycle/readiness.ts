/**
 * A readiness check: resolves when the dependency answers, throws otherwise.
 * The signal aborts when the check's time is up, so it can cancel its probe.
 */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void>;

/** The outcome of one check. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly durationMs: number;
  /** Why it failed (an error message, or "timed out after …"). */
  readonly error?: string;
}

/** The outcome of all checks. */
export interface ReadinessReport {
  /** True when not shutting down and every check passed. */
  readonly ready: boolean;
  readonly shuttingDown: boolean;
  readonly checks: readonly CheckResult[];
}

/** The registry of checks behind `/readyz` and gRPC health. */
export interface Readiness {
  /** Adds a check (names are unique: `postgres`, `redis`, `bus`). */
  register(name: string, check: ReadinessCheck, options?: { timeoutMs?: number }): void;
  /** Runs every check in parallel, each bounded by its timeout. */
  check(): Promise<ReadinessReport>;
  /** From now on the service reports not ready, whatever the checks say. */
  markShuttingDown(): void;
  readonly shuttingDown: boolean;
  /** Called once when shutdown begins (gRPC health Watch streams use it). */
  onShutdown(listener: () => void): void;
}

const ERROR_MAX = 200;

/**
 * Creates the readiness registry. Concurrent `check()` calls share one run, so
 * a burst of probes costs the dependencies one round of checks.
 */
export function createReadiness(options: { defaultTimeoutMs?: number } = {}): Readiness {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 2_000;
  const checks = new Map<string, { check: ReadinessCheck; timeoutMs: number }>();
  const shutdownListeners: (() => void)[] = [];
  let shuttingDown = false;
  let running: Promise<ReadinessReport> | undefined;

  async function runAll(): Promise<ReadinessReport> {
    const results = await Promise.all(
      [...checks].map(([name, { check, timeoutMs }]) => runOne(name, check, timeoutMs)),
    );
    return { ready: !shuttingDown && results.every((r) => r.ok), shuttingDown, checks: results };
  }

  return {
    register(name, check, registerOptions = {}) {
      if (checks.has(name)) throw new Error(`readiness check '${name}' is already registered`);
      checks.set(name, { check, timeoutMs: registerOptions.timeoutMs ?? defaultTimeoutMs });
    },
    check() {
      running ??= runAll().finally(() => {
        running = undefined;
      });
      return running;
    },
    markShuttingDown() {
      if (shuttingDown) return;
      shuttingDown = true;
      for (const listener of shutdownListeners) listener();
    },
    get shuttingDown() {
      return shuttingDown;
    },
    onShutdown(listener) {
      shutdownListeners.push(listener);
    },
  };
}

async function runOne(
  name: string,
  check: ReadinessCheck,
  timeoutMs: number,
): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    await Promise.race([check(controller.signal), timeout]);
    return { name, ok: true, durationMs: elapsed(started) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { name, ok: false, durationMs: elapsed(started), error: message.slice(0, ERROR_MAX) };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
