import { z } from 'zod';
import { AccountNameError, parseAccountName, type AccountName } from '../domain/account-name.js';
import { hasControlCharacters } from '../domain/text.js';

/**
 * zod schemas for the DirectoryService requests: decoded protobuf has the
 * right types, not the right sizes or formats. Failures become
 * INVALID_ARGUMENT through kit's parseMessage, naming the field.
 */

/** An account name field, parsed. */
function accountName(kind: 'any' | 'down_level' | 'upn') {
  return z
    .string()
    .max(320, 'at most 320 characters')
    .transform((text, ctx): AccountName => {
      try {
        const parsed = parseAccountName(text);
        if (kind !== 'any' && parsed.kind !== kind) {
          ctx.addIssue({
            code: 'custom',
            message: kind === 'upn' ? 'expected user@domain' : 'expected DOMAIN\\user',
          });
          return z.NEVER;
        }
        return parsed;
      } catch (error) {
        if (!(error instanceof AccountNameError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
    });
}

/** GetUser: exactly one lookup key. */
export const getUserRequest = z.object({
  lookup: z.discriminatedUnion(
    '$case',
    [
      z.object({
        $case: z.literal('guid'),
        value: z
          .string()
          .max(36, 'at most 36 characters')
          .regex(
            /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/,
            'expected a UUID',
          )
          .transform((s) => s.toLowerCase()),
      }),
      z.object({ $case: z.literal('account'), value: accountName('down_level') }),
      z.object({ $case: z.literal('upn'), value: accountName('upn') }),
    ],
    { error: 'one of guid, account or upn is required' },
  ),
});

/** ValidatePassword: an account name and a non-empty password. */
export const validatePasswordRequest = z.object({
  account: accountName('any'),
  password: z
    .string()
    // An empty password is an anonymous bind, which AD accepts: never send it.
    .min(1, 'password is empty')
    .max(512, 'at most 512 characters')
    .refine((p) => !p.includes(String.fromCharCode(0)), 'password contains NUL'),
});

/** ListUsers: an optional prefix and a page. */
export const listUsersRequest = z.object({
  query: z
    .string()
    .max(256, 'at most 256 characters')
    .refine((q) => !hasControlCharacters(q), 'query contains control characters'),
  page: z
    .object({
      pageSize: z.number().int().min(0, 'must not be negative'),
      pageToken: z.string().max(512, 'at most 512 characters'),
    })
    .optional(),
});
