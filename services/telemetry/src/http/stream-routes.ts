import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { problemSchema, ServiceUnavailableError, type HttpServer } from '@nes/kit';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { analystAuthentication } from '../auth/analyst-auth.js';
import type { TelemetryContext } from '../context.js';
import {
  formatTailPosition,
  logFilterQuery,
  parseTailPosition,
  toLogFilter,
  type LogFilter,
  type TailPosition,
} from '../domain/log-filter.js';
import { currentTailPosition, tailLog } from '../db/log-queries.js';

/** Rows read per poll at most. */
const PAGE = 500;
/** Consecutive failed polls after which a stream is closed (the client resumes). */
const MAX_FAILURES = 5;

const streamQuery = logFilterQuery.extend({
  lastEventId: z
    .string()
    .max(64)
    .optional()
    .describe('Resume after this event id (for clients that cannot send Last-Event-ID)'),
});

/** The open live-tail streams, closed first on shutdown. */
export interface LiveStreams {
  /** Ends every open stream (their clients reconnect elsewhere with Last-Event-ID). */
  closeAll(): Promise<void>;
}

/**
 * GET /audit/v1/stream: Server-Sent Events of new telemetry.log rows that
 * match the same filters as the query API. Each event's id is its position
 * (`<txid>-<row id>`); a client that reconnects with `Last-Event-ID` gets
 * every matching row after it, none twice and none missed (see `tailLog`).
 * Without one, the stream starts at the present.
 */
export function addStreamRoutes(app: HttpServer, context: TelemetryContext): LiveStreams {
  const onRequest = analystAuthentication({
    keys: context.config.analysts.apiKeys ?? [],
    verifier: context.verifier,
    scope: context.config.auth.analystScope,
  });
  const open = new Map<AbortController, Promise<void>>();

  app.get(
    '/audit/v1/stream',
    {
      onRequest,
      schema: {
        tags: ['Audit'],
        summary: 'Live tail of the telemetry log (text/event-stream), resumable with Last-Event-ID',
        querystring: streamQuery,
        response: {
          400: problemSchema,
          401: problemSchema,
          403: problemSchema,
          503: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const { lastEventId, ...filterQuery } = request.query;
      const filter = toLogFilter(filterQuery);
      const header = request.headers['last-event-id'];
      const resume = parseTailPosition(typeof header === 'string' ? header : lastEventId);
      if (open.size >= context.config.query.maxStreams) {
        throw new ServiceUnavailableError('Too many live streams are open; try again shortly.', {
          code: 'streams_busy',
          retryAfterSeconds: 5,
        });
      }
      const start = resume ?? (await currentTailPosition(context.queryPool));
      const controller = new AbortController();
      void reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      response.write('retry: 2000\n\n');
      request.raw.on('close', () => controller.abort());
      context.metrics.streams(1);
      const log = request.log.child({ analyst: request.analyst });
      log.info('live stream opened');
      const running = pump(context, filter, start, response, controller.signal, log).finally(() => {
        open.delete(controller);
        context.metrics.streams(-1);
        response.end();
        log.info('live stream closed');
      });
      open.set(controller, running);
      await running;
    },
  );

  return {
    async closeAll() {
      for (const controller of open.keys()) controller.abort();
      await Promise.allSettled([...open.values()]);
    },
  };
}

async function pump(
  context: TelemetryContext,
  filter: LogFilter,
  start: TailPosition,
  response: ServerResponse,
  signal: AbortSignal,
  log: FastifyBaseLogger,
): Promise<void> {
  const { streamPollMs, streamHeartbeatMs } = context.config.query;
  let position = start;
  let lastWrite = Date.now();
  let failures = 0;
  while (!signal.aborted) {
    let more = false;
    try {
      const { entries, next } = await tailLog(context.queryPool, filter, position, PAGE);
      failures = 0;
      for (const entry of entries) {
        const { position: at, ...row } = entry;
        const frame = `id: ${formatTailPosition(at)}\nevent: telemetry\ndata: ${JSON.stringify(row)}\n\n`;
        if (!response.write(frame)) await drained(response, signal);
        lastWrite = Date.now();
      }
      if (entries.length === 0 && formatTailPosition(next) !== formatTailPosition(position)) {
        // Nothing matched, but the tail moved on: tell the client where it is.
        response.write(`id: ${formatTailPosition(next)}\n\n`);
      }
      position = next;
      more = entries.length >= PAGE;
    } catch (error) {
      failures += 1;
      log.warn({ err: error, failures }, 'live stream poll failed');
      if (failures >= MAX_FAILURES) return;
    }
    if (Date.now() - lastWrite >= streamHeartbeatMs) {
      response.write(': keep-alive\n\n');
      lastWrite = Date.now();
    }
    if (!more) await sleep(streamPollMs, signal);
  }
}

async function drained(response: ServerResponse, signal: AbortSignal): Promise<void> {
  await once(response, 'drain', { signal }).catch(() => undefined);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
