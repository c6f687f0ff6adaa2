import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/** Random bytes drawn from the OS per refill: one syscall for 256 ids. */
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let taken = POOL_BYTES;

/** Monotonic state of this process' ids: the last millisecond and the counter within it. */
let lastMs = -1;
let seq = 0;

/**
 * A fresh UUIDv7 (RFC 9562) for an event: time-ordered, 74 random bits, and
 * increasing within one process even inside one millisecond (a counter seeded
 * randomly per millisecond, as the `uuid` package does). The random bytes come
 * from a pool refilled 256 ids at a time — `uuid`'s own v7 asks the OS for 16
 * bytes per id, which showed up in ingest profiles at 500 ids a request.
 */
export function newEventId(): string {
  if (taken + 16 > POOL_BYTES) {
    pool = randomFillSync(new Uint8Array(POOL_BYTES));
    taken = 0;
  }
  const random = pool.subarray(taken, (taken += 16));
  let now = Date.now();
  if (now > lastMs) {
    // 31 random bits leave room to count up within the millisecond.
    seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    lastMs = now;
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) lastMs += 1;
    now = lastMs;
  }
  return uuidv7({ random, msecs: now, seq });
}
