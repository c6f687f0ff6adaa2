import { oauthErrorSchema, type HttpServer } from '@nes/kit';
import type { RegistrationContext } from '../context.js';
import { registerClient } from '../operations/register-client.js';
import { clientInformationSchema, registrationBody } from './registration-schemas.js';
import { authorizationOf, clientIpOf, NO_STORE, traceparentOf } from './request-facts.js';

/** Largest registration request accepted (metadata with a JWKS fits many times over). */
export const REGISTRATION_BODY_LIMIT = 64 * 1024;

/**
 * POST /oauth2/register: dynamic client registration (RFC 7591) with a CRT
 * as initial access token. Errors are RFC 6749 §5.2 bodies.
 */
export function addRegistrationRoutes(app: HttpServer, context: RegistrationContext): void {
  app.post(
    '/oauth2/register',
    {
      config: { oauth: true },
      bodyLimit: REGISTRATION_BODY_LIMIT,
      schema: {
        tags: ['OAuth 2.0'],
        summary: 'Register a client (RFC 7591) with a client registration token',
        body: registrationBody,
        response: {
          201: clientInformationSchema,
          400: oauthErrorSchema,
          401: oauthErrorSchema,
          403: oauthErrorSchema,
          429: oauthErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const information = await registerClient(context, {
        authorization: authorizationOf(request),
        body: request.body,
        clientIp: clientIpOf(request),
        traceparent: traceparentOf(request),
      });
      return reply
        .code(201)
        .headers(NO_STORE)
        .header('location', information.registration_client_uri)
        .send(information);
    },
  );
}
