import { InvalidClientError, InvalidRequestError } from '@nes/kit';
import { describe, expect, it } from 'vitest';
import { JWT_BEARER_ASSERTION_TYPE, readClientCredentials } from './client-credentials.js';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('readClientCredentials', () => {
  it('reads client_secret_basic, form-decoding id and secret (RFC 6749 §2.3.1)', () => {
    expect(readClientCredentials(basic('c%3A1', 'a+b%25'), {})).toEqual({
      method: 'client_secret_basic',
      clientId: 'c:1',
      secret: 'a b%',
    });
    expect(readClientCredentials(basic('c1', 's'), { client_id: 'c1' }).method).toBe(
      'client_secret_basic',
    );
  });

  it('reads client_secret_post and private_key_jwt', () => {
    expect(readClientCredentials(undefined, { client_id: 'c1', client_secret: 's' })).toEqual({
      method: 'client_secret_post',
      clientId: 'c1',
      secret: 's',
    });
    expect(
      readClientCredentials(undefined, {
        client_assertion: 'a.b.c',
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      }),
    ).toEqual({ method: 'private_key_jwt', clientId: undefined, assertion: 'a.b.c' });
  });

  it('refuses more than one method and mismatched ids with invalid_request', () => {
    const cases: [string | undefined, Record<string, string>][] = [
      [basic('c1', 's'), { client_secret: 's' }],
      [
        basic('c1', 's'),
        { client_assertion: 'x', client_assertion_type: JWT_BEARER_ASSERTION_TYPE },
      ],
      [basic('c1', 's'), { client_id: 'c2' }],
      [
        undefined,
        {
          client_secret: 's',
          client_assertion: 'x',
          client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        },
      ],
      [undefined, { client_assertion: 'x' }],
      [undefined, { client_secret: 's' }],
    ];
    for (const [header, body] of cases) {
      expect(() => readClientCredentials(header, body)).toThrow(InvalidRequestError);
    }
  });

  it('refuses missing or malformed authentication with invalid_client', () => {
    const cases: [string | undefined, Record<string, string>][] = [
      [undefined, {}],
      [undefined, { client_id: 'c1' }],
      ['Bearer abc', {}],
      ['Basic !!!', {}],
      [`Basic ${Buffer.from('no-colon').toString('base64')}`, {}],
      [basic('c1', ''), {}],
      [basic('c1', '%E0%A4%A'), {}],
      [basic('c 1', 's'), {}],
      [undefined, { client_assertion: 'x', client_assertion_type: 'urn:other' }],
    ];
    for (const [header, body] of cases) {
      expect(() => readClientCredentials(header, body)).toThrow(InvalidClientError);
    }
  });
});
