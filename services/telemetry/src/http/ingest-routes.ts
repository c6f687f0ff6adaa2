import { requireAccessToken } from '@nes/auth';
import { AppError, oauthErrorSchema, problemSchema, type HttpServer } from '@nes/kit';
import { z } from 'zod';
import type { TelemetryContext } from '../context.js';
import { ingestBatch } from '../operations/ingest-batch.js';

const ingestedEvent = z.object({
  index: z.number().int(),
  eventId: z.string().describe("The device's own event id"),
  id: z.string().describe('The CloudEvents id of the event on nes.audit.v1'),
  status: z.enum(['accepted', 'duplicate']),
});

const ingestResponse = z.object({
  accepted: z.number().int().describe('Events stored now'),
  duplicates: z.number().int().describe('Events received before (retries): not stored again'),
  events: z.array(ingestedEvent),
});

const batchBody = z
  .unknown()
  .describe(
    '{"events": [ … ]}: 1 to NES_TEL_INGEST_MAX_EVENTS device audit events (see README: eventId, eventType, eventTime, category, subCategory, producer, severity, …)',
  );

/**
 * POST /telemetry/v1/events: a device reports a batch of audit events.
 * Bearer access token with the device scope; identity fields come from the
 * registered client. 202 once the batch is durable in the outbox.
 */
export function addIngestRoutes(app: HttpServer, context: TelemetryContext): void {
  const onRequest = requireAccessToken(context.verifier, {
    scopes: [context.config.auth.deviceScope],
  });
  app.post(
    '/telemetry/v1/events',
    {
      // Before the body is read: unauthenticated requests cost no parsing.
      onRequest,
      bodyLimit: context.config.http.bodyLimitBytes,
      schema: {
        tags: ['Device telemetry'],
        summary: 'Report a batch of audit events (all or nothing; idempotent per event id)',
        body: batchBody,
        response: {
          202: ingestResponse,
          400: problemSchema,
          401: oauthErrorSchema,
          403: oauthErrorSchema,
          413: problemSchema,
          415: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const type = request.headers['content-type'] ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        throw new AppError(415, 'unsupported_media_type', 'The body must be application/json.');
      }
      const claims = request.accessToken;
      if (claims === undefined) throw new Error('access token missing after its check');
      try {
        const result = await ingestBatch(context, {
          body: request.body,
          clientId: claims.clientId,
          requestId: request.id,
          clientIp: request.ip,
          trace: request.trace,
        });
        return await reply.code(202).send({ ...result, events: [...result.events] });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string') context.metrics.refused(code);
        throw error;
      }
    },
  );
}
