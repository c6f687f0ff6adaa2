import { STATUS_CODES } from 'node:http';
import type { AppError } from '../errors/app-error.js';
import { OAuthError, toErrorDescription, type OAuthErrorBody } from '../errors/oauth-errors.js';

/** RFC 9457 problem details, with NES' `code` and `requestId` extension members. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly code: string;
  readonly requestId: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Everything the HTTP layer needs to answer with an error. */
export interface ErrorResponse {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** Where the request came from, for `instance` and `requestId`. */
export interface ErrorContext {
  /** The request path, without query string (queries may carry secrets). */
  readonly path: string;
  readonly requestId: string;
  /** The route declared itself OAuth (`config: { oauth: true }`): answer RFC 6749-style. */
  readonly oauth: boolean;
}

/** Problem `type` URIs are URNs: stable identifiers, no promise of a web page behind them. */
export const PROBLEM_TYPE_PREFIX = 'urn:nes:problem:';

const GENERIC_DETAIL = 'An unexpected error occurred.';

/** Builds the problem body for an AppError; unexposed (5xx) errors get a generic detail. */
export function toProblem(error: AppError, context: ErrorContext): ProblemBody {
  const exposed = error.expose;
  return {
    type: `${PROBLEM_TYPE_PREFIX}${error.code}`,
    title: STATUS_CODES[error.status] ?? 'Error',
    status: error.status,
    detail: exposed ? error.message : GENERIC_DETAIL,
    instance: context.path,
    code: exposed ? error.code : 'internal',
    requestId: context.requestId,
    ...(exposed && error.details ? { details: error.details } : {}),
  };
}

/**
 * How to answer an AppError over HTTP: OAuthErrors with the RFC 6749 §5.2 body
 * and their headers (`Cache-Control: no-store`, challenges); any other error
 * on an OAuth route in the same JSON shape (`temporarily_unavailable` for
 * 503, `server_error` for other 5xx, its own code otherwise); everything
 * else as `application/problem+json`. Only 503 and 504 of the 5xx reveal
 * their message (see AppError.expose).
 */
export function toErrorResponse(error: AppError, context: ErrorContext): ErrorResponse {
  if (error instanceof OAuthError) {
    return oauthResponse(error.status, error.body(), error.headers());
  }
  if (context.oauth) {
    const code = oauthCodeOf(error);
    const body: OAuthErrorBody = error.expose
      ? { error: code, error_description: toErrorDescription(error.message) }
      : { error: code };
    return oauthResponse(error.status, body, { ...error.headers(), ...NO_STORE });
  }
  return {
    status: error.status,
    contentType: 'application/problem+json; charset=utf-8',
    headers: error.headers(),
    body: toProblem(error, context),
  };
}

/** The RFC 6749 §5.2 / §4.1.2.1 `error` for an AppError raised on an OAuth route. */
function oauthCodeOf(error: AppError): string {
  if (error.status === 503) return 'temporarily_unavailable';
  return error.status >= 500 ? 'server_error' : error.code;
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

function oauthResponse(
  status: number,
  body: OAuthErrorBody,
  headers: Readonly<Record<string, string>>,
): ErrorResponse {
  return { status, contentType: 'application/json; charset=utf-8', headers, body };
}
