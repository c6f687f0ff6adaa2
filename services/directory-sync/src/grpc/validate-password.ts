import { parseMessage, ServiceUnavailableError, type UnaryHandler } from '@nes/kit';
import { directoryV1 } from '@nes/proto';
import type { ServiceContext } from '../context.js';
import { BindOutcomeUnknownError, SiteUnavailableError } from '../directory-adapter.js';
import { loadObservations } from '../db/observations.js';
import { findUserByGuid, findUserByName } from '../db/users.js';
import { downLevelName } from '../domain/account-name.js';
import type { PasswordCheck } from '../domain/bind-outcome.js';
import { finalCheck, preferredSites } from '../domain/password-routing.js';
import { validatePasswordRequest } from './requests.js';
import { protoUsers } from './user-response.js';

const { PasswordValidationResult: Result } = directoryV1;

const RESULTS: Readonly<Record<PasswordCheck, directoryV1.PasswordValidationResult>> = {
  ok: Result.OK,
  invalid_password: Result.INVALID_PASSWORD,
  password_expired: Result.PASSWORD_EXPIRED,
  must_change: Result.MUST_CHANGE,
  account_disabled: Result.ACCOUNT_DISABLED,
  account_locked: Result.ACCOUNT_LOCKED,
  account_expired: Result.ACCOUNT_EXPIRED,
  no_such_account: Result.NO_SUCH_ACCOUNT,
  stale_password: Result.STALE_PASSWORD,
};

/**
 * ValidatePassword: one bind as the user against the directory — never a
 * cache — and exactly why it failed. The password is checked first where the
 * newest password already is; a password a lagging DC accepted but NES knows
 * to be replaced is answered STALE_PASSWORD. No DC reachable, or the
 * connection lost mid-bind (the attempt may have counted, so it is not
 * repeated elsewhere): UNAVAILABLE.
 */
export function validatePassword(
  ctx: ServiceContext,
): UnaryHandler<directoryV1.ValidatePasswordRequest, directoryV1.ValidatePasswordResponse> {
  return async (message, call) => {
    const { account, password } = parseMessage(validatePasswordRequest, message);
    const known = await findUserByName(
      ctx.pool,
      account.kind === 'upn' ? { upn: account.upn } : account,
    );
    const observations = known ? await loadObservations(ctx.pool, [known.guid]) : [];
    const siteOrder = known
      ? preferredSites(observations, known.pwdLastSetMax, known.pwdLastSetSite)
      : [];
    let outcome;
    try {
      outcome = await ctx.directory.checkPassword({ account, password, siteOrder });
    } catch (error) {
      if (error instanceof SiteUnavailableError) {
        ctx.metrics.passwordCheck('unavailable');
        throw new ServiceUnavailableError(
          'no domain controller could be reached; try again later',
          {
            cause: error,
            code: 'directory_unavailable',
          },
        );
      }
      if (error instanceof BindOutcomeUnknownError) {
        ctx.metrics.passwordCheck('outcome_unknown');
        throw new ServiceUnavailableError(
          'the domain controller was lost during the check; it may have counted the attempt',
          { cause: error, code: 'directory_unavailable' },
        );
      }
      throw error;
    }
    const user =
      outcome.guid === undefined
        ? known
        : ((await findUserByGuid(ctx.pool, outcome.guid)) ?? undefined);
    const result = finalCheck(outcome.check, outcome.dcPwdLastSet, user?.pwdLastSetMax);
    ctx.metrics.passwordCheck(result);
    if (outcome.check !== 'no_such_account') ctx.metrics.bind(outcome.site, outcome.check);
    call.logger.info(
      {
        account:
          account.kind === 'upn'
            ? account.upn
            : downLevelName(account.domain, account.samAccountName),
        result,
        dc: outcome.dc,
        site: outcome.site,
        subcode: outcome.subcode,
        user: user?.guid,
      },
      'password checked',
    );
    const [view] = user ? await protoUsers(ctx.pool, [user], ctx.directory.domain) : [];
    return {
      result: RESULTS[result],
      user: result === 'no_such_account' ? undefined : view,
      dc: outcome.dc,
    };
  };
}
