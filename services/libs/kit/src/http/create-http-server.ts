import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Readiness } from '../lifecycle/readiness.js';
import type { Logger } from '../log/create-logger.js';
import type { Metrics } from '../metrics/create-metrics.js';
import { clientErrorHandler } from './client-error.js';
import { installErrorHandling, replyWithError } from './error-handler.js';
import type { HttpServer } from './http-server-type.js';
import { addOpsRoutes } from './ops-routes.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';
import { RequestLogController } from './request-log.js';
import { parseTraceparent } from './traceparent.js';

/** Options of {@link createHttpServer}. */
export interface CreateHttpServerOptions {
  /** From `httpSection()`; only the body limit is used here (listen with port/host yourself). */
  readonly config: { readonly bodyLimitBytes?: number };
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  /** The document served at `/openapi.json`. */
  readonly openapi: {
    readonly title: string;
    readonly version: string;
    readonly description?: string;
  };
  /** Honour X-Forwarded-* from these proxies (fastify `trustProxy`). Default false. */
  readonly trustProxy?: boolean | string | readonly string[];
  /**
   * A hot route's own handler, offered every request before fastify: it
   * returns true when it took the request (and answers it itself), false to
   * leave it to fastify. Built once the instance exists (so it can hand a
   * request back with `app.inject`); `observe` records its answers in the
   * same request-duration histogram as fastify's.
   */
  readonly preRouting?: (app: HttpServer, observe: ObserveRequest) => PreRoutingHandler;
}

/** Takes a raw request before fastify, or declines it (false). */
export type PreRoutingHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/** Records one answered request in `http_request_duration_seconds`. */
export type ObserveRequest = (
  method: string,
  route: string,
  statusCode: number,
  seconds: number,
) => void;

const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Headers and body of a request within this long (bounds slow clients). */
const REQUEST_TIMEOUT_MS = 30_000;
/** fastify's default idle keep-alive. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;
/** How often a closing server closes the connections that have become idle. */
const IDLE_SWEEP_MS = 100;

/**
 * Builds a fastify 5 instance with NES' conventions, before any route is
 * added: zod validation and serialization, request ids (`x-request-id`,
 * honoured when sane, echoed back), W3C `traceparent` on the request logger,
 * one error handler (problem details, or RFC 6749 bodies on `oauth` routes),
 * the 404 handler, a request duration histogram, and `/healthz`, `/readyz`,
 * `/metrics`, `/openapi.json`. Register routes on the result, then listen.
 */
export async function createHttpServer(options: CreateHttpServerOptions): Promise<HttpServer> {
  // Typed as fastify's base logger so the instance type stays the plain one.
  const logger: FastifyBaseLogger = options.logger.child({ subsystem: 'http' });
  // Built once the instance exists (see the end); the server consults it per request.
  const front: { handler?: PreRoutingHandler } = {};
  const app = Fastify({
    // The HTTP/1 server fastify would create (same timeouts), with the
    // pre-routing handler, if any, in front.
    serverFactory: (handler) => {
      const server = createServer((request, response) => {
        if (front.handler?.(request, response) !== true) handler(request, response);
      });
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.requestTimeout = REQUEST_TIMEOUT_MS;
      return server;
    },
    loggerInstance: logger,
    logController: new RequestLogController(),
    bodyLimit: options.config.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    requestIdHeader: false,
    genReqId: (raw) => requestIdFrom(raw.headers[REQUEST_ID_HEADER]),
    childLoggerFactory: (parent, bindings, childOptions, raw) => {
      const trace = parseTraceparent(raw.headers.traceparent);
      // Every request builds one: no copy of the bindings unless there is a trace to add.
      if (trace === undefined) return parent.child(bindings, childOptions);
      return parent.child(
        { ...bindings, traceId: trace.traceId, parentSpanId: trace.parentId },
        childOptions,
      );
    },
    // Bounds on slow clients: headers+body within 30 s.
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    trustProxy: options.trustProxy === undefined ? false : toTrustProxy(options.trustProxy),
    // Errors fastify raises before routing (malformed URL) get a problem body too,
    // and so do requests Node's parser refuses before fastify sees them.
    frameworkErrors: (error, request, reply) => {
      replyWithError(error, request, reply);
    },
    clientErrorHandler: clientErrorHandler(logger, options.metrics),
  }).withTypeProvider<ZodTypeProvider>();

  // fastify's close() closes the connections that are idle when it begins and
  // answers requests arriving later with 503 and `connection: close`. A
  // keep-alive connection whose request was in flight becomes idle only after
  // that, and would stay open until its keep-alive timeout (72 s), holding
  // close() — and a pod's graceful shutdown — as long. Swept while closing.
  app.addHook('preClose', (done) => {
    const { server } = app;
    if (server.listening) {
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS).unref();
      server.once('close', () => clearInterval(sweep));
    }
    done();
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);

  app.decorateRequest('trace', undefined);
  app.addHook('onRequest', (request, reply, done) => {
    request.trace = parseTraceparent(request.headers.traceparent);
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });

  const duration = options.metrics.histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route pattern, method and status code',
    labelNames: ['method', 'route', 'status_code'],
  });
  // Children resolved once per (method, route, status): label hashing stays
  // off the per-request path (routes are patterns, methods and codes few).
  const durationChildren = new Map<string, { observe(seconds: number): void }>();
  const observeRequest: ObserveRequest = (method, route, statusCode, seconds) => {
    const key = `${method} ${statusCode} ${route}`;
    let child = durationChildren.get(key);
    if (child === undefined) {
      child = duration.labels(method, route, String(statusCode));
      durationChildren.set(key, child);
    }
    child.observe(seconds);
  };
  app.addHook('onResponse', (request, reply, done) => {
    observeRequest(
      request.method,
      // Unmatched URLs share one label value: arbitrary paths must not mint series.
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.openapi.title,
        version: options.openapi.version,
        ...(options.openapi.description ? { description: options.openapi.description } : {}),
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  addOpsRoutes(app, options.readiness, options.metrics);
  front.handler = options.preRouting?.(app, observeRequest);
  return app;
}

function toTrustProxy(value: boolean | string | readonly string[]): boolean | string | string[] {
  return typeof value === 'boolean' || typeof value === 'string' ? value : [...value];
}
