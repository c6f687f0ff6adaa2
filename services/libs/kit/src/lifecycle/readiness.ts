/**
 * A readiness check: resolves when the dependency answers, throws otherwise.
 * The signal aborts when the check's time is up, so it can cancel its probe.
 */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void>;

/** The outcome of one check. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** Whether the service is ready only while this check passes (see RegisterOptions). */
  readonly required: boolean;
  readonly durationMs: number;
  /** Why it failed (an error message, or "timed out after …"). */
  readonly error?: string;
}

/** Options of {@link Readiness.register}. */
export interface RegisterOptions {
  /** How long the check may take before it counts as failed. Default 2 s. */
  readonly timeoutMs?: number;
  /**
   * Default true: the service is not ready while the check fails. False for
   * a dependency the service keeps serving without (the token service's
   * Postgres, which only its key rounds use): a failure is reported, and the
   * service is `degraded`, but stays in rotation — a shared dependency's
   * outage must not take every replica out of its Service at once when
   * they could all still answer.
   */
  readonly required?: boolean;
}

/** The outcome of all checks. */
export interface ReadinessReport {
  /** True when not shutting down and every required check passed. */
  readonly ready: boolean;
  /** Ready, but a check that is not required failed. */
  readonly degraded: boolean;
  readonly shuttingDown: boolean;
  readonly checks: readonly CheckResult[];
}

/** The registry of checks behind `/readyz` and gRPC health. */
export interface Readiness {
  /** Adds a check (names are unique: `postgres`, `redis`, `bus`). */
  register(name: string, check: ReadinessCheck, options?: RegisterOptions): void;
  /** Runs every check in parallel, each bounded by its timeout. */
  check(): Promise<ReadinessReport>;
  /** From now on the service reports not ready, whatever the checks say. */
  markShuttingDown(): void;
  readonly shuttingDown: boolean;
  /** Called once when shutdown begins (gRPC health Watch streams use it). */
  onShutdown(listener: () => void): void;
}

const ERROR_MAX = 200;

/** A registered check with its options resolved. */
interface Entry {
  readonly check: ReadinessCheck;
  readonly timeoutMs: number;
  readonly required: boolean;
}

/**
 * Creates the readiness registry. Concurrent `check()` calls share one run, so
 * a burst of probes costs the dependencies one round of checks.
 */
export function createReadiness(options: { defaultTimeoutMs?: number } = {}): Readiness {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 2_000;
  const checks = new Map<string, Entry>();
  const shutdownListeners: (() => void)[] = [];
  let shuttingDown = false;
  let running: Promise<ReadinessReport> | undefined;

  async function runAll(): Promise<ReadinessReport> {
    const results = await Promise.all([...checks].map(([name, entry]) => runOne(name, entry)));
    const ready = !shuttingDown && results.every((r) => r.ok || !r.required);
    const degraded = ready && results.some((r) => !r.ok);
    return { ready, degraded, shuttingDown, checks: results };
  }

  return {
    register(name, check, registerOptions = {}) {
      if (checks.has(name)) throw new Error(`readiness check '${name}' is already registered`);
      checks.set(name, {
        check,
        timeoutMs: registerOptions.timeoutMs ?? defaultTimeoutMs,
        required: registerOptions.required ?? true,
      });
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

async function runOne(name: string, { check, timeoutMs, required }: Entry): Promise<CheckResult> {
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
    return { name, ok: true, required, durationMs: elapsed(started) };
  } catch (failure) {
    const message = failure instanceof Error ? failure.message : String(failure);
    const error = message.slice(0, ERROR_MAX);
    return { name, ok: false, required, durationMs: elapsed(started), error };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
