import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../log/create-logger.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `'failures'`: the route's successful (< 400) requests are logged at
     * debug, refused and failed ones at info as usual. For hot routes whose
     * successes are counted in metrics (a line per success would cost more
     * than the work itself); errors are still logged by the error handler.
     * Default `'all'`.
     */
    requestLog?: 'all' | 'failures';
  }
}

/** Routes probed every few seconds: logged at debug so they do not drown the log. */
export const OPS_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** The request path without its query string (queries may carry tokens). */
export function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const end = url.indexOf('?');
  return (end === -1 ? url : url.slice(0, end)).slice(0, 512);
}

/**
 * One line per request instead of fastify's two ("incoming request" and
 * "request completed"), with the route pattern, status and duration; no
 * headers, no query string. Errors are logged by the error handler.
 */
export class RequestLogController extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'requestId' });
  }

  override incomingRequest(): void {
    // Nothing: the completion line carries everything.
  }

  override requestCompleted(
    _error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const route = request.routeOptions.url;
    const quiet =
      (route !== undefined && OPS_ROUTES.has(route)) ||
      (reply.statusCode < 400 && request.routeOptions.config.requestLog === 'failures');
    // Nothing to build when the line would be dropped anyway.
    if (quiet && !(request.log as Logger).isLevelEnabled('debug')) return;
    const fields = {
      method: request.method,
      route: route ?? null,
      path: pathOf(request),
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (quiet) request.log.debug(fields, 'request completed');
    else request.log.info(fields, 'request completed');
  }

  override routeNotFound(): void {
    // Our 404 handler answers with a problem; the completion line logs it.
  }

  // fastify's own versions of the next two log whole request/reply objects
  // (raw headers included); ours log the error only.
  override streamError(error: Error, request: FastifyRequest): void {
    request.log.warn({ err: error }, 'response stream failed');
  }

  override writeHeadError(error: Error, request: FastifyRequest): void {
    request.log.warn({ err: error }, 'writing response headers failed');
  }
}
