import { describe, expect, it } from 'vitest';
import { crtStatus, isDeletable } from './crt-status.js';

const now = new Date('2026-12-01T12:00:00Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

describe('crtStatus', () => {
  it('is active before the expiry instant and expired from it on', () => {
    expect(crtStatus({ revokedAt: null, expiresAt: at(1) }, now)).toBe('active');
    expect(crtStatus({ revokedAt: null, expiresAt: at(0) }, now)).toBe('expired');
    expect(crtStatus({ revokedAt: null, expiresAt: at(-1) }, now)).toBe('expired');
  });

  it('lets revocation win over expiry', () => {
    expect(crtStatus({ revokedAt: at(-10), expiresAt: at(1000) }, now)).toBe('revoked');
    expect(crtStatus({ revokedAt: at(-10), expiresAt: at(-5) }, now)).toBe('revoked');
  });

  it('is computed, not stored: the same row changes status with time', () => {
    const crt = { revokedAt: null, expiresAt: at(60_000) };
    expect(crtStatus(crt, now)).toBe('active');
    expect(crtStatus(crt, at(60_000))).toBe('expired');
  });

  it('allows deleting only unusable CRTs', () => {
    expect(isDeletable('active')).toBe(false);
    expect(isDeletable('expired')).toBe(true);
    expect(isDeletable('revoked')).toBe(true);
  });
});
