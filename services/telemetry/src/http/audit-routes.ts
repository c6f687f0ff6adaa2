import { Readable } from 'node:stream';
import { problemSchema, ServiceUnavailableError, type HttpServer } from '@nes/kit';
import { z } from 'zod';
import { analystAuthentication } from '../auth/analyst-auth.js';
import type { TelemetryContext } from '../context.js';
import { csvHeader, csvLine } from '../domain/csv.js';
import { decodeCursor, encodeCursor, logFilterQuery, toLogFilter } from '../domain/log-filter.js';
import { queryLogPage, streamLog, type LogEntry } from '../db/log-queries.js';

/** A telemetry.log row in the API. */
export const logEntrySchema = z
  .object({
    id: z.string().describe('Row id (telemetry.log ID)'),
    eventId: z.string().describe('CloudEvents id on nes.audit.v1'),
    timestamp: z.string().describe('When NES recorded the event (UTC)'),
    severity: z.string(),
    level: z.string(),
    message: z.string(),
    exception: z.string().nullable(),
    traceId: z.string().nullable(),
    spanId: z.string().nullable(),
    source: z.string(),
    serviceName: z.string(),
    clientIp: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()).describe("The guide's Attributes JSON"),
    createdAt: z.string(),
    modifiedAt: z.string(),
  })
  .meta({ id: 'LogEntry' });

const pageQuery = logFilterQuery.extend({
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  cursor: z.string().max(300).optional(),
});

const exportQuery = logFilterQuery.extend({
  format: z.enum(['ndjson', 'csv']).default('ndjson'),
  limit: z.coerce.number().int().min(1).optional(),
});

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema };

/**
 * The analysts' read-only API over telemetry.log: pages (keyset, newest
 * first) and exports (NDJSON or CSV, oldest first, streamed from a
 * server-side cursor).
 */
export function addAuditRoutes(app: HttpServer, context: TelemetryContext): void {
  const onRequest = analystAuthentication({
    keys: context.config.analysts.apiKeys ?? [],
    verifier: context.verifier,
    scope: context.config.auth.analystScope,
  });
  const tags = ['Audit'];
  let exportsRunning = 0;

  app.get(
    '/audit/v1/events',
    {
      onRequest,
      schema: {
        tags,
        summary:
          'Activity by user, authenticator, client, host, event type and time (newest first)',
        querystring: pageQuery,
        response: {
          200: z.object({ items: z.array(logEntrySchema), nextCursor: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { limit, cursor, ...filterQuery } = request.query;
      const filter = toLogFilter(filterQuery);
      const pageSize = Math.min(limit, context.config.query.maxPageSize);
      const page = await queryLogPage(
        context.queryPool,
        filter,
        decodeCursor(cursor, filter),
        pageSize,
      );
      request.log.info({ analyst: request.analyst, rows: page.entries.length }, 'audit query');
      return {
        items: page.entries,
        nextCursor: page.next === undefined ? null : encodeCursor(page.next, filter),
      };
    },
  );

  app.get(
    '/audit/v1/export',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Export matching rows as NDJSON or CSV (oldest first, streamed)',
        querystring: exportQuery,
        response: {
          200: z.unknown().describe('application/x-ndjson or text/csv, streamed'),
          ...errors,
          503: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const { format, limit, ...filterQuery } = request.query;
      const filter = toLogFilter(filterQuery);
      if (exportsRunning >= context.config.query.maxConcurrentExports) {
        throw new ServiceUnavailableError('Too many exports are running; try again shortly.', {
          code: 'exports_busy',
          retryAfterSeconds: 5,
        });
      }
      exportsRunning += 1;
      let cursor: Awaited<ReturnType<typeof streamLog>>;
      try {
        cursor = await streamLog(context.queryPool, filter, {
          timeoutMs: context.config.query.exportTimeoutMs,
          ...(limit === undefined ? {} : { limit }),
        });
      } catch (error) {
        exportsRunning -= 1;
        throw error;
      }
      request.log.info({ analyst: request.analyst, format }, 'audit export started');
      let rows = 0;
      async function* lines(): AsyncGenerator<string> {
        let failure: unknown;
        try {
          if (format === 'csv') yield csvHeader();
          for await (const entry of cursor.rows) {
            rows += 1;
            yield format === 'csv'
              ? csvLine(entry)
              : `${JSON.stringify(entry satisfies LogEntry)}\n`;
          }
        } catch (error) {
          failure = error;
          throw error;
        } finally {
          // Also runs when the client goes away (the stream is destroyed mid-way).
          await cursor.done(failure);
          exportsRunning -= 1;
          context.metrics.exported(format, rows);
          request.log.info({ analyst: request.analyst, format, rows }, 'audit export ended');
        }
      }
      const body = Readable.from(lines(), { objectMode: false });
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header(
          'content-disposition',
          `attachment; filename="nes-audit.${format === 'csv' ? 'csv' : 'ndjson'}"`,
        )
        .header('cache-control', 'no-store')
        .send(body);
    },
  );
}
