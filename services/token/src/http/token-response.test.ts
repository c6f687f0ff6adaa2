import { describe, expect, it } from 'vitest';
import { tokenResponseSchema } from './oauth-schemas.js';
import { tokenResponseJson } from './token-route.js';

describe('tokenResponseJson', () => {
  it('writes the declared RFC 6749 §5.1 shape, scope escaped', () => {
    const scope = 'a "quoted" \\ scope';
    const json = tokenResponseJson('aGVhZA.cGF5bG9hZA.c2ln', 600, JSON.stringify(scope));
    const body: unknown = JSON.parse(json);
    expect(tokenResponseSchema.strict().parse(body)).toEqual({
      access_token: 'aGVhZA.cGF5bG9hZA.c2ln',
      token_type: 'Bearer',
      expires_in: 600,
      scope,
    });
  });
});
