import {
  InvalidRequestError,
  isAppError,
  UnsupportedGrantTypeError,
  type HttpServer,
} from '@nes/kit';
import type { TokenContext } from '../context.js';
import { ROUTES } from '../context.js';
import { grantedScope } from '../domain/scopes.js';
import { ClientAuthThrottledError } from '../errors.js';
import { authenticateRequestClient } from './client-auth.js';
import { fastSerializerCompiler } from './fast-serializer.js';
import { FORM_BODY_LIMIT, requireFormBody } from './form-body.js';
import { boundedFormValidatorCompiler } from './form-validator.js';
import { oauthErrorResponses, tokenRequestSchema, tokenResponseSchema } from './oauth-schemas.js';
import { sendSerializedJson } from './raw-reply.js';

/** RFC 6749 §5.1: token responses must not be cached. One object for every response. */
export const NO_STORE = Object.freeze({ 'cache-control': 'no-store', pragma: 'no-cache' });

/**
 * The RFC 6749 §5.1 body, written by hand (it is the shape `tokenResponseSchema`
 * declares; the tests read it back): the token is a JWS compact serialization
 * (base64url and dots, nothing to escape) and the scope arrives already
 * JSON-encoded from the token's payload.
 */
export function tokenResponseJson(accessToken: string, expiresIn: number, scopeJson: string) {
  return (
    `{"access_token":"${accessToken}","token_type":"Bearer",` +
    `"expires_in":${expiresIn},"scope":${scopeJson}}`
  );
}

function failureReason(error: unknown): string {
  if (error instanceof ClientAuthThrottledError) return 'throttled';
  return isAppError(error) && error.expose ? error.code : 'server_error';
}

/**
 * `POST /oauth2/token`: the client_credentials grant (RFC 6749 §4.4) with
 * client_secret_basic, client_secret_post or private_key_jwt (RFC 7523).
 * Answers RFC 6749 §5.1 on success, §5.2 errors otherwise.
 */
export function addTokenRoute(app: HttpServer, context: TokenContext): void {
  const { metrics, tokens } = context;
  app.post(
    ROUTES.token,
    {
      // Grants are counted in nes_token_grants_total; one info line per grant
      // cost more than the grant itself (refusals are still logged at info).
      config: { oauth: true, requestLog: 'failures' },
      bodyLimit: FORM_BODY_LIMIT,
      preValidation: requireFormBody,
      validatorCompiler: boundedFormValidatorCompiler,
      serializerCompiler: fastSerializerCompiler,
      schema: {
        summary: 'Issue an access token (client_credentials)',
        tags: ['oauth'],
        body: tokenRequestSchema,
        response: { 200: tokenResponseSchema, ...oauthErrorResponses },
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const body = request.body;
      try {
        if (body.grant_type === undefined || body.grant_type === '') {
          throw new InvalidRequestError('grant_type is required');
        }
        if (body.grant_type !== 'client_credentials') {
          throw new UnsupportedGrantTypeError(
            `grant_type '${body.grant_type.slice(0, 64)}' is not supported; use client_credentials`,
          );
        }
        const { client, cache } = await authenticateRequestClient(context, request, body);
        const scope = grantedScope(client.scopes, client.defaultScope, body.scope);
        const issued = tokens.issue(client, scope);
        metrics.grant(
          request.headers.authorization === undefined
            ? body.client_assertion === undefined
              ? 'client_secret_post'
              : 'private_key_jwt'
            : 'client_secret_basic',
          cache,
          (performance.now() - started) / 1000,
        );
        void reply.headers(NO_STORE);
        sendSerializedJson(
          reply,
          tokenResponseJson(issued.accessToken, issued.expiresIn, issued.scopeJson),
        );
        return reply;
      } catch (error) {
        metrics.failure(failureReason(error));
        throw error;
      }
    },
  );
}
