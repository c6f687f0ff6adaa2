import { mkdtempSync, mkdirSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isReachableBy } from '../src/reachable.js';

describe('isReachableBy', () => {
  const base = mkdtempSync(join(tmpdir(), 'nes-reach-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  // An identity that owns nothing here: only the "other" bits apply to it.
  const stranger = { uid: 65_000, gid: 65_000 };

  it('follows the execute bit of every ancestor', () => {
    const open = join(base, 'open', 'data');
    mkdirSync(open, { recursive: true });
    chmodSync(base, 0o755);
    chmodSync(join(base, 'open'), 0o755);
    expect(isReachableBy(open, stranger)).toBe(true);

    chmodSync(join(base, 'open'), 0o700);
    expect(isReachableBy(open, stranger)).toBe(false);
  });

  it('judges a path not created yet by its nearest existing ancestor', () => {
    chmodSync(base, 0o755);
    expect(isReachableBy(join(base, 'later', 'deeper'), stranger)).toBe(true);
    chmodSync(base, 0o700);
    expect(isReachableBy(join(base, 'later', 'deeper'), stranger)).toBe(false);
  });
});
