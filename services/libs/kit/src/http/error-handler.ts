import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../errors/problem-errors.js';
import { toErrorResponse } from './problem.js';
import { pathOf } from './request-log.js';
import { toAppError } from './to-app-error.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route speaks OAuth 2.0 (token, registration, revocation, …): its
     * errors, validation failures included, are answered with the RFC 6749
     * §5.2 JSON body (`invalid_request`, …) instead of problem details.
     */
    oauth?: boolean;
  }
}

/**
 * Sends `error` the way the route expects, and logs it (5xx with stack, 503
 * as a warning, 4xx briefly).
 */
export function replyWithError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const facts = {
    oauth: request.routeOptions.config.oauth === true,
    bodyLimit: request.routeOptions.bodyLimit,
  };
  const appError = toAppError(error, facts);
  if (appError.status === 503) {
    // A dependency down, failing over or busy: the caller was told to retry.
    request.log.warn({ err: error, code: appError.code }, 'request failed: unavailable');
  } else if (appError.status >= 500) {
    request.log.error({ err: error, code: appError.code }, 'request failed');
  } else {
    request.log.info({ code: appError.code, status: appError.status }, 'request refused');
  }
  const response = toErrorResponse(appError, {
    ...facts,
    path: pathOf(request),
    requestId: request.id,
  });
  return reply
    .code(response.status)
    .headers(response.headers)
    .type(response.contentType)
    .send(response.body);
}

/**
 * Installs the one error handler and the 404 handler on a fresh instance.
 * Framework errors raised before routing (malformed URL) go through the same
 * mapping.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    if (reply.sent) {
      request.log.error({ err: error }, 'error after the response was sent');
      return;
    }
    return replyWithError(error, request, reply);
  });
  app.setNotFoundHandler((request, reply) => {
    const detail = `No route matches ${request.method} ${pathOf(request).slice(0, 200)}.`;
    return replyWithError(new NotFoundError(detail, { code: 'route_not_found' }), request, reply);
  });
}
