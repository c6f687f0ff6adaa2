import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  REQUEST_ID_HEADER,
  requestIdFrom,
  type HttpServer,
  type ObserveRequest,
  type PreRoutingHandler,
} from '@nes/kit';
import type { TokenContext } from '../context.js';
import { ROUTES } from '../context.js';
import { readClientCredentials } from '../domain/client-credentials.js';
import { parseForm } from '../domain/form.js';
import { grantedScope } from '../domain/scopes.js';
import { FORM_BODY_LIMIT, FORM_TYPE } from './form-body.js';
import { MAX_SCOPE_LENGTH } from './oauth-schemas.js';
import { NO_STORE, tokenResponseJson } from './token-route.js';

const BASIC = /^basic /i;

/**
 * The token route's hot path, in front of fastify: a device fetching its
 * token again — `client_secret_basic`, a `client_credentials` form of
 * grant_type and scope, credentials that match a verification cached moments
 * ago — is answered here on node:http, which on one core is the difference
 * between ~2× and ~3× node-oidc-provider (fastify's request pipeline costs
 * about as much as the signature).
 *
 * It never answers anything else and never has a side effect before it is
 * sure to answer: any other request, and any request the hot path would have
 * to refuse (malformed form, unknown client, wrong secret, a cache miss, a
 * scope the client lacks, no signing key), is handed to fastify unchanged —
 * before the body is read when the headers tell, otherwise replayed through
 * `app.inject` with the same headers, body and peer address — so every
 * refusal, limit, log line and brute-force count comes from the one route
 * definition in token-route.ts.
 */
export function fastTokenPath(
  app: HttpServer,
  context: TokenContext,
  observe: ObserveRequest,
): PreRoutingHandler {
  let closing = false;
  app.addHook('preClose', (done) => {
    // From now on fastify answers (503 while it drains).
    closing = true;
    done();
  });

  return (request, response) => {
    if (closing || request.method !== 'POST' || request.url !== ROUTES.token) return false;
    const { headers } = request;
    const length = Number(headers['content-length']);
    if (headers['transfer-encoding'] !== undefined) return false;
    if (!(length > 0 && length <= FORM_BODY_LIMIT)) return false;
    if (headers['content-type']?.toLowerCase().startsWith(FORM_TYPE) !== true) return false;
    if (headers.authorization === undefined || !BASIC.test(headers.authorization)) return false;

    const started = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('error', () => response.destroy());
    request.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (!answer(request, response, body, started)) {
        replay(request, response, body).catch(() => response.destroy());
      }
    });
    return true;
  };

  /** Answers a grant it can give without any side effect; false when it cannot. */
  function answer(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    started: number,
  ): boolean {
    let form: Record<string, string>;
    try {
      form = parseForm(body.toString('utf8'));
    } catch {
      return false;
    }
    for (const name in form) {
      if (name !== 'grant_type' && name !== 'scope' && name !== 'client_id') return false;
    }
    if (form.grant_type !== 'client_credentials') return false;
    if (form.scope !== undefined && form.scope.length > MAX_SCOPE_LENGTH) return false;
    let issued: ReturnType<TokenContext['tokens']['issue']>;
    try {
      const credentials = readClientCredentials(request.headers.authorization, form);
      if (credentials.method !== 'client_secret_basic') return false;
      const client = context.clients.cachedSecretClient(credentials.clientId, credentials.secret);
      if (client === undefined) return false;
      issued = context.tokens.issue(
        client,
        grantedScope(client.scopes, client.defaultScope, form.scope),
      );
    } catch {
      return false;
    }
    const json = tokenResponseJson(issued.accessToken, issued.expiresIn, issued.scopeJson);
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
      ...NO_STORE,
      [REQUEST_ID_HEADER]: requestIdFrom(request.headers[REQUEST_ID_HEADER]),
    });
    response.end(json);
    const seconds = (performance.now() - started) / 1000;
    context.metrics.grant('client_secret_basic', 'hit', seconds);
    observe('POST', ROUTES.token, 200, seconds);
    return true;
  }

  /** Hands a request whose body was read to fastify, and relays its answer. */
  async function replay(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
  ): Promise<void> {
    const answered = await app.inject({
      method: 'POST',
      url: ROUTES.token,
      headers: request.headers,
      payload: body,
      remoteAddress: request.socket.remoteAddress ?? '',
    });
    const relayed: Record<string, string | string[] | number> = {};
    for (const [name, value] of Object.entries(answered.headers)) {
      // Connection management belongs to the real socket, not the injected one.
      if (value === undefined || name === 'connection' || name === 'keep-alive') continue;
      if (name === 'transfer-encoding' || name === 'date') continue;
      relayed[name] = value;
    }
    response.writeHead(answered.statusCode, relayed);
    response.end(answered.rawPayload);
  }
}
