import { createHash } from 'node:crypto';
import { BadRequestError } from '@nes/kit';
import { z } from 'zod';
import type { ListCursor } from '../db/users.js';

/**
 * ListUsers page tokens: base64url JSON of the last item's sort key and a
 * digest of the query, so a token is only honoured with the query it was
 * issued for. Opaque to callers; not a secret (it names an account).
 */

const token = z.object({
  n: z.string().max(256),
  g: z.string().regex(/^[0-9a-f-]{36}$/),
  q: z.string().regex(/^[0-9a-f]{16}$/),
});

function digest(query: string): string {
  return createHash('sha256').update(query.toLowerCase()).digest('hex').slice(0, 16);
}

/** The token that continues after `cursor`. */
export function encodePageToken(cursor: ListCursor, query: string): string {
  return Buffer.from(JSON.stringify({ n: cursor.name, g: cursor.guid, q: digest(query) })).toString(
    'base64url',
  );
}

/** The cursor in a token. @throws BadRequestError (INVALID_ARGUMENT) for a malformed or foreign token. */
export function decodePageToken(text: string, query: string): ListCursor {
  let parsed: z.output<typeof token>;
  try {
    parsed = token.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new BadRequestError('page_token is not a token this service issued', {
      code: 'invalid_page_token',
    });
  }
  if (parsed.q !== digest(query)) {
    throw new BadRequestError('page_token belongs to another query', {
      code: 'invalid_page_token',
    });
  }
  return { name: parsed.n, guid: parsed.g };
}
