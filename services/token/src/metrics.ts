import type { Metrics } from '@nes/kit';
import type { ClientAuthMethod } from './domain/client-credentials.js';

/** Sub-millisecond resolution: a cached grant takes a fraction of a millisecond. */
const GRANT_BUCKETS = [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * The token service's business metrics. Grants are counted, not published as
 * events: one event per token would put the hottest path's volume on the bus
 * for no consumer's benefit.
 */
export interface TokenMetrics {
  /** A token was issued; `seconds` from request start to signed token. */
  grant(method: ClientAuthMethod, clientCache: 'hit' | 'miss', seconds: number): void;
  /** A token request was refused; `reason` is the OAuth error code or `throttled`. */
  failure(reason: string): void;
  /** The brute-force protection refused an authentication before attempting it. */
  throttled(limit: 'pair' | 'ip' | 'client'): void;
  /** Redis could not be reached for the brute-force counters. */
  throttleUnavailable(): void;
  /** A client event dropped cached verifications. */
  clientInvalidated(kind: 'updated' | 'deleted'): void;
  introspection(result: 'active' | 'inactive'): void;
  revocation(result: 'revoked' | 'ignored'): void;
  /** Key maintenance created or deleted keys. */
  keysChanged(created: number, removed: number): void;
  /** Keys loaded in this replica, and whether one can sign now. */
  keysLoaded(count: number, canSign: boolean): void;
}

/** Registers the service's metrics on its registry. */
export function createTokenMetrics(metrics: Metrics): TokenMetrics {
  const grants = metrics.counter({
    name: 'nes_token_grants_total',
    help: 'Access tokens issued, by client authentication method and client cache result',
    labelNames: ['method', 'client_cache'],
  });
  const grantSeconds = metrics.histogram({
    name: 'nes_token_grant_duration_seconds',
    help: 'Time to issue an access token (client authentication, scope, signing)',
    labelNames: ['client_cache'],
    buckets: GRANT_BUCKETS,
  });
  const failures = metrics.counter({
    name: 'nes_token_failures_total',
    help: 'Token endpoint requests refused, by OAuth error code (or throttled)',
    labelNames: ['reason'],
  });
  const throttled = metrics.counter({
    name: 'nes_token_client_auth_throttled_total',
    help: 'Client authentications refused by the brute-force protection, by limit',
    labelNames: ['limit'],
  });
  const throttleDown = metrics.counter({
    name: 'nes_token_throttle_unavailable_total',
    help: 'Brute-force counter operations that failed because Redis could not be reached',
  });
  const invalidations = metrics.counter({
    name: 'nes_token_client_invalidations_total',
    help: 'Client events (updated, deleted) that dropped cached client verifications',
    labelNames: ['kind'],
  });
  const introspections = metrics.counter({
    name: 'nes_token_introspections_total',
    help: 'Token introspections (RFC 7662) by result',
    labelNames: ['result'],
  });
  const revocations = metrics.counter({
    name: 'nes_token_revocations_total',
    help: 'Token revocation requests (RFC 7009) by result',
    labelNames: ['result'],
  });
  const keyChanges = metrics.counter({
    name: 'nes_token_signing_key_changes_total',
    help: 'Signing keys created or deleted by this replica',
    labelNames: ['change'],
  });
  const keysLoaded = metrics.gauge({
    name: 'nes_token_signing_keys_loaded',
    help: 'Signing keys loaded in this replica',
  });
  const canSign = metrics.gauge({
    name: 'nes_token_signing_key_available',
    help: '1 when this replica has a current signing key',
  });
  // Children resolved once: label lookups stay off the hot path.
  const grantChildren = new Map<string, { count: () => void; observe: (s: number) => void }>();
  return {
    grant(method, clientCache, seconds) {
      const key = `${method}|${clientCache}`;
      let child = grantChildren.get(key);
      if (child === undefined) {
        const counter = grants.labels(method, clientCache);
        const histogram = grantSeconds.labels(clientCache);
        child = { count: () => counter.inc(), observe: (s) => histogram.observe(s) };
        grantChildren.set(key, child);
      }
      child.count();
      child.observe(seconds);
    },
    failure: (reason) => failures.inc({ reason }),
    throttled: (limit) => throttled.inc({ limit }),
    throttleUnavailable: () => throttleDown.inc(),
    clientInvalidated: (kind) => invalidations.inc({ kind }),
    introspection: (result) => introspections.inc({ result }),
    revocation: (result) => revocations.inc({ result }),
    keysChanged(created, removed) {
      if (created > 0) keyChanges.inc({ change: 'created' }, created);
      if (removed > 0) keyChanges.inc({ change: 'removed' }, removed);
    },
    keysLoaded(count, available) {
      keysLoaded.set(count);
      canSign.set(available ? 1 : 0);
    },
  };
}
