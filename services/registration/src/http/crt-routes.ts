import { problemSchema } from '@nes/kit';
import type { HttpServer } from '@nes/kit';
import type { FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { RegistrationContext } from '../context.js';
import * as crts from '../operations/crts.js';
import { adminAuthentication } from './admin-auth.js';
import {
  createCrtBody,
  createdCrtSchema,
  crtIdParams,
  crtPageSchema,
  crtSchema,
  listCrtsQuery,
  presentCrt,
  updateCrtBody,
} from './crt-schemas.js';
import { NO_STORE, traceparentOf } from './request-facts.js';

const errors = {
  400: problemSchema,
  401: problemSchema,
  404: problemSchema,
  409: problemSchema,
};

/**
 * /admin/v1/crts: the administrators' management of Client Registration
 * Tokens (the guide's Generate / Manage Client Registration Tokens).
 */
export function addCrtRoutes(app: HttpServer, context: RegistrationContext): void {
  const onRequest = adminAuthentication(context.config.admin.apiKeys ?? []);
  const tags = ['Client registration tokens'];
  const admin = (request: FastifyRequest) => ({
    actor: request.adminName,
    traceparent: traceparentOf(request),
  });

  app.post(
    '/admin/v1/crts',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Generate a client registration token',
        body: createCrtBody,
        response: { 201: createdCrtSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const created = await crts.createCrt(
        context,
        { ...body, expiresAt: new Date(body.expiresAt) },
        admin(request),
      );
      const now = context.clock.now();
      return reply
        .code(201)
        .headers(NO_STORE)
        .header('location', `/admin/v1/crts/${created.crt.id}`)
        .send({
          crt: presentCrt(created.crt, now),
          token: created.token,
          mdmConfiguration: created.mdmConfiguration,
          qrCode:
            created.qrCodeAvailableUntil === null
              ? null
              : {
                  url: `/admin/v1/crts/${created.crt.id}/qr.png`,
                  availableUntil: created.qrCodeAvailableUntil.toISOString(),
                },
        });
    },
  );

  app.get(
    '/admin/v1/crts',
    {
      onRequest,
      schema: {
        tags,
        summary: 'List client registration tokens (newest first)',
        querystring: listCrtsQuery,
        response: { 200: crtPageSchema, ...errors },
      },
    },
    async (request) => {
      const page = await crts.listCrts(context, request.query);
      const now = context.clock.now();
      return { items: page.items.map((row) => presentCrt(row, now)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/admin/v1/crts/:id',
    {
      onRequest,
      schema: {
        tags,
        summary: 'View a client registration token',
        params: crtIdParams,
        response: { 200: crtSchema, ...errors },
      },
    },
    async (request) =>
      presentCrt(await crts.getCrt(context, request.params.id), context.clock.now()),
  );

  app.patch(
    '/admin/v1/crts/:id',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Edit an active client registration token',
        params: crtIdParams,
        body: updateCrtBody,
        response: { 200: crtSchema, ...errors },
      },
    },
    async (request) => {
      const { expiresAt, ...rest } = request.body;
      const row = await crts.updateCrt(
        context,
        request.params.id,
        { ...rest, ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt) }) },
        admin(request),
      );
      return presentCrt(row, context.clock.now());
    },
  );

  app.post(
    '/admin/v1/crts/:id/revoke',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Revoke a client registration token (idempotent)',
        params: crtIdParams,
        response: { 200: crtSchema, ...errors },
      },
    },
    async (request) =>
      presentCrt(
        await crts.revokeCrt(context, request.params.id, admin(request)),
        context.clock.now(),
      ),
  );

  app.delete(
    '/admin/v1/crts/:id',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Delete (hide) an expired or revoked client registration token',
        params: crtIdParams,
        response: { 204: z.null().describe('Deleted'), ...errors },
      },
    },
    async (request, reply) => {
      await crts.deleteCrt(context, request.params.id, admin(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/admin/v1/crts/:id/qr.png',
    {
      onRequest,
      schema: {
        tags,
        summary: "QR code (PNG) of a new token's MDM JSON, for a short time after creation",
        description:
          'image/png; 401 without an admin key, 404 for unknown or deleted tokens, 410 once the value is no longer kept (TTL) or the token is not active.',
        params: crtIdParams,
      },
    },
    async (request, reply) => {
      const content = await crts.crtQrContent(context, request.params.id);
      const png = await QRCode.toBuffer(content, {
        type: 'png',
        errorCorrectionLevel: 'M',
        margin: 2,
        scale: 6,
      });
      return reply
        .headers(NO_STORE)
        .header('content-disposition', `attachment; filename="crt-${request.params.id}.png"`)
        .type('image/png')
        .send(png);
    },
  );
}
