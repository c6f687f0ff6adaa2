import { z } from 'zod';
import { checkSamAccountName } from '../domain/account-name.js';
import { isPasswordHash } from './password-hash.js';

/**
 * The demo directory file (JSON): a domain, its groups and users with their
 * account states and scrypt password hashes. For the embedded single-machine
 * default only — never a production directory.
 */

const guid = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    'expected a lower-case UUID',
  );
const time = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const demoUser = z
  .object({
    guid,
    samAccountName: z.string().superRefine((name, ctx) => {
      try {
        checkSamAccountName(name);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
    displayName: z.string().max(256).default(''),
    mail: z.string().max(256).default(''),
    groups: z.array(z.string().min(1).max(256)).max(100).default([]),
    password: z.string().refine(isPasswordHash, 'expected a scrypt hash (nes-demo-password-hash)'),
    pwdLastSet: time,
    disabled: z.boolean().default(false),
    locked: z.boolean().default(false),
    mustChangePassword: z.boolean().default(false),
    passwordExpired: z.boolean().default(false),
    accountExpires: time.nullable().default(null),
  })
  .strict();

/** The whole file. */
export const demoFile = z
  .object({
    notice: z.string().optional(),
    domain: z.string().regex(/^[A-Z0-9][A-Z0-9._-]{0,14}$/, 'expected an upper-case NetBIOS name'),
    dnsDomain: z.string().regex(/^[a-z0-9.-]{1,253}$/, 'expected a lower-case DNS name'),
    groups: z.array(z.object({ guid, name: z.string().min(1).max(256) }).strict()).max(1000),
    users: z.array(demoUser).max(10_000),
  })
  .strict()
  .superRefine((file, ctx) => {
    const groups = new Set(file.groups.map((g) => g.name));
    const names = new Set<string>();
    file.users.forEach((user, i) => {
      const key = user.samAccountName.toLowerCase();
      if (names.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['users', i, 'samAccountName'],
          message: 'duplicate',
        });
      }
      names.add(key);
      user.groups.forEach((g, j) => {
        if (!groups.has(g)) {
          ctx.addIssue({
            code: 'custom',
            path: ['users', i, 'groups', j],
            message: `unknown group '${g}'`,
          });
        }
      });
    });
  });

/** A parsed demo file. */
export type DemoFile = z.output<typeof demoFile>;
/** One user of it. */
export type DemoUser = DemoFile['users'][number];
