import { z } from 'zod';
import type { ObservedAttributes } from '../domain/observation.js';

/**
 * ObservedAttributes ⇄ JSON for `user_observation.attributes`. Dates travel
 * as ISO strings; `undefined` (not computed by the directory) is kept apart
 * from `null` (not set) with explicit markers.
 */

const date = z.iso.datetime().transform((s) => new Date(s));
const stamp = z.object({
  version: z.number().int().nonnegative(),
  originatingTime: date,
  originatingInvocationId: z.string().max(64),
});

const stored = z.object({
  sid: z.string(),
  domain: z.string(),
  samAccountName: z.string(),
  upn: z.string(),
  displayName: z.string(),
  distinguishedName: z.string(),
  mail: z.string(),
  groupDns: z.array(z.string()),
  userAccountControl: z.number().int(),
  userAccountControlComputed: z.number().int().nullable(),
  accountExpires: date.nullable(),
  lockoutTime: date.nullable(),
  pwdLastSet: date.nullable(),
  passwordExpiresAt: date.nullable(),
  passwordExpiryKnown: z.boolean(),
  stamps: z
    .object({
      attributes: z.object({
        userAccountControl: stamp.optional(),
        pwdLastSet: stamp.optional(),
        accountExpires: stamp.optional(),
        lockoutTime: stamp.optional(),
      }),
      newestChange: date.nullable(),
    })
    .nullable(),
});

/** The JSON stored for a set of attributes. */
export function attributesToJson(a: ObservedAttributes): unknown {
  return {
    ...a,
    groupDns: [...a.groupDns],
    userAccountControlComputed: a.userAccountControlComputed ?? null,
    passwordExpiresAt: a.passwordExpiresAt ?? null,
    passwordExpiryKnown: a.passwordExpiresAt !== undefined,
    stamps:
      a.stamps === undefined
        ? null
        : { attributes: a.stamps.attributes, newestChange: a.stamps.newestChange ?? null },
  };
}

/** Attributes back from stored JSON. @throws ZodError on a row NES did not write. */
export function attributesFromJson(json: unknown): ObservedAttributes {
  const s = stored.parse(json);
  const stamps = s.stamps;
  return {
    sid: s.sid,
    domain: s.domain,
    samAccountName: s.samAccountName,
    upn: s.upn,
    displayName: s.displayName,
    distinguishedName: s.distinguishedName,
    mail: s.mail,
    groupDns: s.groupDns,
    userAccountControl: s.userAccountControl,
    userAccountControlComputed: s.userAccountControlComputed ?? undefined,
    accountExpires: s.accountExpires,
    lockoutTime: s.lockoutTime,
    pwdLastSet: s.pwdLastSet,
    passwordExpiresAt: s.passwordExpiryKnown ? s.passwordExpiresAt : undefined,
    stamps:
      stamps === null
        ? undefined
        : {
            attributes: Object.fromEntries(
              Object.entries(stamps.attributes).filter(([, v]) => v !== undefined),
            ),
            newestChange: stamps.newestChange ?? undefined,
          },
  };
}
