import { status as GrpcStatus } from '@grpc/grpc-js';
import { ClientClosedError, ClientOfflineError, SocketClosedUnexpectedlyError } from 'redis';
import { describe, expect, it } from 'vitest';
import { toCallFailure } from '../grpc/call-status.js';
import { toAppError } from '../http/to-app-error.js';
import { isTransientFailure } from './transient.js';

/** An Error with a `code`, as Node's sockets and node-postgres' DatabaseError carry. */
function coded(code: string, message = 'failed'): Error {
  return Object.assign(new Error(message), { code });
}

describe('isTransientFailure', () => {
  it('knows a peer that is down, restarting or out of reach', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN']) {
      expect(isTransientFailure(coded(code)), code).toBe(true);
    }
  });

  it('knows Postgres failing over, shutting down, overloaded or in conflict', () => {
    for (const sqlstate of [
      '08006',
      '08001',
      '53300',
      '57P01',
      '57P03',
      '57014',
      '40001',
      '40P01',
      '25006',
    ]) {
      expect(isTransientFailure(coded(sqlstate)), sqlstate).toBe(true);
    }
  });

  it('knows node-postgres’ lost connections, which carry only a message', () => {
    expect(isTransientFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientFailure(new Error('timeout exceeded when trying to connect'))).toBe(true);
    const wrapped = new Error('Connection terminated due to connection timeout', {
      cause: new Error('timeout expired'),
    });
    expect(isTransientFailure(wrapped)).toBe(true);
  });

  it('knows node-redis offline and lost-socket errors', () => {
    expect(isTransientFailure(new ClientOfflineError())).toBe(true);
    expect(isTransientFailure(new ClientClosedError())).toBe(true);
    expect(isTransientFailure(new SocketClosedUnexpectedlyError())).toBe(true);
  });

  it('follows causes and aggregates (every address refused)', () => {
    expect(isTransientFailure(new Error('query failed', { cause: coded('ECONNRESET') }))).toBe(
      true,
    );
    const refused = new AggregateError([coded('ECONNREFUSED'), coded('ENETUNREACH')], 'connect');
    expect(isTransientFailure(refused)).toBe(true);
    const mixed = new AggregateError([coded('ECONNREFUSED'), new TypeError('bug')], 'several');
    expect(isTransientFailure(mixed)).toBe(false);
  });

  it('leaves bugs and wrong data to be 500s', () => {
    for (const sqlstate of ['23505', '22P02', '42P01', '42703', '0A000']) {
      expect(isTransientFailure(coded(sqlstate)), sqlstate).toBe(false);
    }
    expect(
      isTransientFailure(new TypeError("Cannot read properties of undefined (reading 'x')")),
    ).toBe(false);
    expect(isTransientFailure(new Error('Connection terminated unexpectedly!'))).toBe(false);
    expect(isTransientFailure('ECONNREFUSED')).toBe(false);
    expect(isTransientFailure(undefined)).toBe(false);
  });

  it('stops following a cause chain that loops', () => {
    const looping = new Error('a');
    Object.defineProperty(looping, 'cause', { value: looping });
    expect(isTransientFailure(looping)).toBe(false);
  });
});

describe('answering a transient failure', () => {
  const facts = { oauth: false, bodyLimit: 1024 };
  const refused = coded('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.7:5432');

  it('is a 503 with Retry-After over HTTP, the cause kept for the log only', () => {
    const error = toAppError(refused, facts);
    expect(error).toMatchObject({ status: 503, code: 'service_unavailable', expose: true });
    expect(error.headers()).toEqual({ 'retry-after': '1' });
    expect(error.cause).toBe(refused);
    expect(error.message).not.toContain('10.0.0.7');
  });

  it('is UNAVAILABLE over gRPC, naming nothing of the cause', () => {
    const failure = toCallFailure(refused);
    expect(failure.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(failure.details).not.toContain('10.0.0.7');
    expect(failure.metadata.get('nes-error-code')).toEqual(['service_unavailable']);
  });

  it('leaves anything else a 500 / INTERNAL', () => {
    const bug = new TypeError('x is undefined');
    expect(toAppError(bug, facts)).toMatchObject({ status: 500, code: 'internal' });
    expect(toCallFailure(bug).code).toBe(GrpcStatus.INTERNAL);
  });
});
