import { status as GrpcStatus } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { toErrorResponse } from '../http/problem.js';
import { AppError } from './app-error.js';
import { appErrorFromGrpc, GRPC_ERROR_TABLE, grpcStatusOf } from './grpc-status.js';
import { InsufficientScopeError, InvalidTokenError } from './oauth-bearer-errors.js';
import {
  InvalidClientError,
  InvalidGrantError,
  OAuthServerError,
  TemporarilyUnavailableError,
  toErrorDescription,
} from './oauth-errors.js';
import {
  ConflictError,
  GatewayTimeoutError,
  InternalError,
  NotFoundError,
  ServiceUnavailableError,
  TooManyRequestsError,
  ValidationError,
} from './problem-errors.js';
import { InvalidRedirectUriError } from './registration-errors.js';

const context = { path: '/v1/crts/abc', requestId: 'req-1', oauth: false };

describe('AppError', () => {
  it('exposes 4xx and hides 5xx, keeps the cause, lets the code be specialised', () => {
    const cause = new Error('db said no');
    const conflict = new ConflictError("client limit of CRT 'x' reached", {
      code: 'client_limit_reached',
      cause,
      details: { limit: 5 },
    });
    expect(conflict).toMatchObject({ status: 409, code: 'client_limit_reached', expose: true });
    expect(conflict.cause).toBe(cause);
    expect(new InternalError('boom').expose).toBe(false);
    expect(new NotFoundError('x')).toBeInstanceOf(AppError);
  });

  it('exposes 503 and 504: their messages tell the caller what to wait for', () => {
    expect(new ServiceUnavailableError('busy').expose).toBe(true);
    expect(new GatewayTimeoutError('slow').expose).toBe(true);
    expect(new AppError(502, 'bad_gateway', 'upstream said x').expose).toBe(false);
  });
});

describe('toErrorResponse', () => {
  it('answers problem+json with type, title, status, detail, instance and code', () => {
    const response = toErrorResponse(new NotFoundError("CRT 'abc' not found"), context);
    expect(response.status).toBe(404);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual({
      type: 'urn:nes:problem:not_found',
      title: 'Not Found',
      status: 404,
      detail: "CRT 'abc' not found",
      instance: '/v1/crts/abc',
      code: 'not_found',
      requestId: 'req-1',
    });
  });

  it('hides the message and details of 5xx errors', () => {
    const response = toErrorResponse(
      new InternalError('password column missing', { details: { table: 'x' } }),
      context,
    );
    expect(JSON.stringify(response.body)).not.toContain('password column');
    expect(JSON.stringify(response.body)).not.toContain('table');
    expect(response.body).toMatchObject({ status: 500, code: 'internal' });
  });

  it('answers a 503 with its own code and message (a documented busy state)', () => {
    const busy = new ServiceUnavailableError('Too many exports are running; try again shortly.', {
      code: 'exports_busy',
      retryAfterSeconds: 5,
    });
    expect(toErrorResponse(busy, context)).toMatchObject({
      status: 503,
      headers: { 'retry-after': '5' },
      body: {
        code: 'exports_busy',
        detail: 'Too many exports are running; try again shortly.',
        title: 'Service Unavailable',
      },
    });
  });

  it('lists validation issues and sets Retry-After on 429 and 503', () => {
    const validation = toErrorResponse(
      new ValidationError('invalid body', [{ path: '/body/title', message: 'required' }]),
      context,
    );
    expect(validation.body).toMatchObject({ details: { issues: [{ path: '/body/title' }] } });
    expect(
      toErrorResponse(new TooManyRequestsError('slow down', { retryAfterSeconds: 2.2 }), context)
        .headers,
    ).toEqual({
      'retry-after': '3',
    });
    // A 503 always says when to come back: 1 s unless told otherwise.
    expect(toErrorResponse(new ServiceUnavailableError('down'), context).headers).toEqual({
      'retry-after': '1',
    });
    expect(toErrorResponse(new TemporarilyUnavailableError('busy'), context).headers).toMatchObject(
      { 'retry-after': '1', 'cache-control': 'no-store' },
    );
  });

  it('answers OAuth errors with the RFC 6749 body and no-store', () => {
    const response = toErrorResponse(new InvalidGrantError('CRT expired'), context);
    expect(response).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'CRT expired' },
      headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
    });
    expect(response.contentType).toMatch(/^application\/json/);
  });

  it('challenges with Basic for invalid_client and Bearer for token errors', () => {
    expect(toErrorResponse(new InvalidClientError('unknown client'), context)).toMatchObject({
      status: 401,
      headers: { 'www-authenticate': 'Basic realm="nes"' },
    });
    expect(new InvalidTokenError('token "expired"').headers()['www-authenticate']).toBe(
      'Bearer realm="nes", error="invalid_token", error_description="token \'expired\'"',
    );
    expect(new InvalidTokenError('no token', { missing: true }).headers()['www-authenticate']).toBe(
      'Bearer realm="nes"',
    );
    const scope = new InsufficientScopeError('needs admin', {
      scope: 'nes-admin',
      realm: 'console',
    });
    expect(scope.status).toBe(403);
    expect(scope.headers()['www-authenticate']).toBe(
      'Bearer realm="console", error="insufficient_scope", error_description="needs admin", scope="nes-admin"',
    );
  });

  it('sends no description for server_error and maps other errors on OAuth routes', () => {
    expect(toErrorResponse(new OAuthServerError('db down'), context).body).toEqual({
      error: 'server_error',
    });
    const onOAuthRoute = { ...context, oauth: true };
    expect(toErrorResponse(new InternalError('db down'), onOAuthRoute)).toMatchObject({
      status: 500,
      body: { error: 'server_error' },
      headers: { 'cache-control': 'no-store' },
    });
    expect(toErrorResponse(new ServiceUnavailableError('busy'), onOAuthRoute).body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'busy',
    });
    expect(
      toErrorResponse(new TooManyRequestsError('slow', { retryAfterSeconds: 1 }), onOAuthRoute),
    ).toMatchObject({
      status: 429,
      body: { error: 'too_many_requests' },
      headers: { 'retry-after': '1' },
    });
  });

  it('keeps error_description within the RFC 6749 character set', () => {
    expect(toErrorDescription('bad "uri" \\ é\n')).toBe("bad 'uri' ? ??");
  });
});

