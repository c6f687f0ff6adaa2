import { STATUS_CODES } from 'node:http';
import type { FastifySchemaValidationError } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { InvalidRequestError } from '../errors/oauth-errors.js';
import { InternalError, ValidationError, type FieldIssue } from '../errors/problem-errors.js';
import { dependencyUnavailable, isTransientFailure } from '../errors/transient.js';

/** What the error handler knows about the request an error belongs to. */
export interface RequestFacts {
  readonly oauth: boolean;
  readonly bodyLimit: number;
}

/** Fastify's framework errors carry a code and a 4xx/5xx status. */
interface FrameworkError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly validation?: readonly FastifySchemaValidationError[];
  readonly validationContext?: string;
}

/**
 * Turns anything thrown during a request into an AppError: AppErrors pass
 * through; fastify's validation and body-parsing errors become 4xx with our
 * own wording (their text is never echoed: it may quote the body); a
 * dependency that is down or failing over (`isTransientFailure`) is a 503
 * with Retry-After, which clients retry; anything else is a 500. Both keep
 * the original as `cause` for the log.
 */
export function toAppError(error: unknown, facts: RequestFacts): AppError {
  if (error instanceof AppError) return error;
  const framework = (typeof error === 'object' && error !== null ? error : {}) as FrameworkError;
  if (Array.isArray(framework.validation) && framework.validation.length > 0) {
    return validationError(framework.validation, framework.validationContext, facts, error);
  }
  const status = typeof framework.statusCode === 'number' ? framework.statusCode : 500;
  if (status >= 400 && status < 500) {
    const [code, message] = describeClientError(framework.code, status, facts.bodyLimit);
    return facts.oauth
      ? new InvalidRequestError(message, { cause: error })
      : new AppError(status, code, message, { cause: error });
  }
  if (isTransientFailure(error)) return dependencyUnavailable(error);
  return new InternalError('unexpected error', { cause: error });
}

function validationError(
  validation: readonly FastifySchemaValidationError[],
  context: string | undefined,
  facts: RequestFacts,
  cause: unknown,
): AppError {
  const issues: FieldIssue[] = validation.slice(0, 20).map((v) => ({
    path: `/${context ?? 'request'}${v.instancePath === '/' ? '' : v.instancePath}`,
    message: v.message ?? 'invalid',
  }));
  const first = issues[0];
  if (facts.oauth) {
    return new InvalidRequestError(first ? `${first.path}: ${first.message}` : 'invalid request', {
      cause,
    });
  }
  return new ValidationError('The request does not match the schema.', issues, { cause });
}

function describeClientError(code: unknown, status: number, bodyLimit: number): [string, string] {
  switch (code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return ['invalid_json', 'The request body is not valid JSON.'];
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ['invalid_json', 'The request body is empty but its Content-Type is JSON.'];
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ['payload_too_large', `The request body is larger than ${bodyLimit} bytes.`];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ['unsupported_media_type', 'The request Content-Type is not accepted here.'];
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ['bad_request', 'The request body size does not match its Content-Length.'];
    case 'FST_ERR_BAD_URL':
      return ['bad_request', 'The request URL is malformed.'];
    default:
      return [
        status === 400 ? 'bad_request' : snake(STATUS_CODES[status]),
        STATUS_CODES[status] ?? 'Bad request',
      ];
  }
}

function snake(text: string | undefined): string {
  return (text ?? 'bad request').toLowerCase().replace(/[^a-z0-9]+/g, '_');
}
