import { InvalidRequestError, type HttpServer } from '@nes/kit';
import { ROUTES, type TokenContext } from '../context.js';
import { authenticateRequestClient } from './client-auth.js';
import { FORM_BODY_LIMIT, requireFormBody } from './form-body.js';
import {
  introspectionResponseSchema,
  oauthErrorResponses,
  tokenParameterSchema,
} from './oauth-schemas.js';

/**
 * `POST /oauth2/introspect` (RFC 7662). The caller authenticates as a client;
 * it learns about its own tokens only — unless configured as privileged (a
 * resource server) — and every other answer is `{"active": false}` (§2.2),
 * the same as for invalid, expired and revoked tokens.
 */
export function addIntrospectionRoute(app: HttpServer, context: TokenContext): void {
  const privileged = new Set(context.config.introspection.privilegedClients ?? []);
  app.post(
    ROUTES.introspection,
    {
      config: { oauth: true },
      bodyLimit: FORM_BODY_LIMIT,
      preValidation: requireFormBody,
      schema: {
        summary: 'Introspect an access token (RFC 7662)',
        tags: ['oauth'],
        body: tokenParameterSchema,
        response: { 200: introspectionResponseSchema, ...oauthErrorResponses },
      },
    },
    async (request, reply) => {
      const { client } = await authenticateRequestClient(context, request, request.body);
      const token = request.body.token;
      if (token === undefined || token === '') throw new InvalidRequestError('token is required');
      void reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' });
      const claims = await context.tokens.verify(token);
      const visible =
        claims !== undefined &&
        (claims.client_id === client.clientId || privileged.has(client.clientId));
      if (!visible || (await context.revocations.isRevoked(claims.jti))) {
        context.metrics.introspection('inactive');
        return { active: false };
      }
      context.metrics.introspection('active');
      return {
        active: true,
        scope: claims.scope,
        client_id: claims.client_id,
        token_type: 'Bearer' as const,
        exp: claims.exp,
        iat: claims.iat,
        sub: claims.sub,
        aud: claims.aud,
        iss: claims.iss,
        jti: claims.jti,
      };
    },
  );
}
