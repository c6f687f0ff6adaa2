import { describe, expect, it } from 'vitest';
import type { Observation } from './observation.js';
import { finalCheck, preferredSites } from './password-routing.js';

const t = (day: number) => new Date(Date.UTC(2026, 10, day));

function obs(site: string, pwdLastSet: Date | null, observedDay: number): Observation {
  return {
    guid: 'g',
    dc: `dc-${site}`,
    site,
    presence: 'present',
    usnChanged: 1n,
    observedAt: t(observedDay),
    changedAt: t(observedDay),
    attributes: { pwdLastSet } as Observation['attributes'],
  };
}

describe('password routing', () => {
  it('tries first the sites that hold the newest password', () => {
    const views = [obs('east', t(1), 5), obs('west', t(3), 4), obs('north', t(3), 6)];
    expect(preferredSites(views, t(3), 'west')).toEqual(['north', 'west']);
    expect(preferredSites([obs('east', t(1), 5)], t(3), 'west')).toEqual(['west']);
    expect(preferredSites([], null, null)).toEqual([]);
  });

  it('refuses a password a lagging DC accepted as stale, and nothing else', () => {
    expect(finalCheck('ok', t(1), t(3))).toBe('stale_password');
    expect(finalCheck('ok', t(3), t(3))).toBe('ok');
    expect(finalCheck('ok', undefined, t(3))).toBe('ok');
    expect(finalCheck('ok', t(1), null)).toBe('ok');
    expect(finalCheck('invalid_password', t(1), t(3))).toBe('invalid_password');
  });
});
