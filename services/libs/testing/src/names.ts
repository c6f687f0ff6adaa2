import { randomBytes } from 'node:crypto';
import { InfraError } from './errors.js';

let counter = 0;

/**
 * A name no other test (in this run or a concurrent one) uses, for topics,
 * consumer groups, schemas, databases, Redis key prefixes and the like:
 * `prefix_` + 10 lowercase base-36 characters (time, counter, randomness).
 * Lowercase letters, digits and `_` only, so it is valid everywhere unquoted.
 */
export function uniqueName(prefix: string): string {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(prefix)) {
    throw new InfraError(
      `uniqueName: prefix '${prefix}' must be 1-40 of [a-z0-9_], starting with a letter`,
    );
  }
  counter = (counter + 1) % 1296;
  const time = (Date.now() % 36 ** 5).toString(36).padStart(5, '0');
  const count = counter.toString(36).padStart(2, '0');
  const random = (randomBytes(3).readUIntBE(0, 3) % 36 ** 3).toString(36).padStart(3, '0');
  return `${prefix}_${time}${count}${random}`;
}
