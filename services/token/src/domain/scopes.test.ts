import { InvalidScopeError } from '@nes/kit';
import { describe, expect, it } from 'vitest';
import { grantedScope } from './scopes.js';

const allowed = new Set(['nymi-connect', 'telemetry']);

describe('grantedScope', () => {
  it('grants every scope of the client when none is requested', () => {
    expect(grantedScope(allowed, 'nymi-connect telemetry', undefined)).toBe(
      'nymi-connect telemetry',
    );
    expect(grantedScope(allowed, 'nymi-connect telemetry', '')).toBe('nymi-connect telemetry');
  });

  it('grants a subset, without duplicates', () => {
    expect(grantedScope(allowed, '', 'telemetry  telemetry')).toBe('telemetry');
  });

  it('refuses scopes beyond the client permissions, malformed ones and empty grants', () => {
    for (const requested of ['admin', 'nymi-connect admin', 'bad"scope', ' ', 'x'.repeat(2000)]) {
      expect(() => grantedScope(allowed, 'nymi-connect', requested)).toThrow(InvalidScopeError);
    }
    expect(() => grantedScope(new Set(), '', undefined)).toThrow(InvalidScopeError);
  });
});
