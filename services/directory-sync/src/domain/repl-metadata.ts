import { ntTimeSecondsToDate } from './filetime.js';
import { guidFromBytes } from './guid-sid.js';

/**
 * Per-attribute replication metadata (the `replPropertyMetaData` blob,
 * MS-DRSR REPLPROPERTYMETADATA): for each attribute, the version and the
 * time and DC where its current value originated. AD resolves replication
 * conflicts with exactly these, so NES uses them to decide which site's
 * copy of an attribute is the newest.
 */
export interface ChangeStamp {
  /** Incremented by every originating write of the attribute. */
  readonly version: number;
  /** When the current value was written at its originating DC (1 s precision). */
  readonly originatingTime: Date;
  /** invocationId of the originating DC's database (tie-breaker). */
  readonly originatingInvocationId: string;
}

/** Attribute ids (ATTRTYP) of the attributes whose metadata NES reads. */
export const ATTID = {
  userAccountControl: 0x0009_0008,
  pwdLastSet: 0x0009_0060,
  accountExpires: 0x0009_009f,
  lockoutTime: 0x0009_0296,
} as const;

/** The attributes NES merges by their replication metadata. */
export type StampedAttribute = keyof typeof ATTID;

/** Change stamps of the state attributes, plus the newest originating time of any attribute. */
export interface ObjectStamps {
  readonly attributes: Partial<Record<StampedAttribute, ChangeStamp>>;
  /** The newest originating change of any attribute this DC holds for the object. */
  readonly newestChange: Date | undefined;
}

const HEADER_BYTES = 16;
const ENTRY_BYTES = 48;

/**
 * Parses a replPropertyMetaData blob (version 1). Returns undefined for a
 * blob of another version or a truncated one: callers then fall back to
 * observation order, which is what they do for directories without it.
 */
export function parseReplPropertyMetaData(blob: Buffer | undefined): ObjectStamps | undefined {
  if (blob === undefined || blob.length < HEADER_BYTES || blob.readUInt32LE(0) !== 1) {
    return undefined;
  }
  const count = blob.readUInt32LE(8);
  if (blob.length < HEADER_BYTES + count * ENTRY_BYTES) return undefined;
  const wanted = new Map<number, StampedAttribute>(
    (Object.entries(ATTID) as [StampedAttribute, number][]).map(([name, id]) => [id, name]),
  );
  const attributes: Partial<Record<StampedAttribute, ChangeStamp>> = {};
  let newest: Date | undefined;
  for (let i = 0; i < count; i += 1) {
    const at = HEADER_BYTES + i * ENTRY_BYTES;
    const stamp: ChangeStamp = {
      version: blob.readUInt32LE(at + 4),
      originatingTime: ntTimeSecondsToDate(blob.readBigUInt64LE(at + 8)),
      originatingInvocationId: guidFromBytes(blob.subarray(at + 16, at + 32)),
    };
    if (newest === undefined || stamp.originatingTime > newest) newest = stamp.originatingTime;
    const name = wanted.get(blob.readUInt32LE(at));
    if (name !== undefined) attributes[name] = stamp;
  }
  return { attributes, newestChange: newest };
}

/**
 * AD's conflict resolution order: the higher version wins, then the later
 * originating time, then the higher originating invocationId. Positive when
 * `a` is newer.
 */
export function compareStamps(a: ChangeStamp, b: ChangeStamp): number {
  if (a.version !== b.version) return a.version - b.version;
  const time = a.originatingTime.getTime() - b.originatingTime.getTime();
  if (time !== 0) return time;
  return a.originatingInvocationId < b.originatingInvocationId
    ? -1
    : a.originatingInvocationId > b.originatingInvocationId
      ? 1
      : 0;
}
