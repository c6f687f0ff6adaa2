import type { HttpServer } from '@nes/kit';
import { z } from 'zod';
import { ASSERTION_ALGORITHMS } from '../clients/client-assertion.js';
import { ROUTES, type TokenContext } from '../context.js';
import { serverMetadata } from '../domain/server-metadata.js';
import { sendEmpty, sendSerializedJson } from './raw-reply.js';

const jwksSchema = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .meta({ id: 'JsonWebKeySet' });

const metadataSchema = z.record(z.string(), z.unknown()).meta({ id: 'ServerMetadata' });

/** Matches one entity tag of an If-None-Match list (or `*`). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const value = tag.trim();
    return value === '*' || value === etag || value === `W/${etag}`;
  });
}

/**
 * `GET /.well-known/oauth-authorization-server` (RFC 8414; also at the
 * path-suffixed location §3 prescribes when the issuer has a path) and
 * `GET /oauth2/jwks`. Both are served from strings built ahead of time; the
 * JWKS carries `Cache-Control: public, max-age` (shorter than the time a new
 * key is published before it signs) and a strong ETag for conditional GETs.
 */
export function addDiscoveryRoutes(app: HttpServer, context: TokenContext): void {
  const { endpoints, config, ring } = context;
  const metadata = JSON.stringify(
    serverMetadata({
      issuer: endpoints.issuer,
      tokenEndpoint: endpoints.token,
      introspectionEndpoint: endpoints.introspection,
      revocationEndpoint: endpoints.revocation,
      jwksUri: endpoints.jwks,
      registrationEndpoint: config.registrationEndpoint,
      scopesSupported: config.token.scopesSupported,
      assertionAlgorithms: ASSERTION_ALGORITHMS,
    }),
  );
  const issuerPath = new URL(endpoints.issuer).pathname.replace(/\/+$/, '');
  const metadataPaths =
    issuerPath === '' ? [ROUTES.metadata] : [ROUTES.metadata, `${ROUTES.metadata}${issuerPath}`];
  for (const path of metadataPaths) {
    app.get(
      path,
      {
        schema: {
          summary: 'Authorization server metadata (RFC 8414)',
          tags: ['discovery'],
          response: { 200: metadataSchema },
        },
      },
      (_request, reply) => {
        void reply.header('cache-control', 'public, max-age=3600');
        sendSerializedJson(reply, metadata);
      },
    );
  }

  const cacheControl = `public, max-age=${config.jwks.maxAgeSeconds}`;
  app.get(
    ROUTES.jwks,
    {
      schema: {
        summary: 'The public keys access tokens are signed with (JWKS, RFC 7517)',
        tags: ['discovery'],
        response: { 200: jwksSchema, 304: z.null() },
      },
    },
    (request, reply) => {
      const { body, etag } = ring.jwks();
      void reply.header('cache-control', cacheControl).header('etag', etag);
      if (matchesEtag(request.headers['if-none-match'], etag)) {
        sendEmpty(reply.code(304));
        return;
      }
      sendSerializedJson(reply, body);
    },
  );
}
