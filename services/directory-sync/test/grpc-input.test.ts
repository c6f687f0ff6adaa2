import { directoryV1 } from '@nes/proto';
import { createAdUser, getAdInfra, type AdUser } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  badPwdCount,
  isolate,
  outboxEvents,
  startDirectorySync,
  storedText,
  type Started,
} from './support/harness.js';

const { PasswordValidationResult: Result } = directoryV1;

/**
 * Bad input never reaches AD as syntax: malformed names, filter injection,
 * huge strings and NUL are refused with INVALID_ARGUMENT naming the field,
 * and what passes validation is escaped. Passwords — the users' and the
 * service account's — appear in no log line, event or table.
 */
describe('gRPC input handling and secrecy', () => {
  const ad = getAdInfra();
  let env: Awaited<ReturnType<typeof isolate>>;
  let started: Started;
  let victim: AdUser;
  let other: AdUser;

  beforeAll(async () => {
    env = await isolate('dir_input');
    [victim, other] = await Promise.all([
      createAdUser(ad, { parentDn: env.ou, attributes: { displayName: 'Victim 100%_match' } }),
      createAdUser(ad, { parentDn: env.ou }),
    ]);
    started = await startDirectorySync(env.database, { baseDn: env.ou });
    await started.service.scheduler.runOnce();
  });

  afterAll(async () => {
    await started?.stop();
    await env?.cleanup();
  });

  const invalid = { status: 400, code: 'validation_failed' };

  it.each([
    [
      'an empty password (an anonymous bind to AD)',
      'NES\\alice',
      '',
      /\/password: password is empty/,
    ],
    ['a NUL in the password', 'NES\\alice', 'a\u0000b', /\/password: password contains NUL/],
    ['a huge password', 'NES\\alice', 'p'.repeat(10_000), /\/password: at most 512/],
    [
      'filter syntax in a user name',
      'NES\\*)(uid=*',
      'x',
      /\/account: user name contains characters/,
    ],
    ['an LDAP wildcard user name', 'NES\\*', 'x', /\/account: user name contains characters/],
    ['a NUL in the account', 'NES\\ali\u0000ce', 'x', /\/account: account name contains control/],
    ['a huge account name', `NES\\${'a'.repeat(100_000)}`, 'x', /\/account: at most 320/],
    ['a DN as account', 'CN=alice,DC=nes,DC=test', 'x', /\/account: expected DOMAIN/],
    ['no account', '', 'x', /\/account: account name is empty/],
  ])(
    'refuses %s with INVALID_ARGUMENT, before any bind',
    async (_what, account, password, message) => {
      const before = await badPwdCount(ad, victim.dn);
      const call = started.client.validatePassword({ account, password });
      await expect(call).rejects.toMatchObject(invalid);
      await expect(call).rejects.toThrow(message);
      expect(await badPwdCount(ad, victim.dn)).toBe(before);
    },
  );

  it('escapes what passes validation: a wildcard UPN matches nobody, and binds nobody', async () => {
    const prefix = victim.userPrincipalName.slice(0, 4);
    const before = await badPwdCount(ad, victim.dn);
    // Unescaped, "u_xy*@nes.test" would find the victim and bind with their password.
    for (const upn of [
      `${prefix}*@${ad.realm.toLowerCase()}`,
      `*)(sAMAccountName=*@${ad.realm.toLowerCase()}`,
    ]) {
      const answer = await started.client.validatePassword({
        account: upn,
        password: victim.password,
      });
      expect(answer.result).toBe(Result.NO_SUCH_ACCOUNT);
    }
    expect(await badPwdCount(ad, victim.dn)).toBe(before);
    const real = await started.client.validatePassword({
      account: victim.userPrincipalName,
      password: victim.password,
    });
    expect(real.result).toBe(Result.OK);
  });

  it('refuses malformed lookups', async () => {
    await expect(started.client.getUser({ lookup: undefined })).rejects.toMatchObject(invalid);
    await expect(
      started.client.getUser({ lookup: { $case: 'guid', value: "1' OR '1'='1" } }),
    ).rejects.toThrow(/\/lookup\/value: expected a UUID/);
    await expect(
      started.client.getUser({ lookup: { $case: 'account', value: 'NES\\*)(objectClass=*' } }),
    ).rejects.toMatchObject(invalid);
    await expect(
      started.client.getUser({ lookup: { $case: 'upn', value: 'NES\\alice' } }),
    ).rejects.toThrow(/expected user@domain/);
    await expect(
      started.client.listUsers({ query: 'a\u0000', page: { pageSize: 10, pageToken: '' } }),
    ).rejects.toMatchObject(invalid);
    await expect(
      started.client.listUsers({ query: '', page: { pageSize: 10, pageToken: 'bm90LWEtdG9rZW4' } }),
    ).rejects.toMatchObject({ status: 400, code: 'invalid_page_token' });
    await expect(
      started.client.listUsers({ query: 'x'.repeat(300), page: undefined }),
    ).rejects.toMatchObject(invalid);
  });

  it('treats LIKE wildcards in a ListUsers query literally and pages with tokens', async () => {
    const percent = await started.client.listUsers({ query: '%', page: undefined });
    expect(percent.users).toEqual([]);
    const literal = await started.client.listUsers({ query: 'victim 100%_', page: undefined });
    expect(literal.users.map((u) => u.samAccountName)).toEqual([victim.sAMAccountName]);

    const first = await started.client.listUsers({
      query: 'u_',
      page: { pageSize: 1, pageToken: '' },
    });
    expect(first.users).toHaveLength(1);
    expect(first.page?.nextPageToken).not.toBe('');
    const second = await started.client.listUsers({
      query: 'u_',
      page: { pageSize: 1, pageToken: first.page?.nextPageToken ?? '' },
    });
    expect(second.users).toHaveLength(1);
    expect(second.page?.nextPageToken).toBe('');
    expect([first.users[0]?.samAccountName, second.users[0]?.samAccountName].sort()).toEqual(
      [victim.sAMAccountName, other.sAMAccountName].sort(),
    );
    await expect(
      started.client.listUsers({
        query: 'v',
        page: { pageSize: 1, pageToken: first.page?.nextPageToken ?? '' },
      }),
    ).rejects.toThrow(/another query/);
  });

  it('writes no password to logs, events or tables', async () => {
    // A right and a wrong password, through every path that handles one.
    const wrong = `Wrong-${victim.password}-zz`;
    await started.client.validatePassword({ account: other.logonName, password: other.password });
    await started.client.validatePassword({ account: other.logonName, password: wrong });
    await started.service.scheduler.runOnce();
    const events = await outboxEvents(started.db);
    expect(events.length).toBeGreaterThan(0);
    const haystacks = [started.logs.text(), JSON.stringify(events), await storedText(started.db)];
    expect(started.logs.lines.some((l) => l['msg'] === 'password checked')).toBe(true);
    for (const text of haystacks) {
      for (const secret of [victim.password, other.password, wrong, ad.adminPassword]) {
        expect(text).not.toContain(secret);
      }
    }
  });
});