describe('gRPC status table', () => {
  it('maps codes first, then HTTP status, then class of status', () => {
    expect(grpcStatusOf(new NotFoundError('x'))).toBe(GrpcStatus.NOT_FOUND);
    expect(grpcStatusOf(new ConflictError('dup'))).toBe(GrpcStatus.ALREADY_EXISTS);
    expect(grpcStatusOf(new ConflictError('limit', { code: 'client_limit_reached' }))).toBe(
      GrpcStatus.FAILED_PRECONDITION,
    );
    expect(grpcStatusOf(new InvalidClientError('x'))).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(grpcStatusOf(new InvalidRedirectUriError('x'))).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(grpcStatusOf(new AppError(418, 'teapot', 'x'))).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(grpcStatusOf(new AppError(502, 'upstream', 'x'))).toBe(GrpcStatus.INTERNAL);
  });

  it('rebuilds the same class and code on the client', () => {
    const limit = appErrorFromGrpc(
      GrpcStatus.FAILED_PRECONDITION,
      'limit reached',
      'client_limit_reached',
    );
    expect(limit).toBeInstanceOf(ConflictError);
    expect(limit.code).toBe('client_limit_reached');
    expect(
      appErrorFromGrpc(GrpcStatus.UNAUTHENTICATED, 'bad secret', 'invalid_client'),
    ).toBeInstanceOf(InvalidClientError);
    expect(appErrorFromGrpc(GrpcStatus.UNAVAILABLE, 'down')).toBeInstanceOf(
      ServiceUnavailableError,
    );
    const weird = appErrorFromGrpc(GrpcStatus.INTERNAL, 'x', 'DROP TABLE;');
    expect(weird).toBeInstanceOf(InternalError);
    expect(weird.code).toBe('internal');
  });

  it('round-trips every row: code → gRPC status → same code', () => {
    for (const row of GRPC_ERROR_TABLE) {
      const original = row.create('m', {});
      const rebuilt = appErrorFromGrpc(grpcStatusOf(original), 'm', original.code);
      expect({ code: rebuilt.code, status: rebuilt.status }).toEqual({
        code: row.code,
        status: row.http,
      });
    }
  });
});
