/** Options every {@link AppError} takes. */
export interface AppErrorOptions {
  /** The error this one wraps; logged, never sent to a caller. */
  readonly cause?: unknown;
  /**
   * Machine-readable extras for the caller (sent only when `expose` is true),
   * e.g. `{ limit: 5 }`. Never put secrets here.
   */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Overrides the class' default code, e.g. `crt_expired` on a ConflictError. */
  readonly code?: string;
}

/**
 * The base of every error NES raises on purpose. It carries a stable `code`
 * (snake_case, part of the API: callers switch on it), the HTTP `status`, and
 * whether its message may be shown to the caller (`expose`: true below 500,
 * and for 503 and 504, whose messages tell the caller what to wait for).
 * Messages are for the caller: name the identifier they sent, never a secret.
 *
 * The HTTP error handler and the gRPC wrapper read everything from here; see
 * `grpc-status.ts` for the one table that maps codes to gRPC status codes.
 */
export class AppError extends Error {
  override name = 'AppError';
  /** Stable, snake_case, documented: callers switch on it. */
  readonly code: string;
  /** HTTP status code. */
  readonly status: number;
  /** Whether message and details may reach the caller (status < 500, 503, 504). */
  readonly expose: boolean;
  /** Extras for the caller; see {@link AppErrorOptions.details}. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(status: number, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = options.code ?? code;
    this.expose = status < 500 || status === 503 || status === 504;
    this.details = options.details;
  }

  /** Extra HTTP response headers this error calls for (Retry-After, WWW-Authenticate, …). */
  headers(): Readonly<Record<string, string>> {
    return {};
  }
}

/** Whether `value` is an {@link AppError}. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
