import { status as GrpcStatus } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors/problem-errors.js';
import { toCallFailure } from './call-status.js';
import { parseMessage } from './parse-message.js';

const getClient = z.object({ clientId: z.uuid(), include: z.array(z.string().max(10)).max(3) });

describe('parseMessage', () => {
  it('returns the parsed message when it fits', () => {
    const message = { clientId: '0190f5c2-6f1e-7cc2-9d43-6b8e2f6a1c11', include: ['a'] };
    expect(parseMessage(getClient, message)).toEqual(message);
  });

  it('throws a ValidationError naming each bad field, never the value', () => {
    let caught: unknown;
    try {
      parseMessage(getClient, { clientId: 'hunter2', include: ['x'.repeat(11)] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.issues.map((i) => i.path)).toEqual(['/clientId', '/include/0']);
    expect(error.message).toMatch(/^invalid request: \/clientId: /);
    expect(JSON.stringify(error.issues)).not.toContain('hunter2');
  });

  it('reaches the caller as INVALID_ARGUMENT with its code', () => {
    const failure = toCallFailure(
      (() => {
        try {
          return parseMessage(getClient, {});
        } catch (error) {
          return error;
        }
      })(),
    );
    expect(failure.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(failure.metadata.get('nes-error-code')).toEqual(['validation_failed']);
  });
});
