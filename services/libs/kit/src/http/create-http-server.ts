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
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

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
  const app = Fastify({
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
    requestTimeout: 30_000,
    trustProxy: options.trustProxy === undefined ? false : toTrustProxy(options.trustProxy),
    // Errors fastify raises before routing (malformed URL) get a problem body too.
    frameworkErrors: (error, request, reply) => {
      replyWithError(error, request, reply);
    },
  }).withTypeProvider<ZodTypeProvider>();

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
  app.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        method: request.method,
        // Unmatched URLs share one label value: arbitrary paths must not mint series.
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
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
  return app;
}

function toTrustProxy(value: boolean | string | readonly string[]): boolean | string | string[] {
  return typeof value === 'boolean' || typeof value === 'string' ? value : [...value];
}
