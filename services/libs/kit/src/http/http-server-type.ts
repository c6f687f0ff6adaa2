import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { TraceParent } from './traceparent.js';

/** The fastify instance every NES HTTP service gets: HTTP/1.1, zod type provider. */
export type HttpServer = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's W3C trace context, when it sent a valid `traceparent`. */
    trace: TraceParent | undefined;
  }
}
