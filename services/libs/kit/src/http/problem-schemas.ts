import { z } from 'zod';

/**
 * Zod schemas of the error bodies the kit sends, for routes to declare in
 * their `response` map (`400: problemSchema`) so the OpenAPI document shows
 * them. They describe exactly what `toErrorResponse` produces.
 */

/** RFC 9457 problem details with NES' `code` and `requestId` members. */
export const problemSchema = z
  .object({
    type: z.string().describe('A URN naming the kind of problem: urn:nes:problem:<code>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().describe('The request path'),
    code: z.string().describe('Stable machine-readable error code'),
    requestId: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'Problem' });

/** RFC 6749 §5.2 error body. */
export const oauthErrorSchema = z
  .object({
    error: z.string(),
    error_description: z.string().optional(),
  })
  .meta({ id: 'OAuthError' });
