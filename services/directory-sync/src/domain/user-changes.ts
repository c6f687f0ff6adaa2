import type { directoryV1 } from '@nes/proto';
import type { AccountState } from './account-state.js';
import { changedFields, protoState } from './user-view.js';

/** The events one merge calls for, in the order they are published. */
export type UserChange =
  | { readonly kind: 'synced'; readonly firstSeen: boolean; readonly changedFields: string[] }
  | { readonly kind: 'state_changed'; readonly previousState: directoryV1.UserState }
  | { readonly kind: 'password_changed'; readonly previousPwdLastSet: Date | undefined }
  | { readonly kind: 'deleted' };

/** What a change is compared on: the published view and the merge's internal marks. */
export interface UserSnapshot {
  readonly view: directoryV1.User;
  readonly state: AccountState;
  readonly pwdLastSetMax: Date | null;
}

/**
 * The events between the user NES held (`before`, undefined if none) and the
 * freshly merged one:
 *
 * - first sight of a user in scope: `synced` (first_seen);
 * - a user leaving (tombstone or scope): `deleted`, and nothing else;
 * - otherwise `synced` with the changed fields, `state_changed` when the
 *   state moved, `password_changed` when the newest password-set time seen
 *   at any site advanced.
 *
 * A user first seen already removed calls for nothing.
 */
export function userChanges(before: UserSnapshot | undefined, after: UserSnapshot): UserChange[] {
  const removedNow = after.state === 'deleted';
  if (before === undefined) {
    return removedNow ? [] : [{ kind: 'synced', firstSeen: true, changedFields: [] }];
  }
  if (removedNow) return before.state === 'deleted' ? [] : [{ kind: 'deleted' }];
  const changes: UserChange[] = [];
  const fields = changedFields(before.view, after.view);
  if (fields.length > 0) changes.push({ kind: 'synced', firstSeen: false, changedFields: fields });
  if (before.state !== after.state) {
    changes.push({ kind: 'state_changed', previousState: protoState(before.state) });
  }
  const advanced =
    after.pwdLastSetMax !== null &&
    (before.pwdLastSetMax === null ||
      after.pwdLastSetMax.getTime() > before.pwdLastSetMax.getTime());
  if (advanced && before.state !== 'deleted') {
    changes.push({
      kind: 'password_changed',
      previousPwdLastSet: before.pwdLastSetMax ?? undefined,
    });
  }
  return changes;
}
