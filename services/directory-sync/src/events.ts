import { nesEventProducer, type OutgoingEvent } from '@nes/bus';
import { directoryV1 } from '@nes/proto';
import type { UserChange } from './domain/user-changes.js';

/**
 * directory-sync's events on nes.directory.v1 (keyed by user GUID), written
 * to the outbox in the transaction that changes the projection. They carry
 * the user as observed — never a password, which this service never keeps.
 */
const produce = nesEventProducer('nes/directory-sync');

/** The events for one user's changes, in order. */
export function directoryEvents(
  user: directoryV1.User,
  changes: readonly UserChange[],
  options: { traceparent?: string } = {},
): OutgoingEvent[] {
  const subject = user.guid;
  const opts = { subject, ...(options.traceparent ? { traceparent: options.traceparent } : {}) };
  return changes.map((change) => {
    switch (change.kind) {
      case 'synced':
        return produce(
          'nes.directory.user-synced.v1',
          directoryV1.UserSynced.fromPartial({
            user,
            firstSeen: change.firstSeen,
            changedFields: change.changedFields,
          }),
          opts,
        );
      case 'state_changed':
        return produce(
          'nes.directory.user-state-changed.v1',
          directoryV1.UserStateChanged.fromPartial({ user, previousState: change.previousState }),
          opts,
        );
      case 'password_changed':
        return produce(
          'nes.directory.password-changed.v1',
          directoryV1.PasswordChanged.fromPartial({
            user,
            previousPwdLastSet: change.previousPwdLastSet,
          }),
          opts,
        );
      case 'deleted':
        return produce(
          'nes.directory.user-deleted.v1',
          directoryV1.UserDeleted.fromPartial({ user }),
          opts,
        );
    }
  });
}
