import type { PasswordCheck } from './bind-outcome.js';
import type { Observation } from './observation.js';

/**
 * Where to check a password first: the sites whose DCs already hold the
 * newest password NES has seen for the user (a check at a site that has not
 * received it yet would fail on the new password and succeed on the old
 * one), then the site where it was first seen. The rest follow in configured
 * order.
 */
export function preferredSites(
  observations: readonly Observation[],
  pwdLastSetMax: Date | null,
  pwdLastSetSite: string | null,
): string[] {
  const sites: string[] = [];
  const add = (site: string | null) => {
    if (site !== null && !sites.includes(site)) sites.push(site);
  };
  if (pwdLastSetMax !== null) {
    const current = observations
      .filter((o) => o.presence === 'present')
      .filter((o) => (o.attributes?.pwdLastSet?.getTime() ?? -1) >= pwdLastSetMax.getTime())
      .sort((a, b) => b.observedAt.getTime() - a.observedAt.getTime());
    for (const o of current) add(o.site);
  }
  add(pwdLastSetSite);
  return sites;
}

/**
 * The final answer of a check: a password the DC accepted is still refused
 * as stale when that DC's pwdLastSet is older than the newest one NES saw at
 * any site — it is the previous password, and storing it would inject a
 * password the directory already replaced.
 */
export function finalCheck(
  check: PasswordCheck,
  dcPwdLastSet: Date | null | undefined,
  pwdLastSetMax: Date | null | undefined,
): PasswordCheck {
  if (check !== 'ok' || !pwdLastSetMax || !dcPwdLastSet) return check;
  return dcPwdLastSet.getTime() < pwdLastSetMax.getTime() ? 'stale_password' : 'ok';
}
