import { oauthErrorSchema } from '@nes/kit';
import { z } from 'zod';
import { credentialFields } from './client-auth.js';

/**
 * Request and response schemas of the OAuth endpoints. Every string is
 * bounded; unknown parameters are dropped (RFC 6749 §3.2: ignored).
 */

const bounded = (max: number) => z.string().max(max).optional();

const credentials = {
  client_id: bounded(credentialFields.client_id),
  client_secret: bounded(credentialFields.client_secret),
  client_assertion: bounded(credentialFields.client_assertion),
  client_assertion_type: bounded(credentialFields.client_assertion_type),
};

/** Longest `scope` a token request may carry. */
export const MAX_SCOPE_LENGTH = 1024;

/** RFC 6749 §4.4.2 token request (client_credentials), form-encoded. */
export const tokenRequestSchema = z.object({
  grant_type: bounded(64),
  scope: bounded(MAX_SCOPE_LENGTH),
  ...credentials,
});

/** RFC 6749 §5.1 successful token response. */
export const tokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    scope: z.string(),
  })
  .meta({ id: 'TokenResponse' });

/** RFC 7662 §2.1 / RFC 7009 §2.1 request: the token and an optional hint. */
export const tokenParameterSchema = z.object({
  token: bounded(8192),
  token_type_hint: bounded(64),
  ...credentials,
});

/** RFC 7662 §2.2 introspection response. */
export const introspectionResponseSchema = z
  .object({
    active: z.boolean(),
    scope: z.string().optional(),
    client_id: z.string().optional(),
    token_type: z.literal('Bearer').optional(),
    exp: z.number().int().optional(),
    iat: z.number().int().optional(),
    sub: z.string().optional(),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
    iss: z.string().optional(),
    jti: z.string().optional(),
  })
  .meta({ id: 'IntrospectionResponse' });

/** The error responses every OAuth endpoint declares. */
export const oauthErrorResponses = {
  400: oauthErrorSchema,
  401: oauthErrorSchema,
  429: oauthErrorSchema,
  500: oauthErrorSchema,
  503: oauthErrorSchema,
} as const;
