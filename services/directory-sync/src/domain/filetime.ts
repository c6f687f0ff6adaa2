/**
 * Active Directory times. Absolute times are Windows FILETIMEs: 100-nanosecond
 * intervals since 1601-01-01 UTC, written as decimal integers. Durations in
 * the domain policy (lockoutDuration, maxPwdAge) are negative intervals.
 */

/** 100 ns ticks between 1601-01-01 and 1970-01-01. */
const EPOCH_OFFSET_TICKS = 116_444_736_000_000_000n;
const TICKS_PER_MS = 10_000n;
/** The largest int64: accountExpires' "never", msDS-UserPasswordExpiryTimeComputed's "never". */
export const FILETIME_NEVER = 9_223_372_036_854_775_807n;
/** The smallest int64: a lockoutDuration of "until an administrator unlocks". */
const INTERVAL_FOREVER = -9_223_372_036_854_775_808n;
/** Dates beyond this are not representable by `Date` (±8.64e15 ms). */
const MAX_DATE_MS = 8_640_000_000_000_000n;

const INTEGER = /^-?\d{1,20}$/;

/** Parses a decimal int64 attribute value; undefined when absent or malformed. */
export function parseInt64(value: string | undefined): bigint | undefined {
  if (value === undefined || !INTEGER.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed > FILETIME_NEVER || parsed < INTERVAL_FOREVER ? undefined : parsed;
}

/** A FILETIME as a Date (undefined when it lies outside what Date can hold). */
export function fileTimeToDate(ticks: bigint): Date | undefined {
  const ms = (ticks - EPOCH_OFFSET_TICKS) / TICKS_PER_MS;
  if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) return undefined;
  return new Date(Number(ms));
}

/**
 * A FILETIME attribute where 0 and the int64 maximum both mean "not set"
 * (accountExpires, lockoutTime, pwdLastSet, the password expiry): null
 * for those, the Date otherwise, undefined when the value is absent or
 * malformed.
 */
export function optionalFileTime(value: string | undefined): Date | null | undefined {
  const ticks = parseInt64(value);
  if (ticks === undefined) return undefined;
  if (ticks <= 0n || ticks === FILETIME_NEVER) return null;
  return fileTimeToDate(ticks) ?? null;
}

/**
 * A policy interval (lockoutDuration, maxPwdAge) in milliseconds: null for
 * "forever" (the int64 minimum, or 0, which AD also reads as "never
 * expires / until unlocked"), undefined when absent or malformed.
 */
export function intervalToMs(value: string | undefined): number | null | undefined {
  const ticks = parseInt64(value);
  if (ticks === undefined) return undefined;
  if (ticks === 0n || ticks === INTERVAL_FOREVER) return null;
  const magnitude = ticks < 0n ? -ticks : ticks;
  return Number(magnitude / TICKS_PER_MS);
}

/** Seconds since 1601 (replication metadata's NTTIME_1sec) as a Date. */
export function ntTimeSecondsToDate(seconds: bigint): Date {
  return new Date(Number(seconds * 1000n - EPOCH_OFFSET_TICKS / TICKS_PER_MS));
}
