import { STATUS_CODES } from 'node:http';
import {
  Metadata,
  status as GrpcStatus,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import { AppError } from '../errors/app-error.js';
import { appErrorFromGrpc, ERROR_CODE_METADATA_KEY, grpcStatusOf } from '../errors/grpc-status.js';
import { dependencyUnavailable, isTransientFailure } from '../errors/transient.js';

/** The status a failed call ends with, as grpc-js takes it from an error object. */
export type CallFailure = Error & Pick<StatusObject, 'code' | 'details' | 'metadata'>;

/**
 * Server side: the gRPC status for anything a handler threw. Exposed
 * AppErrors keep their message and send their code in trailing metadata
 * (`nes-error-code`); other 5xx AppErrors and unknown errors send only a
 * generic text, so nothing internal reaches the caller (the caller logs the
 * cause). A dependency that is down or failing over is UNAVAILABLE.
 */
export function toCallFailure(error: unknown): CallFailure {
  if (!(error instanceof AppError) && isTransientFailure(error)) {
    return toCallFailure(dependencyUnavailable(error));
  }
  const metadata = new Metadata();
  if (error instanceof AppError) {
    const code = grpcStatusOf(error);
    const details = error.expose ? error.message : genericText(error.status);
    if (error.expose) metadata.set(ERROR_CODE_METADATA_KEY, error.code);
    return Object.assign(new Error(details), { code, details, metadata });
  }
  const details = 'internal error';
  return Object.assign(new Error(details), { code: GrpcStatus.INTERNAL, details, metadata });
}

function genericText(status: number): string {
  return (STATUS_CODES[status] ?? 'internal error').toLowerCase();
}

/** Whether `value` looks like a grpc-js ServiceError (a numeric `code` and `metadata`). */
function isServiceError(value: unknown): value is ServiceError {
  return (
    value instanceof Error &&
    typeof (value as Partial<ServiceError>).code === 'number' &&
    (value as Partial<ServiceError>).metadata instanceof Metadata
  );
}

/**
 * Client side: the AppError for a failed call (see GRPC_ERROR_TABLE); the
 * ServiceError is kept as `cause`. Non-gRPC errors become InternalErrors.
 */
export function appErrorFromServiceError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (!isServiceError(error))
    return appErrorFromGrpc(GrpcStatus.INTERNAL, 'gRPC call failed', undefined, error);
  const [code] = error.metadata.get(ERROR_CODE_METADATA_KEY);
  return appErrorFromGrpc(
    error.code,
    error.details,
    typeof code === 'string' ? code : undefined,
    error,
  );
}
