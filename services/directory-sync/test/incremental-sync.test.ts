import { directoryV1 } from '@nes/proto';
import {
  addAdGroupMember,
  createAdGroup,
  createAdUser,
  createTestDatabase,
  getAdInfra,
  setAdPassword,
  type AdUser,
  type TestDatabase,
} from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteEntry,
  isolate,
  modifyEntry,
  outboxEvents,
  removeGroupMember,
  startDirectorySync,
  type Started,
} from './support/harness.js';

const { UserState } = directoryV1;

type Event = Awaited<ReturnType<typeof outboxEvents>>[number];
const samOf = (e: Event) =>
  (e.data['user'] as { samAccountName?: string } | undefined)?.samAccountName;

/**
 * After one full sync, every kind of change reaches NES through incremental
 * rounds (uSNChanged above the DC's cursor, tombstones with the show-deleted
 * control, group changes), each as its event in the outbox.
 */
describe('incremental sync against a real AD DC', () => {
  const ad = getAdInfra();
  let env: Awaited<ReturnType<typeof isolate>>;
  let started: Started;
  let group: { dn: string; name: string };
  const u: Record<string, AdUser> = {};

  beforeAll(async () => {
    env = await isolate('dir_incr');
    group = await createAdGroup(ad, { parentDn: env.ou });
    const make = async (name: string, memberOf: string[] = []) => {
      u[name] = await createAdUser(ad, { parentDn: env.ou, memberOf });
    };
    await Promise.all([
      make('pwd', [group.dn]),
      make('disable'),
      make('join'),
      make('remove'),
      make('leave', [group.dn]),
    ]);
    started = await startDirectorySync(env.database, { baseDn: env.ou });
  });

  afterAll(async () => {
    await started?.stop();
    await env?.cleanup();
  });

  const user = (name: string): AdUser => {
    const found = u[name];
    if (!found) throw new Error(`no user ${name}`);
    return found;
  };

  it('starts with a full sync that announces every user once', async () => {
    const [round] = await started.service.scheduler.runOnce();
    expect(round).toMatchObject({ status: 'synced', kind: 'full', changed: 5 });
    const events = await outboxEvents(started.db);
    expect(events.map((e) => e.type)).toEqual(Array(5).fill('nes.directory.user-synced.v1'));
    expect(events.every((e) => e.data['firstSeen'] === true)).toBe(true);
    const pwd = await started.client.getUser({
      lookup: { $case: 'account', value: user('pwd').logonName },
    });
    expect(pwd.user?.groups).toEqual([
      expect.objectContaining({
        distinguishedName: group.dn,
        name: group.name,
        guid: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      }),
    ]);
    // Nothing changed: a second round is incremental and silent.
    const [again] = await started.service.scheduler.runOnce();
    expect(again).toMatchObject({ status: 'synced', kind: 'incremental', changed: 0 });
    expect(await outboxEvents(started.db)).toHaveLength(5);
  });

  it('picks up a new user, a password change, a disable, group joins and leaves, and a deletion', async () => {
    const before = (await outboxEvents(started.db)).length;
    const { rows: cursorBefore } = await started.db.query<{
      full_sync_at: Date;
      highest_usn: string;
    }>('SELECT full_sync_at, highest_usn FROM sync_cursor');
    const oldPwd = await started.client.getUser({
      lookup: { $case: 'account', value: user('pwd').logonName },
    });

    const newcomer = await createAdUser(ad, {
      parentDn: env.ou,
      attributes: { displayName: 'New Comer' },
    });
    await setAdPassword(ad, user('pwd').dn, `Pw1-changed-${Date.now()}`);
    await modifyEntry(ad, user('disable').dn, { userAccountControl: '514' });
    await addAdGroupMember(ad, group.dn, user('join').dn);
    await removeGroupMember(ad, group.dn, user('leave').dn);
    await deleteEntry(ad, user('remove').dn);

    const [round] = await started.service.scheduler.runOnce();
    expect(round).toMatchObject({ status: 'synced', kind: 'incremental' });
    const { rows: cursorAfter } = await started.db.query<{
      full_sync_at: Date;
      highest_usn: string;
    }>('SELECT full_sync_at, highest_usn FROM sync_cursor');
    expect(cursorAfter[0]?.full_sync_at).toEqual(cursorBefore[0]?.full_sync_at);
    expect(BigInt(cursorAfter[0]?.highest_usn ?? 0)).toBeGreaterThan(
      BigInt(cursorBefore[0]?.highest_usn ?? 0),
    );

    const events = (await outboxEvents(started.db)).slice(before);
    const of = (name: string) =>
      events.filter(
        (e) =>
          samOf(e) === (name === 'newcomer' ? newcomer.sAMAccountName : user(name).sAMAccountName),
      );

    expect(of('newcomer')).toEqual([
      expect.objectContaining({
        type: 'nes.directory.user-synced.v1',
        data: expect.objectContaining({ firstSeen: true }) as unknown,
      }),
    ]);

    const pwdTypes = of('pwd').map((e) => e.type);
    expect(pwdTypes).toEqual(['nes.directory.user-synced.v1', 'nes.directory.password-changed.v1']);
    const changed = of('pwd')[1]?.data as {
      previousPwdLastSet: string;
      user: { pwdLastSet: string };
    };
    expect(new Date(changed.previousPwdLastSet)).toEqual(oldPwd.user?.pwdLastSet);
    expect(new Date(changed.user.pwdLastSet).getTime()).toBeGreaterThan(
      new Date(changed.previousPwdLastSet).getTime(),
    );

    expect(of('disable').map((e) => e.type)).toContain('nes.directory.user-state-changed.v1');
    expect(of('disable').find((e) => e.type.endsWith('user-state-changed.v1'))?.data).toMatchObject(
      {
        previousState: 'USER_STATE_ACTIVE',
        user: { state: 'USER_STATE_DISABLED', userAccountControl: 514 },
      },
    );

    expect(of('join')).toEqual([
      expect.objectContaining({
        type: 'nes.directory.user-synced.v1',
        data: expect.objectContaining({ changedFields: ['groups'] }) as unknown,
      }),
    ]);
    expect(of('leave')).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ changedFields: ['groups'] }) as unknown,
      }),
    ]);
    const left = await started.client.getUser({
      lookup: { $case: 'account', value: user('leave').logonName },
    });
    expect(left.user?.groups).toEqual([]);

    expect(of('remove')).toEqual([
      expect.objectContaining({
        type: 'nes.directory.user-deleted.v1',
        data: expect.objectContaining({
          user: expect.objectContaining({ state: 'USER_STATE_DELETED' }) as unknown,
        }) as unknown,
      }),
    ]);
    const removed = await started.client.getUser({
      lookup: { $case: 'account', value: user('remove').logonName },
    });
    expect(removed.user?.state).toBe(UserState.DELETED);

    const listed = await started.client.listUsers({
      query: '',
      page: { pageSize: 0, pageToken: '' },
    });
    const names = listed.users.map((x) => x.samAccountName);
    expect(names).toContain(newcomer.sAMAccountName);
    expect(names).not.toContain(user('remove').sAMAccountName);
  });

  describe('with the sync scoped to a users group', () => {
    let database: TestDatabase;
    let scoped: Started;
    let admin: AdUser;

    beforeAll(async () => {
      database = await createTestDatabase('dir_scope');
      const admins = await createAdGroup(ad, { parentDn: env.ou });
      admin = await createAdUser(ad, { parentDn: env.ou, memberOf: [admins.dn] });
      scoped = await startDirectorySync(database, {
        baseDn: env.ou,
        env: { NES_DIR_AD_USERS_GROUP_DN: group.dn, NES_DIR_AD_ADMINS_GROUP_DN: admins.dn },
      });
    });

    afterAll(async () => {
      await scoped?.stop();
      await database?.drop();
    });

    it('syncs only members (and administrators), and removes a user who leaves the group', async () => {
      const member = await createAdUser(ad, { parentDn: env.ou, memberOf: [group.dn] });
      const outsider = await createAdUser(ad, { parentDn: env.ou });
      await scoped.service.scheduler.runOnce();
      const names = (await scoped.client.listUsers({ query: '', page: undefined })).users.map(
        (x) => x.samAccountName,
      );
      expect(names).toContain(member.sAMAccountName);
      expect(names).toContain(admin.sAMAccountName);
      expect(names).not.toContain(outsider.sAMAccountName);

      await removeGroupMember(ad, group.dn, member.dn);
      await addAdGroupMember(ad, group.dn, outsider.dn);
      const [round] = await scoped.service.scheduler.runOnce();
      expect(round).toMatchObject({ kind: 'incremental' });
      const events = await outboxEvents(scoped.db);
      expect(
        events
          .filter((e) => samOf(e) === member.sAMAccountName)
          .map((e) => e.type)
          .at(-1),
      ).toBe('nes.directory.user-deleted.v1');
      expect(events.filter((e) => samOf(e) === outsider.sAMAccountName)).toEqual([
        expect.objectContaining({
          type: 'nes.directory.user-synced.v1',
          data: expect.objectContaining({ firstSeen: true }) as unknown,
        }),
      ]);
    });
  });
});
