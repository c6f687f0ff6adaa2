import { problemSchema, type HttpServer } from '@nes/kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RegistrationContext } from '../context.js';
import * as clients from '../operations/clients.js';
import { adminAuthentication } from './admin-auth.js';
import {
  clientIdParams,
  clientPageSchema,
  clientSchema,
  listClientsQuery,
  presentClient,
  renameClientBody,
} from './client-schemas.js';
import { clientIpOf, traceparentOf } from './request-facts.js';

const errors = { 400: problemSchema, 401: problemSchema, 404: problemSchema };

/** /admin/v1/clients: list, view, rename and delete registered clients. */
export function addClientRoutes(app: HttpServer, context: RegistrationContext): void {
  const onRequest = adminAuthentication(context.config.admin.apiKeys ?? []);
  const tags = ['Clients'];
  const admin = (request: FastifyRequest) => ({
    actor: request.adminName,
    clientIp: clientIpOf(request),
    traceparent: traceparentOf(request),
  });

  app.get(
    '/admin/v1/clients',
    {
      onRequest,
      schema: {
        tags,
        summary: 'List clients (newest first)',
        querystring: listClientsQuery,
        response: { 200: clientPageSchema, ...errors },
      },
    },
    async (request) => {
      const page = await clients.listClients(context, request.query);
      return { items: page.items.map(presentClient), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/admin/v1/clients/:clientId',
    {
      onRequest,
      schema: {
        tags,
        summary: 'View a client',
        params: clientIdParams,
        response: { 200: clientSchema, ...errors },
      },
    },
    async (request) => presentClient(await clients.getClient(context, request.params.clientId)),
  );

  app.patch(
    '/admin/v1/clients/:clientId',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Rename a client',
        params: clientIdParams,
        body: renameClientBody,
        response: { 200: clientSchema, ...errors },
      },
    },
    async (request) =>
      presentClient(
        await clients.renameClient(
          context,
          request.params.clientId,
          request.body.name,
          admin(request),
        ),
      ),
  );

  app.delete(
    '/admin/v1/clients/:clientId',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Delete a client (it can no longer authenticate; kept for audit)',
        params: clientIdParams,
        response: { 204: z.null().describe('Deleted'), ...errors },
      },
    },
    async (request, reply) => {
      await clients.deleteClient(context, request.params.clientId, admin(request));
      return reply.code(204).send(null);
    },
  );
}
