import { AppError, ConflictError, NotFoundError, OAuthError, type AppErrorOptions } from '@nes/kit';

/**
 * Errors particular to this service. The RFC-defined ones come from
 * @nes/kit; these add the cases the guide and the admin API need.
 */

/** 410: the CRT's value is no longer held (TTL passed, or the CRT was revoked or deleted). */
export class GoneError extends AppError {
  override name = 'GoneError';
  constructor(message: string, options?: AppErrorOptions) {
    super(410, 'gone', message, options);
  }
}

/**
 * 403 `access_denied`: the CRT is valid but has registered as many clients as
 * it may. OAuth-shaped (RFC 6749 §5.2 body); `access_denied` because the
 * server refuses a request that is otherwise in order — the token is neither
 * invalid (401 would tell the device to get a new one for the wrong reason)
 * nor short of a scope.
 */
export class ClientLimitReachedError extends OAuthError {
  override name = 'ClientLimitReachedError';
  constructor(description: string) {
    super(403, 'access_denied', description);
  }
}

/** 404 for a CRT that does not exist or was deleted. */
export function crtNotFound(id: string): NotFoundError {
  return new NotFoundError(`Client registration token '${id.slice(0, 64)}' not found.`, {
    code: 'crt_not_found',
  });
}

/** 404 for a client that does not exist or was deleted. */
export function clientNotFound(id: string): NotFoundError {
  return new NotFoundError(`Client '${id.slice(0, 64)}' not found.`, { code: 'client_not_found' });
}

/** 409 for an operation the CRT's status does not allow. */
export function crtStateConflict(id: string, status: string, action: string): ConflictError {
  return new ConflictError(`Client registration token '${id}' is ${status}; ${action}.`, {
    code: `crt_${status}`,
    details: { status },
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `value` is a lower-case UUID (how ids are issued and must be sent). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
