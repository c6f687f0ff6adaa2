import { describe, expect, it } from 'vitest';
import { cleanText, codePointLength, isStorableJson } from './text.js';

describe('cleanText', () => {
  const rules = { min: 1, max: 5 };

  it('trims, normalises to NFC and counts code points', () => {
    expect(cleanText('  Cafe\u0301 ', { min: 1, max: 4 })).toEqual({
      ok: true,
      value: 'Caf\u00e9',
    });
    expect(cleanText('😀😀😀😀😀', rules)).toMatchObject({ ok: true });
    expect(codePointLength('😀')).toBe(1);
  });

  it('refuses ill-formed Unicode, controls and bidi formatting', () => {
    for (const text of [
      '\ud800',
      'a\u0000',
      'a\u0007',
      'a\u009b',
      'a\u202Eb',
      'a\u2067',
      'a\u200F',
      'a\nb',
    ]) {
      expect(cleanText(text, rules).ok, JSON.stringify(text)).toBe(false);
    }
    expect(cleanText('a\nb\tc', { ...rules, multiline: true })).toMatchObject({ ok: true });
  });

  it('checks the length bounds', () => {
    expect(cleanText('   ', rules)).toEqual({ ok: false, problem: 'must not be empty' });
    expect(cleanText('abcdef', rules)).toEqual({ ok: false, problem: 'exceeds 5 characters' });
    expect(cleanText('', { min: 0, max: 5 })).toEqual({ ok: true, value: '' });
  });
});

describe('isStorableJson', () => {
  it('accepts plain JSON and refuses NUL, lone surrogates and deep nesting', () => {
    expect(isStorableJson({ keys: [{ kty: 'EC', x: 'a' }] })).toBe(true);
    expect(isStorableJson({ a: 'x\u0000' })).toBe(false);
    expect(isStorableJson({ 'k\u0000': 1 })).toBe(false);
    expect(isStorableJson(['\udc00'])).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 20; i += 1) deep = { a: deep };
    expect(isStorableJson(deep)).toBe(false);
  });
});
