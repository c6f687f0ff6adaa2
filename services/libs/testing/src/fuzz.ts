/**
 * Seeded mutation of valid requests, for "bad input never gets a 5xx" tests
 * against the real services. Deterministic for a seed: a failing case is
 * replayed by its seed, which the tests put into their failure messages.
 */

/** A uniform generator on [0, 1) from a 32-bit seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One element of `items`, picked by `random`. */
export function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

/**
 * Values that break naive handling: wrong types, extremes of numbers and
 * lengths, unpaired surrogates, control and bidi characters, injection
 * strings, impossible dates, prototype keys, deep nesting.
 */
export const HOSTILE_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53 + 1,
  1e308,
  -1e308,
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202eevil',
  '\r\n\t',
  'x'.repeat(5000),
  'é'.repeat(3000),
  "'; DROP TABLE log; --",
  '%00%ff',
  '../../etc/passwd',
  '${jndi:ldap://example.invalid/a}',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '2026-11-29T10:00:00',
  'NaN',
  '__proto__',
  [],
  [null],
  {},
  JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  { constructor: { prototype: { polluted: true } } },
  Array.from({ length: 50 }, (_, i) => i),
  nest(64),
];

function nest(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

/** Paths to every object member and array element of `value` (the root excluded). */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => [[...prefix, index], ...paths(item, [...prefix, index])]);
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      [...prefix, key],
      ...paths(item, [...prefix, key]),
    ]);
  }
  return [];
}

/**
 * A copy of `value` (plain JSON data) with one random change at a random
 * place: a member or element replaced by a hostile value, removed, or
 * repeated under an unknown name, or a hostile member added to an object.
 */
export function mutateJson(value: unknown, random: () => number): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const all = paths(copy);
  if (all.length === 0) return pick(HOSTILE_VALUES, random);
  const path = pick(all, random);
  const parent = path
    .slice(0, -1)
    .reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], copy) as
    Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1]!;
  const operation = Math.floor(random() * 4);
  if (operation === 0 || Array.isArray(parent)) {
    (parent as Record<string | number, unknown>)[key] = pick(HOSTILE_VALUES, random);
  } else if (operation === 1) {
    delete parent[key];
  } else if (operation === 2) {
    parent[`${String(key)}_${Math.floor(random() * 100)}`] = parent[key];
  } else {
    parent[pick(['extra', 'isAdmin', 'clientId', 'hostName', 'id'], random)] = pick(
      HOSTILE_VALUES,
      random,
    );
  }
  return copy;
}

/** A copy of `value` with one to three changes of {@link mutateJson}. */
export function mutateJsonSeveral(value: unknown, random: () => number): unknown {
  let mutated = value;
  for (let changes = 1 + Math.floor(random() * 3); changes > 0; changes -= 1) {
    mutated = mutateJson(mutated, random);
  }
  return mutated;
}

/**
 * `text` damaged at a random place: cut short, a character dropped, one
 * replaced or inserted (quotes, brackets, escapes, a lone surrogate).
 */
export function corruptText(text: string, random: () => number): string {
  const at = Math.floor(random() * (text.length + 1));
  const noise = pick(
    ['"', '\\', '{', '}', '[', ']', ',', ':', '\u0000', '\ud800', '%', '&', '='],
    random,
  );
  switch (Math.floor(random() * 4)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1);
    case 2:
      return text.slice(0, at) + noise + text.slice(at + 1);
    default:
      return text.slice(0, at) + noise + text.slice(at);
  }
}
