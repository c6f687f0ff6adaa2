import { randomBytes } from 'node:crypto';

/** A parsed W3C Trace Context `traceparent` header (https://www.w3.org/TR/trace-context/ §3.2). */
export interface TraceParent {
  /** Two lower-case hex digits; `00` today. */
  readonly version: string;
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** The caller's span: 16 lower-case hex digits, not all zero. */
  readonly parentId: string;
  /** Two lower-case hex digits of trace flags. */
  readonly flags: string;
  /** Whether the caller recorded this trace (flag bit 0). */
  readonly sampled: boolean;
}

const HEADER = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * Parses a `traceparent` header; returns undefined for anything invalid (the
 * spec says to ignore it then and start a new trace). Version `ff` is invalid;
 * version 00 must be exactly 55 characters; higher versions may append fields
 * after a `-`, which are ignored.
 */
export function parseTraceparent(
  header: string | readonly string[] | undefined,
): TraceParent | undefined {
  // Several traceparent headers make the context ambiguous: ignore them all.
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const match = HEADER.exec(header.trim());
  if (!match) return undefined;
  const [, version = '', traceId = '', parentId = '', flags = '', rest] = match;
  if (version === 'ff' || traceId === ZERO_TRACE || parentId === ZERO_SPAN) return undefined;
  if (version === '00' && rest !== undefined) return undefined;
  return { version, traceId, parentId, flags, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** Formats a version-00 `traceparent` header value. */
export function formatTraceparent(trace: {
  readonly traceId: string;
  readonly parentId: string;
  readonly sampled: boolean;
}): string {
  return `00-${trace.traceId}-${trace.parentId}-${trace.sampled ? '01' : '00'}`;
}

/**
 * The context to send downstream: the same trace with a new span id of ours as
 * parent, or a fresh trace when the caller sent none.
 */
export function childTraceparent(parent: TraceParent | undefined): TraceParent {
  return {
    version: '00',
    traceId: parent?.traceId ?? randomBytes(16).toString('hex'),
    parentId: randomBytes(8).toString('hex'),
    flags: parent?.flags ?? '00',
    sampled: parent?.sampled ?? false,
  };
}
