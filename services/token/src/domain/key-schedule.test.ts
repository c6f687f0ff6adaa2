import { describe, expect, it } from 'vitest';
import { currentKey, planKeyMaintenance, publishedKeys, type KeySchedule } from './key-schedule.js';

const H = 3_600_000;
const schedule: KeySchedule = {
  rotationIntervalMs: 24 * H,
  publishLeadMs: 2 * H,
  tokenLifetimeMs: 600_000,
  clockSkewMs: 60_000,
};
const T = 1_800_000_000_000;

describe('planKeyMaintenance', () => {
  it('creates a key that signs at once and its successor on an empty set', () => {
    expect(planKeyMaintenance([], T, schedule)).toEqual({ create: [T, T + 24 * H], remove: [] });
  });

  it('keeps exactly one future key, a full interval after the current one', () => {
    const keys = [{ kid: 'a', activatesAt: T }];
    expect(planKeyMaintenance(keys, T + H, schedule).create).toEqual([T + 24 * H]);
    const both = [...keys, { kid: 'b', activatesAt: T + 24 * H }];
    expect(planKeyMaintenance(both, T + H, schedule)).toEqual({ create: [], remove: [] });
  });

  it('never activates a key sooner than the publish lead after a long outage', () => {
    const keys = [{ kid: 'a', activatesAt: T }];
    const late = T + 30 * 24 * H;
    expect(planKeyMaintenance(keys, late, schedule).create).toEqual([late + 2 * H]);
  });

  it('signs at once when every stored key lies in the future', () => {
    const keys = [{ kid: 'b', activatesAt: T + 5 * H }];
    expect(planKeyMaintenance(keys, T, schedule).create).toEqual([T]);
  });

  it('deletes a retired key only after its last token expired', () => {
    const keys = [
      { kid: 'a', activatesAt: T },
      { kid: 'b', activatesAt: T + 24 * H },
      { kid: 'c', activatesAt: T + 48 * H },
    ];
    const retiredUntil = T + 24 * H + 600_000 + 60_000;
    expect(planKeyMaintenance(keys, retiredUntil - 1, schedule).remove).toEqual([]);
    expect(planKeyMaintenance(keys, retiredUntil, schedule).remove).toEqual(['a']);
  });
});

describe('currentKey and publishedKeys', () => {
  const keys = [
    { kid: 'a', activatesAt: T },
    { kid: 'b', activatesAt: T + 24 * H },
  ];
  it('signs with the latest activated key and publishes the next one ahead', () => {
    expect(currentKey(keys, T + H)?.kid).toBe('a');
    expect(currentKey(keys, T + 24 * H)?.kid).toBe('b');
    expect(currentKey(keys, T - 1)).toBeUndefined();
    expect(publishedKeys(keys, T + H, schedule).map((k) => k.kid)).toEqual(['a', 'b']);
  });

  it('keeps the old key published until its tokens expired', () => {
    const rotation = T + 24 * H;
    expect(publishedKeys(keys, rotation + 600_000, schedule).map((k) => k.kid)).toEqual(['a', 'b']);
    expect(publishedKeys(keys, rotation + 660_000, schedule).map((k) => k.kid)).toEqual(['b']);
  });
});
