import { directoryV1 } from '@nes/proto';
import { createAdUser, getAdInfra, runSambaTool, type AdUser } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  badPwdCount,
  isolate,
  outboxEvents,
  startDirectorySync,
  type Started,
} from './support/harness.js';

const { PasswordValidationResult: Result, UserState } = directoryV1;

/**
 * Every account state from real AD attributes and real bind results: each
 * user is made in its state on the harness' Samba DC (lockout threshold 3),
 * synced, looked up, and its password checked with one bind.
 */
describe('account states against a real AD DC', () => {
  const ad = getAdInfra();
  let env: Awaited<ReturnType<typeof isolate>>;
  let started: Started;
  const users: Record<string, AdUser> = {};

  beforeAll(async () => {
    env = await isolate('dir_states');
    const make = (name: string, options: Parameters<typeof createAdUser>[1] = {}) =>
      createAdUser(ad, { parentDn: env.ou, ...options }).then((user) => (users[name] = user));
    await Promise.all([
      make('active', { attributes: { displayName: 'Active User', mail: 'active@nes.test' } }),
      make('disabled', { disabled: true }),
      make('mustChange', { mustChangePassword: true }),
      make('expired', { accountExpired: true }),
      make('disabledExpired', { disabled: true, accountExpired: true }),
      make('pwdExpired'),
      make('locked'),
      make('counted'),
    ]);
    // pwdLastSet can only be written as 0 or -1: set the password 50 days ago (max age 42).
    const pwdExpired = users['pwdExpired'];
    if (!pwdExpired) throw new Error('user missing');
    await runSambaTool(
      ['user', 'setpassword', pwdExpired.sAMAccountName, `--newpassword=${pwdExpired.password}`],
      {
        faketime: '-50d',
      },
    );
    started = await startDirectorySync(env.database, { baseDn: env.ou });
  });

  afterAll(async () => {
    await started?.stop();
    await env?.cleanup();
  });

  const check = (user: AdUser, password = user.password, account = user.logonName) =>
    started.client.validatePassword({ account, password });

  it('costs exactly one failed bind per wrong password, and locks on the third', async () => {
    const user = users['locked'];
    if (!user) throw new Error('user missing');
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const answer = await check(user, `wrong-${attempt}`);
      expect(answer.result).toBe(Result.INVALID_PASSWORD);
      expect(await badPwdCount(ad, user.dn)).toBe(attempt);
    }
    // Now locked out: even the right password is refused, and AD says why.
    expect((await check(user)).result).toBe(Result.ACCOUNT_LOCKED);
  });

  it('syncs every state and predicts what a bind with the right password answers', async () => {
    const round = await started.service.scheduler.runOnce();
    expect(round).toEqual([
      expect.objectContaining({ status: 'synced', kind: 'full', site: 'main' }),
    ]);

    const expected: [string, directoryV1.UserState, directoryV1.PasswordValidationResult][] = [
      ['active', UserState.ACTIVE, Result.OK],
      ['disabled', UserState.DISABLED, Result.ACCOUNT_DISABLED],
      ['mustChange', UserState.MUST_CHANGE_PASSWORD, Result.MUST_CHANGE],
      ['expired', UserState.EXPIRED, Result.ACCOUNT_EXPIRED],
      ['disabledExpired', UserState.DISABLED, Result.ACCOUNT_DISABLED],
      ['pwdExpired', UserState.PASSWORD_EXPIRED, Result.PASSWORD_EXPIRED],
      ['locked', UserState.LOCKED, Result.ACCOUNT_LOCKED],
    ];
    for (const [name, state, result] of expected) {
      const user = users[name];
      if (!user) throw new Error(`user ${name} missing`);
      const { user: synced } = await started.client.getUser({
        lookup: { $case: 'account', value: user.logonName },
      });
      expect({ name, state: synced?.state }).toEqual({ name, state });
      const answer = await check(user);
      expect({ name, result: answer.result }).toEqual({ name, result });
      expect(answer.dc).toBe(ad.servername);
    }
  });

  it('returns the synced user with a check, looked up by DOMAIN\\user, UPN or GUID', async () => {
    const user = users['active'];
    if (!user) throw new Error('user missing');
    const answer = await check(user, user.password, user.userPrincipalName);
    expect(answer.result).toBe(Result.OK);
    expect(answer.user).toMatchObject({
      samAccountName: user.sAMAccountName,
      upn: user.userPrincipalName,
      domain: ad.domain,
      displayName: 'Active User',
      mail: 'active@nes.test',
      state: UserState.ACTIVE,
      site: 'main',
    });
    const guid = answer.user?.guid ?? '';
    expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(answer.user?.sid).toMatch(/^S-1-5-21-\d+-\d+-\d+-\d+$/);
    expect(answer.user?.pwdLastSet?.getTime()).toBeGreaterThan(Date.now() - 3_600_000);
    const byGuid = await started.client.getUser({
      lookup: { $case: 'guid', value: guid.toUpperCase() },
    });
    const byUpn = await started.client.getUser({
      lookup: { $case: 'upn', value: user.userPrincipalName.toUpperCase() },
    });
    expect(byGuid.user?.guid).toBe(guid);
    expect(byUpn.user?.guid).toBe(guid);
  });

  it('answers NO_SUCH_ACCOUNT without a bind, and NOT_FOUND for unknown lookups', async () => {
    const answer = await started.client.validatePassword({
      account: `${ad.domain}\\nobody_here_x`,
      password: 'x',
    });
    expect(answer.result).toBe(Result.NO_SUCH_ACCOUNT);
    expect(answer.user).toBeUndefined();
    const other = await started.client.validatePassword({
      account: 'OTHERDOM\\alice',
      password: 'x',
    });
    expect(other.result).toBe(Result.NO_SUCH_ACCOUNT);
    await expect(
      started.client.getUser({
        lookup: { $case: 'account', value: `${ad.domain}\\nobody_here_x` },
      }),
    ).rejects.toMatchObject({ code: 'user_not_found', status: 404 });
  });

  it('checks a wrong password on a disabled account with one bind', async () => {
    const user = users['disabled'];
    if (!user) throw new Error('user missing');
    const before = await badPwdCount(ad, user.dn);
    const answer = await check(user, 'not-the-password');
    // AD checks the password before the account flags: a wrong one is just wrong.
    expect(answer.result).toBe(Result.INVALID_PASSWORD);
    expect(await badPwdCount(ad, user.dn)).toBe(before + 1);
  });

  it('emits the lockout as a state change on the next sync', async () => {
    const user = users['counted'];
    if (!user) throw new Error('user missing');
    for (let i = 0; i < 3; i += 1) await check(user, `bad-${i}`);
    expect(await badPwdCount(ad, user.dn)).toBe(3);
    await started.service.scheduler.runOnce();
    const events = (await outboxEvents(started.db)).filter(
      (e) => e.type === 'nes.directory.user-state-changed.v1' && e.data['user'] !== undefined,
    );
    const mine = events.find(
      (e) => (e.data['user'] as { samAccountName: string }).samAccountName === user.sAMAccountName,
    );
    expect(mine?.data).toMatchObject({
      previousState: 'USER_STATE_ACTIVE',
      user: { state: 'USER_STATE_LOCKED' },
    });
  });
});
