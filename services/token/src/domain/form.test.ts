import { InvalidRequestError } from '@nes/kit';
import { describe, expect, it } from 'vitest';
import { MAX_FORM_PARAMETERS, parseForm } from './form.js';

describe('parseForm', () => {
  it('decodes form encoding', () => {
    expect({ ...parseForm('grant_type=client_credentials&scope=a+b%20c&x=') }).toEqual({
      grant_type: 'client_credentials',
      scope: 'a b c',
      x: '',
    });
  });

  it('refuses repeated parameters and too many of them', () => {
    expect(() => parseForm('scope=a&scope=b')).toThrow(InvalidRequestError);
    const many = Array.from({ length: MAX_FORM_PARAMETERS + 1 }, (_, i) => `p${i}=1`).join('&');
    expect(() => parseForm(many)).toThrow(InvalidRequestError);
  });

  it('is not fooled by prototype keys', () => {
    const form = parseForm('__proto__=x&constructor=y');
    expect(form.__proto__).toBe('x');
    expect(Object.getPrototypeOf(form)).toBeNull();
  });
});
