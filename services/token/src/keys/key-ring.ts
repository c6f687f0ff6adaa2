import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import {
  currentKey,
  publishedKeys,
  type KeySchedule,
  type ScheduledKey,
} from '../domain/key-schedule.js';
import type { PublicJwk, SigningAlgorithm } from './signing-algorithms.js';

/** A key ready to sign and verify, with everything the hot path needs precomputed. */
export interface LoadedKey extends ScheduledKey {
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: PublicJwk;
  /** `base64url(protected header) + '.'`: the same for every token of this key. */
  readonly headerPrefix: string;
}

/** Builds a {@link LoadedKey} from its parts. */
export function loadKey(parts: {
  kid: string;
  alg: SigningAlgorithm;
  activatesAt: number;
  privateKey: KeyObject;
  publicJwk: PublicJwk;
}): LoadedKey {
  // RFC 9068 §2.1: typ "at+jwt"; kid tells verifiers which published key to use.
  const header = JSON.stringify({ alg: parts.alg, typ: 'at+jwt', kid: parts.kid });
  return {
    ...parts,
    publicKey: createPublicKey(parts.privateKey),
    headerPrefix: `${Buffer.from(header).toString('base64url')}.`,
  };
}

/** The published key set, serialized once per change. */
export interface JwksDocument {
  readonly body: string;
  /** Strong ETag over the body. */
  readonly etag: string;
}

/** This replica's signing keys. */
export interface KeyRing {
  /** Replaces the key set (after a refresh) and recomputes the JWKS. */
  replace(keys: readonly LoadedKey[], now: number): void;
  /** The key that signs at `now`, if any. */
  signingKey(now: number): LoadedKey | undefined;
  /** A loaded key by kid (for verifying this service's own tokens). */
  key(kid: string): LoadedKey | undefined;
  jwks(): JwksDocument;
  readonly size: number;
}

const ES256_OPTIONS = { dsaEncoding: 'ieee-p1363' } as const;

/**
 * Signs a JWS compact serialization over `header.payload`. ES256 signatures
 * are the raw r‖s form JWS requires (RFC 7518 §3.4), not DER.
 */
export function signCompact(key: LoadedKey, payloadJson: string): string {
  const input = key.headerPrefix + Buffer.from(payloadJson, 'utf8').toString('base64url');
  const data = Buffer.from(input, 'latin1');
  const signature =
    key.alg === 'ES256'
      ? sign('sha256', data, { key: key.privateKey, ...ES256_OPTIONS })
      : sign(null, data, key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

function jwksOf(keys: readonly LoadedKey[]): JwksDocument {
  const body = JSON.stringify({ keys: keys.map((key) => key.publicJwk) });
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, etag };
}

/**
 * Creates an empty key ring. The signing key is looked up once per
 * activation window (from its activation to its successor's), so the hot
 * path costs two comparisons.
 */
export function createKeyRing(schedule: KeySchedule): KeyRing {
  let keys: readonly LoadedKey[] = [];
  let byKid = new Map<string, LoadedKey>();
  let document = jwksOf([]);
  let window: { key: LoadedKey; from: number; until: number } | undefined;

  function computeWindow(now: number): void {
    const key = currentKey(keys, now);
    if (key === undefined) {
      window = undefined;
      return;
    }
    let until = Number.POSITIVE_INFINITY;
    for (const other of keys) {
      if (other.activatesAt > key.activatesAt && other.activatesAt < until)
        until = other.activatesAt;
    }
    window = { key, from: key.activatesAt, until };
  }

  return {
    replace(next, now) {
      keys = [...next];
      byKid = new Map(keys.map((key) => [key.kid, key]));
      document = jwksOf(publishedKeys(keys, now, schedule));
      computeWindow(now);
    },
    signingKey(now) {
      if (window !== undefined && now >= window.from && now < window.until) return window.key;
      computeWindow(now);
      return window?.key;
    },
    key(kid) {
      return byKid.get(kid);
    },
    jwks() {
      return document;
    },
    get size() {
      return keys.length;
    },
  };
}
