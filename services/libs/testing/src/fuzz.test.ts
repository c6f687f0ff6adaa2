import { describe, expect, it } from 'vitest';
import { corruptText, mutateJson, seededRandom } from './fuzz.js';

describe('fuzz helpers', () => {
  it('replay the same sequence for the same seed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 5 }, () => random());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(7).every((value) => value >= 0 && value < 1)).toBe(true);
  });

  it('change a copy of a JSON value, never the value itself', () => {
    const original = { events: [{ a: 1, b: 'x' }, { a: 2 }], meta: { n: 0 } };
    const snapshot = JSON.stringify(original);
    let changed = 0;
    for (let seed = 1; seed <= 200; seed += 1) {
      const mutated = mutateJson(original, seededRandom(seed));
      if (JSON.stringify(mutated) !== snapshot) changed += 1;
    }
    expect(JSON.stringify(original)).toBe(snapshot);
    // Replacing a value by an equal one is possible, but rare.
    expect(changed).toBeGreaterThan(190);
  });

  it('damage a text in one place', () => {
    const text = '{"events":[1,2,3]}';
    const damaged = Array.from({ length: 100 }, (_, i) => corruptText(text, seededRandom(i)));
    expect(damaged.filter((t) => t !== text).length).toBeGreaterThan(80);
    expect(damaged.every((t) => Math.abs(t.length - text.length) <= 1 || text.startsWith(t))).toBe(
      true,
    );
  });
});
