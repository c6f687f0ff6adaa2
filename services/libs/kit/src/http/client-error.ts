import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { Metrics } from '../metrics/create-metrics.js';
import { AppError } from '../errors/app-error.js';
import { toProblem } from './problem.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';

/** What to answer a request Node's HTTP parser refused. */
function classify(code: string | undefined): { status: number; code: string; detail: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'headers_too_large',
        detail:
          'The request line and headers exceed the limit of 16 KiB; shorten the URL or the headers.',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: 'request_timeout',
        detail: 'The request was not received in time.',
      };
    default:
      return {
        status: 400,
        code: 'malformed_request',
        detail: 'The request is not valid HTTP/1.1.',
      };
  }
}

/**
 * Answers requests that never reach fastify — headers over Node's 16 KiB,
 * a request line or header that does not parse, headers too slow to arrive —
 * with a problem body like every other refusal (fastify's default is a JSON
 * shape of its own), then closes the connection: after a parse error the
 * rest of the stream cannot be trusted. Nothing of the request is logged or
 * echoed (its headers may hold credentials), only Node's error code.
 */
export function clientErrorHandler(
  logger: FastifyBaseLogger,
  metrics: Metrics,
): (error: NodeJS.ErrnoException, socket: Socket) => void {
  const refused = metrics.counter({
    name: 'http_malformed_requests_total',
    help: 'Requests refused by the HTTP parser before routing, by problem code',
    labelNames: ['code'],
  });
  return (error, socket) => {
    // The peer went away, cannot be written to, or is being sent an earlier
    // response (keep-alive) whose bytes an answer here would corrupt: close.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    const { status, code, detail } = classify(error.code);
    const requestId = requestIdFrom(undefined);
    const title = STATUS_CODES[status] ?? 'Error';
    // No route and no trustworthy path: the occurrence is named by its id.
    const problem = toProblem(new AppError(status, code, detail), {
      path: `urn:nes:request:${requestId}`,
      requestId,
      oauth: false,
    });
    const body = JSON.stringify(problem);
    refused.inc({ code });
    logger.debug({ errorCode: error.code, status, requestId }, 'refused a malformed request');
    // Closed for good once the answer is flushed: a peer that never closes its
    // side must not hold the connection (and a graceful shutdown) open.
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nconnection: close\r\n` +
        `content-type: application/problem+json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  };
}
