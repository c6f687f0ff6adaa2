import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { boundedFormValidatorCompiler } from './form-validator.js';
import { tokenRequestSchema } from './oauth-schemas.js';

describe('boundedFormValidatorCompiler', () => {
  const validate = boundedFormValidatorCompiler({ schema: tokenRequestSchema });

  it('keeps the known parameters and drops the others, as the zod schema does', () => {
    const body = { grant_type: 'client_credentials', scope: 'a b', extra: 'x' };
    expect(validate(body)).toEqual({ value: tokenRequestSchema.parse(body) });
  });

  it('refuses an over-long parameter, a non-string and a non-object like the schema', () => {
    for (const body of [{ scope: 'x'.repeat(1025) }, { grant_type: 1 }, null, 'text']) {
      expect(tokenRequestSchema.safeParse(body).success).toBe(false);
      const result = validate(body);
      expect('error' in result).toBe(true);
    }
    expect(validate({ scope: 'x'.repeat(1024) })).toEqual({ value: { scope: 'x'.repeat(1024) } });
    const result = validate({ scope: 'x'.repeat(1025) });
    expect('error' in result && result.error[0]?.instancePath).toBe('/scope');
  });

  it('refuses a schema it cannot check by hand', () => {
    expect(() => boundedFormValidatorCompiler({ schema: z.object({ a: z.string() }) })).toThrow();
    expect(() =>
      boundedFormValidatorCompiler({ schema: z.object({ a: z.number().optional() }) }),
    ).toThrow();
  });
});
