import { describe, expect, it } from 'vitest';
import { redactUrl } from './errors.js';
import { uniqueName } from './names.js';

describe('uniqueName', () => {
  it('gives distinct names valid as topics, groups, identifiers and sAMAccountNames', () => {
    const names = Array.from({ length: 2000 }, () => uniqueName('u'));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names.slice(0, 20)) {
      expect(name).toMatch(/^u_[a-z0-9]{10}$/);
      expect(name.length).toBeLessThanOrEqual(20);
    }
  });

  it.each(['', 'Topic', '1abc', 'a-b', 'x'.repeat(41)])('rejects prefix %j', (prefix) => {
    expect(() => uniqueName(prefix)).toThrow(/prefix/);
  });
});

describe('redactUrl', () => {
  it('hides the password, keeps the rest', () => {
    expect(redactUrl('postgres://u:hunter2@db:5432/x')).toBe('postgres://u:***@db:5432/x');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
