import { ValidationError } from '@nes/kit';
import { describe, expect, it } from 'vitest';
import { checkClientName, checkCrtChanges, checkNewCrt, titleKey } from './crt-rules.js';

const now = new Date('2026-12-01T00:00:00Z');
const context = { now, maxLifetimeMs: 5 * 365 * 86_400_000 };
const valid = {
  title: 'Line 4',
  expiresAt: new Date('2027-01-01T00:00:00Z'),
  scope: 'nymi-connect',
  details: '',
  maxClients: 0,
};

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => i.path);
  }
  return [];
}

describe('checkNewCrt', () => {
  it('accepts a valid CRT, trimming and normalising the title', () => {
    expect(checkNewCrt({ ...valid, title: '  Line 4  ' }, context)).toMatchObject({
      title: 'Line 4',
      scope: 'nymi-connect',
    });
  });

  it('lists every failed field at once', () => {
    const issues = issuesOf(() =>
      checkNewCrt(
        {
          title: '',
          expiresAt: new Date('2026-11-30T00:00:00Z'),
          scope: 'x',
          details: 'd'.repeat(4001),
          maxClients: -1,
        },
        context,
      ),
    );
    expect(issues.sort()).toEqual([
      '/body/details',
      '/body/expiresAt',
      '/body/maxClients',
      '/body/scope',
      '/body/title',
    ]);
  });

  it('bounds the expiry: in the future, within the maximum lifetime', () => {
    expect(issuesOf(() => checkNewCrt({ ...valid, expiresAt: now }, context))).toEqual([
      '/body/expiresAt',
    ]);
    expect(
      issuesOf(() =>
        checkNewCrt({ ...valid, expiresAt: new Date('2032-01-01T00:00:00Z') }, context),
      ),
    ).toEqual(['/body/expiresAt']);
    expect(
      issuesOf(() => checkNewCrt({ ...valid, expiresAt: new Date(Number.NaN) }, context)),
    ).toEqual(['/body/expiresAt']);
  });

  it('allows 4000 characters of details with line breaks', () => {
    expect(
      checkNewCrt({ ...valid, details: `${'d'.repeat(3998)}\r\n` }, context).details,
    ).toHaveLength(3998);
  });
});

describe('checkCrtChanges', () => {
  it('checks only what is edited, and wants at least one field', () => {
    expect(checkCrtChanges({ maxClients: 3 }, context)).toEqual({ maxClients: 3 });
    expect(issuesOf(() => checkCrtChanges({}, context))).toEqual(['/body']);
    expect(issuesOf(() => checkCrtChanges({ title: ' ' }, context))).toEqual(['/body/title']);
  });
});

describe('titleKey and checkClientName', () => {
  it('folds case and compatibility forms so look-alike titles collide', () => {
    expect(titleKey('Straße')).toBe(titleKey('STRASSE'));
    expect(titleKey('ＬＩＮＥ')).toBe(titleKey('line'));
    expect(titleKey('Ä')).toBe(titleKey('ä'));
  });

  it('checks client names', () => {
    expect(checkClientName(' Tablet ', 255)).toBe('Tablet');
    expect(() => checkClientName('', 255)).toThrow(ValidationError);
  });
});
