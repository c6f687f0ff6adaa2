import { status as GrpcStatus } from '@grpc/grpc-js';
import { AppError, type AppErrorOptions } from './app-error.js';
import { InsufficientScopeError, InvalidTokenError } from './oauth-bearer-errors.js';
import {
  InvalidClientError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  OAuthServerError,
  TemporarilyUnavailableError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
  UnsupportedTokenTypeError,
} from './oauth-errors.js';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GatewayTimeoutError,
  InternalError,
  NotFoundError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
} from './problem-errors.js';
import {
  InvalidClientMetadataError,
  InvalidRedirectUriError,
  InvalidSoftwareStatementError,
  UnapprovedSoftwareStatementError,
} from './registration-errors.js';

/**
 * Trailing-metadata key carrying an error's stable code across gRPC, so a
 * client can rebuild the same AppError (`client_limit_reached`, `invalid_client`).
 */
export const ERROR_CODE_METADATA_KEY = 'nes-error-code';

/** One row of {@link GRPC_ERROR_TABLE}. */
export interface GrpcErrorMapping {
  readonly code: string;
  readonly http: number;
  readonly grpc: GrpcStatus;
  /** Rebuilds the error on the client side. */
  readonly create: (message: string, options: AppErrorOptions) => AppError;
}

/** Any error class whose constructor takes (message, options). */
type ErrorClass = new (message: string, options: AppErrorOptions) => AppError;

/** A class for statuses that have none of their own (499, 501). */
function plain(status: number): ErrorClass {
  return class extends AppError {
    constructor(message: string, options: AppErrorOptions) {
      super(status, 'error', message, options);
    }
  };
}

/**
 * A table row. The row's code is the default, so a client rebuilding a
 * `validation_failed` error gets that code on a BadRequestError; OAuth classes
 * ignore it (their code is fixed by the RFC).
 */
function row(code: string, http: number, grpc: GrpcStatus, Class: ErrorClass): GrpcErrorMapping {
  return {
    code,
    http,
    grpc,
    create: (message, options) => new Class(message, { code, ...options }),
  };
}

const UNKNOWN_ROW = row('unknown', 500, GrpcStatus.UNKNOWN, InternalError);

/**
 * The one table between error codes, HTTP statuses and gRPC status codes.
 * Server side: an AppError's code picks its row; a code not listed falls back
 * to the first row with its HTTP status. Client side: the code from
 * {@link ERROR_CODE_METADATA_KEY} picks the row, else the first row with the
 * gRPC status. Order matters: the generic row of a status comes first.
 */
export const GRPC_ERROR_TABLE: readonly GrpcErrorMapping[] = [
  row('bad_request', 400, GrpcStatus.INVALID_ARGUMENT, BadRequestError),
  row('validation_failed', 400, GrpcStatus.INVALID_ARGUMENT, BadRequestError),
  row('out_of_range', 400, GrpcStatus.OUT_OF_RANGE, BadRequestError),
  row('unauthorized', 401, GrpcStatus.UNAUTHENTICATED, UnauthorizedError),
  row('forbidden', 403, GrpcStatus.PERMISSION_DENIED, ForbiddenError),
  row('not_found', 404, GrpcStatus.NOT_FOUND, NotFoundError),
  row('failed_precondition', 409, GrpcStatus.FAILED_PRECONDITION, ConflictError),
  row('conflict', 409, GrpcStatus.ALREADY_EXISTS, ConflictError),
  row('aborted', 409, GrpcStatus.ABORTED, ConflictError),
  row('too_many_requests', 429, GrpcStatus.RESOURCE_EXHAUSTED, TooManyRequestsError),
  row('cancelled', 499, GrpcStatus.CANCELLED, plain(499)),
  row('internal', 500, GrpcStatus.INTERNAL, InternalError),
  UNKNOWN_ROW,
  row('data_loss', 500, GrpcStatus.DATA_LOSS, InternalError),
  row('not_implemented', 501, GrpcStatus.UNIMPLEMENTED, plain(501)),
  row('service_unavailable', 503, GrpcStatus.UNAVAILABLE, ServiceUnavailableError),
  row('deadline_exceeded', 504, GrpcStatus.DEADLINE_EXCEEDED, GatewayTimeoutError),
  // OAuth 2.0 (RFC 6749 §5.2, RFC 6750 §3.1, RFC 7591 §3.2.2, RFC 7009 §2.2.1)
  row('invalid_request', 400, GrpcStatus.INVALID_ARGUMENT, InvalidRequestError),
  row('invalid_client', 401, GrpcStatus.UNAUTHENTICATED, InvalidClientError),
  row('invalid_grant', 400, GrpcStatus.INVALID_ARGUMENT, InvalidGrantError),
  row('unauthorized_client', 400, GrpcStatus.PERMISSION_DENIED, UnauthorizedClientError),
  row('unsupported_grant_type', 400, GrpcStatus.INVALID_ARGUMENT, UnsupportedGrantTypeError),
  row('invalid_scope', 400, GrpcStatus.INVALID_ARGUMENT, InvalidScopeError),
  row('invalid_token', 401, GrpcStatus.UNAUTHENTICATED, InvalidTokenError),
  row('insufficient_scope', 403, GrpcStatus.PERMISSION_DENIED, InsufficientScopeError),
  row('invalid_redirect_uri', 400, GrpcStatus.INVALID_ARGUMENT, InvalidRedirectUriError),
  row('invalid_client_metadata', 400, GrpcStatus.INVALID_ARGUMENT, InvalidClientMetadataError),
  row(
    'invalid_software_statement',
    400,
    GrpcStatus.INVALID_ARGUMENT,
    InvalidSoftwareStatementError,
  ),
  row(
    'unapproved_software_statement',
    400,
    GrpcStatus.PERMISSION_DENIED,
    UnapprovedSoftwareStatementError,
  ),
  row('unsupported_token_type', 400, GrpcStatus.INVALID_ARGUMENT, UnsupportedTokenTypeError),
  row('server_error', 500, GrpcStatus.INTERNAL, OAuthServerError),
  row('temporarily_unavailable', 503, GrpcStatus.UNAVAILABLE, TemporarilyUnavailableError),
];

const ERROR_CODE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

const byCode = new Map(GRPC_ERROR_TABLE.map((r) => [r.code, r]));

function firstRow(matches: (r: GrpcErrorMapping) => boolean): GrpcErrorMapping | undefined {
  return GRPC_ERROR_TABLE.find(matches);
}

/** The gRPC status an AppError is answered with. */
export function grpcStatusOf(error: AppError): GrpcStatus {
  const row = byCode.get(error.code) ?? firstRow((r) => r.http === error.status);
  if (row) return row.grpc;
  // Unlisted statuses: a caller-side problem is a precondition, the rest internal.
  return error.status < 500 ? GrpcStatus.FAILED_PRECONDITION : GrpcStatus.INTERNAL;
}

/**
 * Rebuilds an AppError from a gRPC status, its details and the error code the
 * server sent in trailing metadata (if any). `cause` is usually the ServiceError.
 */
export function appErrorFromGrpc(
  grpc: GrpcStatus,
  message: string,
  errorCode?: string,
  cause?: unknown,
): AppError {
  // The code comes from another process: use it only if it looks like one.
  const code =
    errorCode !== undefined && ERROR_CODE_PATTERN.test(errorCode) ? errorCode : undefined;
  const known = code === undefined ? undefined : byCode.get(code);
  const row = known ?? firstRow((r) => r.grpc === grpc) ?? UNKNOWN_ROW;
  return row.create(message, { cause, ...(code === undefined ? {} : { code }) });
}
