import { AppError, type AppErrorOptions } from './app-error.js';

/**
 * The general-purpose errors, sent over HTTP as problem details
 * (RFC 9457, "application/problem+json"). Each has a default code; pass
 * `{ code }` for a more specific one (`client_limit_reached`).
 */

/** One failed field of a request, as listed in a validation problem. */
export interface FieldIssue {
  /** JSON-pointer-like path of the field (`/body/redirect_uris/0`). */
  readonly path: string;
  readonly message: string;
}

/** 400: the request is malformed or breaks a rule the caller can fix. */
export class BadRequestError extends AppError {
  override name = 'BadRequestError';
  constructor(message: string, options?: AppErrorOptions) {
    super(400, 'bad_request', message, options);
  }
}

/** 400: the request failed schema validation; `issues` lists every failed field. */
export class ValidationError extends AppError {
  override name = 'ValidationError';
  readonly issues: readonly FieldIssue[];
  constructor(message: string, issues: readonly FieldIssue[], options?: AppErrorOptions) {
    super(400, 'validation_failed', message, {
      ...options,
      details: { ...options?.details, issues },
    });
    this.issues = issues;
  }
}

/** 401: the caller is not authenticated (no or bad credentials). */
export class UnauthorizedError extends AppError {
  override name = 'UnauthorizedError';
  constructor(message: string, options?: AppErrorOptions) {
    super(401, 'unauthorized', message, options);
  }
}

/** 403: the caller is authenticated but not allowed to do this. */
export class ForbiddenError extends AppError {
  override name = 'ForbiddenError';
  constructor(message: string, options?: AppErrorOptions) {
    super(403, 'forbidden', message, options);
  }
}

/** 404: the thing the caller named does not exist (or is hidden from them). */
export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  constructor(message: string, options?: AppErrorOptions) {
    super(404, 'not_found', message, options);
  }
}

/** 409: the request conflicts with the current state (duplicate title, limit reached, …). */
export class ConflictError extends AppError {
  override name = 'ConflictError';
  constructor(message: string, options?: AppErrorOptions) {
    super(409, 'conflict', message, options);
  }
}

/** 429: rate limit or lockout; `retryAfterSeconds` becomes the Retry-After header. */
export class TooManyRequestsError extends AppError {
  override name = 'TooManyRequestsError';
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, options?: AppErrorOptions & { retryAfterSeconds?: number }) {
    super(429, 'too_many_requests', message, options);
    this.retryAfterSeconds = wholeSeconds(options?.retryAfterSeconds);
  }
  override headers(): Readonly<Record<string, string>> {
    return retryAfter(this.retryAfterSeconds);
  }
}

/** 500: a bug or an unexpected failure; the message is logged, never shown. */
export class InternalError extends AppError {
  override name = 'InternalError';
  constructor(message: string, options?: AppErrorOptions) {
    super(500, 'internal', message, options);
  }
}

/**
 * 503: a dependency is down or the service is shutting down; try again
 * later — `retryAfterSeconds` (default 1) becomes the Retry-After header.
 */
export class ServiceUnavailableError extends AppError {
  override name = 'ServiceUnavailableError';
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, options?: AppErrorOptions & { retryAfterSeconds?: number }) {
    super(503, 'service_unavailable', message, options);
    this.retryAfterSeconds = wholeSeconds(options?.retryAfterSeconds ?? 1);
  }
  override headers(): Readonly<Record<string, string>> {
    return retryAfter(this.retryAfterSeconds);
  }
}

/** 504: a call to another service ran out of time. */
export class GatewayTimeoutError extends AppError {
  override name = 'GatewayTimeoutError';
  constructor(message: string, options?: AppErrorOptions) {
    super(504, 'deadline_exceeded', message, options);
  }
}

function wholeSeconds(value: number | undefined): number | undefined {
  return value === undefined || !Number.isFinite(value) ? undefined : Math.max(0, Math.ceil(value));
}

function retryAfter(seconds: number | undefined): Readonly<Record<string, string>> {
  return seconds === undefined ? {} : { 'retry-after': String(seconds) };
}
