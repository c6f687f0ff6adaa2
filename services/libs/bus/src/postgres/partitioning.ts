/**
 * Pure placement and balancing rules of the Postgres bus, kept apart from
 * I/O so they are unit-tested and identical in every process.
 */

/** 32-bit FNV-1a of the key's UTF-8 bytes: stable across processes and versions. */
export function fnv1a32(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Partition of `key` among `partitions` (same key → same partition → ordered). */
export function partitionForKey(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  }
  return fnv1a32(key) % partitions;
}

/**
 * How many partitions member `self` should hold: an even share, the
 * remainder going to the first members in id order. Every member computes
 * the same split from the same member list, so the group converges without
 * a leader: members above their share release, members below acquire.
 * A member missing from the list (not yet visible) aims for nothing extra
 * beyond an even share.
 */
export function targetShare(
  partitionCount: number,
  memberIds: readonly string[],
  self: string,
): number {
  if (partitionCount <= 0) return 0;
  const members = [...new Set([...memberIds, self])].sort();
  const rank = members.indexOf(self);
  const base = Math.floor(partitionCount / members.length);
  return base + (rank < partitionCount % members.length ? 1 : 0);
}
