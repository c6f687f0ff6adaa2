/** The status a CRT is shown with (the guide's Active / Expired / Revoked). */
export type CrtStatus = 'active' | 'expired' | 'revoked';

/** Every status, for schemas and filters. */
export const CRT_STATUSES = [
  'active',
  'expired',
  'revoked',
] as const satisfies readonly CrtStatus[];

/**
 * A CRT's status is never stored: it follows from its revocation and its
 * expiry at the moment of asking, so it cannot go stale. Revocation wins
 * over expiry (an expired token that was also revoked shows Revoked); a CRT
 * expires at its expiry instant exactly.
 */
export function crtStatus(crt: { revokedAt: Date | null; expiresAt: Date }, now: Date): CrtStatus {
  if (crt.revokedAt !== null) return 'revoked';
  return crt.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
}

/** Whether a CRT in this status may be deleted (hidden): only once it can no longer be used. */
export function isDeletable(status: CrtStatus): boolean {
  return status !== 'active';
}
