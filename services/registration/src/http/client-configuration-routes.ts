import { oauthErrorSchema, type HttpServer } from '@nes/kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RegistrationContext } from '../context.js';
import * as configuration from '../operations/client-configuration.js';
import { REGISTRATION_BODY_LIMIT } from './registration-routes.js';
import {
  clientInformationSchema,
  configurationParams,
  registrationBody,
} from './registration-schemas.js';
import { authorizationOf, clientIpOf, NO_STORE, traceparentOf } from './request-facts.js';

const errors = { 400: oauthErrorSchema, 401: oauthErrorSchema };

/**
 * /oauth2/register/{client_id}: the client configuration endpoint (RFC
 * 7592), authenticated by the client's registration access token.
 */
export function addClientConfigurationRoutes(app: HttpServer, context: RegistrationContext): void {
  const tags = ['OAuth 2.0'];
  const facts = (request: FastifyRequest<{ Params: { clientId: string } }>) => ({
    clientId: request.params.clientId,
    authorization: authorizationOf(request),
    clientIp: clientIpOf(request),
    traceparent: traceparentOf(request),
  });

  app.get(
    '/oauth2/register/:clientId',
    {
      config: { oauth: true },
      schema: {
        tags,
        summary: 'Read a client registration (RFC 7592)',
        params: configurationParams,
        response: { 200: clientInformationSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .headers(NO_STORE)
        .send(await configuration.readClientConfiguration(context, facts(request))),
  );

  app.put(
    '/oauth2/register/:clientId',
    {
      config: { oauth: true },
      bodyLimit: REGISTRATION_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Update a client registration (RFC 7592); rotates the registration access token',
        params: configurationParams,
        body: registrationBody,
        response: { 200: clientInformationSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.headers(NO_STORE).send(
        await configuration.updateClientConfiguration(context, {
          ...facts(request),
          body: request.body,
        }),
      ),
  );

  app.delete(
    '/oauth2/register/:clientId',
    {
      config: { oauth: true },
      schema: {
        tags,
        summary: 'Delete a client registration (RFC 7592)',
        params: configurationParams,
        response: { 204: z.null().describe('Deleted'), ...errors },
      },
    },
    async (request, reply) => {
      await configuration.deleteClientConfiguration(context, facts(request));
      return reply.code(204).send(null);
    },
  );
}
