import { z } from 'zod';
import type { Readiness, ReadinessReport } from '../lifecycle/readiness.js';
import type { Metrics } from '../metrics/create-metrics.js';
import type { HttpServer } from './http-server-type.js';

const healthBody = z.object({ status: z.literal('ok') });

const readyBody = z.object({
  status: z.enum(['ready', 'degraded', 'not_ready', 'shutting_down']),
  checks: z.record(
    z.string(),
    z.object({
      ok: z.boolean(),
      required: z.boolean(),
      durationMs: z.number(),
      error: z.string().optional(),
    }),
  ),
});

/**
 * The operational endpoints every service has, hidden from the OpenAPI
 * document: `/healthz` (the process is alive and serving HTTP), `/readyz`
 * (required dependencies answer and no shutdown began; 503 otherwise, with
 * one entry per check; 200 `degraded` when only a check that is not required
 * fails), `/metrics` (Prometheus text) and `/openapi.json`.
 */
export function addOpsRoutes(app: HttpServer, readiness: Readiness, metrics: Metrics): void {
  app.get('/healthz', { schema: { hide: true, response: { 200: healthBody } } }, () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/readyz',
    { schema: { hide: true, response: { 200: readyBody, 503: readyBody } } },
    async (_request, reply) => {
      // Once shutdown began the answer is known; don't probe closing pools.
      if (readiness.shuttingDown)
        return reply.code(503).send({ status: 'shutting_down', checks: {} });
      const report = await readiness.check();
      const checks = Object.fromEntries(
        report.checks.map(({ name, ok, required, durationMs, error }) => [
          name,
          error === undefined ? { ok, required, durationMs } : { ok, required, durationMs, error },
        ]),
      );
      return reply.code(report.ready ? 200 : 503).send({ status: statusOf(report), checks });
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}

function statusOf(report: ReadinessReport): 'ready' | 'degraded' | 'not_ready' | 'shutting_down' {
  if (report.shuttingDown) return 'shutting_down';
  if (!report.ready) return 'not_ready';
  return report.degraded ? 'degraded' : 'ready';
}
