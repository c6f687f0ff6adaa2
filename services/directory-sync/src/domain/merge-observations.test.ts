import { describe, expect, it } from 'vitest';
import { UAC } from './account-state.js';
import { mergeObservations } from './merge-observations.js';
import type { Observation, ObservedAttributes } from './observation.js';
import type { ChangeStamp } from './repl-metadata.js';

const t = (minutes: number) => new Date(Date.UTC(2026, 10, 28, 12, minutes));
const now = t(60);
const policy = { lockoutDurationMs: null };

const stamp = (version: number, minutes: number, dc = 'inv-east'): ChangeStamp => ({
  version,
  originatingTime: t(minutes),
  originatingInvocationId: dc,
});

const base: ObservedAttributes = {
  sid: 'S-1-5-21-1-2-3-1104',
  domain: 'NES',
  samAccountName: 'alice',
  upn: 'alice@nes.test',
  displayName: 'Alice',
  distinguishedName: 'CN=alice,OU=Staff,DC=nes,DC=test',
  mail: '',
  groupDns: [],
  userAccountControl: UAC.NORMAL_ACCOUNT,
  userAccountControlComputed: 0,
  accountExpires: null,
  lockoutTime: null,
  pwdLastSet: t(0),
  passwordExpiresAt: null,
  stamps: {
    attributes: {
      userAccountControl: stamp(1, 0),
      pwdLastSet: stamp(1, 0),
      lockoutTime: stamp(1, 0),
      accountExpires: stamp(1, 0),
    },
    newestChange: t(0),
  },
};

function view(
  dc: string,
  site: string,
  changes: Partial<ObservedAttributes>,
  at: number,
): Observation {
  return {
    guid: 'd075a1e1-71d2-4fa7-8309-6a9c1283d869',
    dc,
    site,
    presence: 'present',
    usnChanged: 100n,
    observedAt: t(at),
    changedAt: t(at),
    attributes: { ...base, ...changes },
  };
}

describe('mergeObservations (multi-site)', () => {
  it('takes a change made at one site at once, and a lagging site cannot undo it', () => {
    // Disabled at the west site at minute 10; east has not replicated it yet
    // and is read later (minute 20), still showing the account enabled.
    const west = view(
      'dc-west',
      'west',
      {
        userAccountControl: UAC.NORMAL_ACCOUNT | UAC.ACCOUNTDISABLE,
        stamps: {
          attributes: { ...base.stamps?.attributes, userAccountControl: stamp(2, 10, 'inv-west') },
          newestChange: t(10),
        },
      },
      11,
    );
    const east = view('dc-east', 'east', {}, 20);
    const merged = mergeObservations([west, east], undefined, policy, now);
    expect(merged?.state).toBe('disabled');
    expect(mergeObservations([east, west], undefined, policy, now)?.state).toBe('disabled');
  });

  it('keeps the newest password time seen at any site and never moves it back', () => {
    const changedAtWest = view(
      'dc-west',
      'west',
      {
        pwdLastSet: t(30),
        stamps: {
          attributes: { ...base.stamps?.attributes, pwdLastSet: stamp(2, 30, 'inv-west') },
          newestChange: t(30),
        },
      },
      31,
    );
    const east = view('dc-east', 'east', {}, 40);
    const merged = mergeObservations([changedAtWest, east], undefined, policy, now);
    expect(merged?.pwdLastSetMax).toEqual(t(30));
    expect(merged?.pwdLastSetSite).toBe('west');
    // Only the lagging site's view is left (the west one dropped): the mark stays.
    const later = mergeObservations([east], merged, policy, now);
    expect(later?.pwdLastSetMax).toEqual(t(30));
    expect(later?.pwdLastSetSite).toBe('west');
  });

  it('takes each state attribute from the view holding its newest write', () => {
    const lockedAtEast = view(
      'dc-east',
      'east',
      {
        lockoutTime: t(15),
        userAccountControlComputed: UAC.LOCKOUT,
        stamps: {
          attributes: { ...base.stamps?.attributes, lockoutTime: stamp(2, 15) },
          newestChange: t(15),
        },
      },
      16,
    );
    const passwordAtWest = view(
      'dc-west',
      'west',
      {
        pwdLastSet: t(20),
        stamps: {
          attributes: { ...base.stamps?.attributes, pwdLastSet: stamp(2, 20, 'inv-west') },
          newestChange: t(20),
        },
      },
      21,
    );
    const merged = mergeObservations([lockedAtEast, passwordAtWest], undefined, policy, now);
    expect(merged?.state).toBe('locked');
    expect(merged?.attributes.lockoutTime).toEqual(t(15));
    expect(merged?.attributes.pwdLastSet).toEqual(t(20));
    // The freshest view (west, newest change at 20) supplies the rest.
    expect(merged?.dc).toBe('dc-west');
  });

  it('uses observation order when the directory gives no metadata', () => {
    const plain = (dc: string, changes: Partial<ObservedAttributes>, at: number) =>
      view(dc, 'demo', { ...changes, stamps: undefined }, at);
    const merged = mergeObservations(
      [plain('a', { displayName: 'Old' }, 1), plain('b', { displayName: 'New' }, 2)],
      undefined,
      policy,
      now,
    );
    expect(merged?.attributes.displayName).toBe('New');
  });

  it('removes a user for good once any DC shows its tombstone', () => {
    const alive = view('dc-east', 'east', {}, 50);
    const tombstone: Observation = { ...view('dc-west', 'west', {}, 10), presence: 'deleted' };
    const merged = mergeObservations([alive, tombstone], undefined, policy, now);
    expect(merged).toMatchObject({ removed: 'deleted', state: 'deleted' });
    expect(mergeObservations([alive], merged, policy, now)?.removed).toBe('deleted');
  });

  it('lets the DC whose view of the scope changed last decide presence', () => {
    const stillIn = view('dc-east', 'east', {}, 5);
    const left: Observation = { ...view('dc-west', 'west', {}, 30), presence: 'out_of_scope' };
    expect(mergeObservations([stillIn, left], undefined, policy, now)?.removed).toBe(
      'out_of_scope',
    );
    const back = { ...view('dc-east', 'east', {}, 40) };
    expect(mergeObservations([back, left], undefined, policy, now)?.removed).toBeNull();
  });

  it('knows nothing without attributes', () => {
    const gone: Observation = {
      ...view('dc', 'east', {}, 1),
      presence: 'deleted',
      attributes: undefined,
    };
    expect(mergeObservations([gone], undefined, policy, now)).toBeUndefined();
  });
});
