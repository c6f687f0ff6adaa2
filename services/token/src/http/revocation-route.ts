import { InvalidRequestError, type HttpServer } from '@nes/kit';
import { z } from 'zod';
import { ROUTES, type TokenContext } from '../context.js';
import { authenticateRequestClient } from './client-auth.js';
import { FORM_BODY_LIMIT, requireFormBody } from './form-body.js';
import { oauthErrorResponses, tokenParameterSchema } from './oauth-schemas.js';
import { sendEmpty } from './raw-reply.js';

/**
 * `POST /oauth2/revoke` (RFC 7009). A client revokes its own access tokens;
 * the token is refused (introspection `active: false`, and by resource
 * servers that check revocation) until it expires. Invalid and expired
 * tokens, and tokens of other clients, are answered 200 without effect
 * (§2.2), so the endpoint tells nobody anything about tokens not their own.
 * The hint is only a hint (§2.1): this service has access tokens only.
 */
export function addRevocationRoute(app: HttpServer, context: TokenContext): void {
  app.post(
    ROUTES.revocation,
    {
      config: { oauth: true },
      bodyLimit: FORM_BODY_LIMIT,
      preValidation: requireFormBody,
      schema: {
        summary: 'Revoke an access token (RFC 7009)',
        tags: ['oauth'],
        body: tokenParameterSchema,
        response: { 200: z.null(), ...oauthErrorResponses },
      },
    },
    async (request, reply) => {
      const { client } = await authenticateRequestClient(context, request, request.body);
      const token = request.body.token;
      if (token === undefined || token === '') throw new InvalidRequestError('token is required');
      const claims = await context.tokens.verify(token);
      if (claims !== undefined && claims.client_id === client.clientId) {
        await context.revocations.revoke(claims.jti, claims.exp);
        context.metrics.revocation('revoked');
        request.log.info({ jti: claims.jti, clientId: client.clientId }, 'access token revoked');
      } else {
        context.metrics.revocation('ignored');
      }
      void reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' });
      sendEmpty(reply.code(200));
    },
  );
}
