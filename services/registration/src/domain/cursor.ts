import { BadRequestError } from '@nes/kit';

/**
 * Keyset pagination cursors. Lists are ordered newest first by each table's
 * `seq` (an identity column, so the order is total and stable); a cursor is
 * the last `seq` a page showed plus a tag of the filter it was issued for,
 * base64url-encoded. It is opaque to callers, and a cursor from another query
 * is refused rather than silently applied to this one.
 */

const PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

/** Encodes the position after `seq` for a list filtered by `filter`. */
export function encodeCursor(seq: string, filter: string): string {
  return Buffer.from(JSON.stringify({ v: 1, s: seq, f: filter }), 'utf8').toString('base64url');
}

/**
 * The `seq` to continue after, or undefined for the first page.
 *
 * @throws BadRequestError (`invalid_cursor`) for anything this server did not issue for `filter`.
 */
export function decodeCursor(cursor: string | undefined, filter: string): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const invalid = new BadRequestError(
    'The cursor is not valid for this list; start again without one.',
    { code: 'invalid_cursor' },
  );
  const bytes = Buffer.from(cursor, 'base64url');
  // Node decodes base64 leniently; only the canonical encoding of its bytes is ours.
  if (!PATTERN.test(cursor) || bytes.toString('base64url') !== cursor) throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid;
  }
  const { v, s, f } = (parsed ?? {}) as Record<string, unknown>;
  if (v !== 1 || typeof s !== 'string' || !/^[1-9]\d{0,18}$/.test(s) || f !== filter) {
    throw invalid;
  }
  return s;
}
