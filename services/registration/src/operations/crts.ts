import { randomUUID } from 'node:crypto';
import { enqueue } from '@nes/bus';
import { withTransaction } from '@nes/kit';
import type { RegistrationContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import {
  checkCrtChanges,
  checkNewCrt,
  type CrtChanges,
  type CrtInput,
} from '../domain/crt-rules.js';
import { crtStatus, isDeletable, type CrtStatus } from '../domain/crt-status.js';
import { signCrt } from '../domain/crt-token.js';
import { openValue, sealValue } from '../domain/sealed-value.js';
import { sha256Hex } from '../domain/secrets.js';
import * as queries from '../db/crt-queries.js';
import type { CrtRow } from '../db/rows.js';
import { adminActor, crtEvent, crtUpdatedEvent, type EventFacts } from '../events.js';
import { crtNotFound, crtStateConflict, GoneError, isUuid } from './errors.js';

/** Who asks, for admin operations. */
export interface AdminRequest {
  /** The API key holder's name (written to created_by / modified_by). */
  readonly actor: string;
  readonly traceparent?: string | undefined;
}

/** A new CRT and its value, which exists only in this response (and briefly, sealed, in Redis). */
export interface CreatedCrt {
  readonly crt: CrtRow;
  readonly token: string;
  /** The JSON an MDM is configured with. */
  readonly mdmConfiguration: string;
  /** Until when the QR code can be fetched; null when the value could not be kept. */
  readonly qrCodeAvailableUntil: Date | null;
}

/** The JSON string an MDM hands to Nymi Connect: `{"token": …, "nesUrl": …}`. */
export function mdmConfiguration(token: string, nesUrl: string): string {
  return JSON.stringify({ token, nesUrl });
}

function facts(request: AdminRequest, now: Date): EventFacts {
  return { actor: adminActor(request.actor), now, traceparent: request.traceparent };
}

function cacheKey(context: RegistrationContext, id: string): string {
  return `${context.config.redis.keyPrefix}crt-value:${id}`;
}

function ruleContext(context: RegistrationContext, now: Date) {
  return { now, maxLifetimeMs: context.config.crt.maxLifetimeDays * 86_400_000 };
}

/**
 * Creates a CRT: checks the fields, signs the token, stores the row (with the
 * token's hash only) and the `crt.created` event in one transaction, then
 * keeps the value sealed in Redis for the QR code's TTL.
 */
export async function createCrt(
  context: RegistrationContext,
  input: CrtInput,
  request: AdminRequest,
): Promise<CreatedCrt> {
  const now = context.clock.now();
  const fields = checkNewCrt(input, ruleContext(context, now));
  const id = randomUUID();
  const token = await signCrt(
    { id, scope: fields.scope, issuedAt: now, expiresAt: fields.expiresAt },
    context.signingKeys,
    context.tokenSettings,
  );
  const crt = await withTransaction(context.pool, async (tx) => {
    const row = await queries.insertCrt(tx, {
      ...fields,
      id,
      tokenHash: sha256Hex(token),
      signingKid: context.signingKeys.current.kid,
      actor: request.actor,
      now,
    });
    await enqueue(tx, crtEvent('nes.crt.created.v1', row, facts(request, now)));
    return row;
  });
  context.metrics.crtOperation('create');
  return {
    crt,
    token,
    mdmConfiguration: mdmConfiguration(token, context.config.publicUrl),
    qrCodeAvailableUntil: await keepValue(context, id, token, now),
  };
}

/** Keeps the sealed value for the QR code; a Redis failure only costs the QR code. */
async function keepValue(
  context: RegistrationContext,
  id: string,
  token: string,
  now: Date,
): Promise<Date | null> {
  const ttlSeconds = context.config.crt.qrTtlSeconds;
  if (ttlSeconds === 0) return null;
  try {
    await context.redis.set(cacheKey(context, id), sealValue(token, context.signingKeys, id), {
      expiration: { type: 'PX', value: ttlSeconds * 1000 },
    });
    return new Date(now.getTime() + ttlSeconds * 1000);
  } catch (error) {
    context.logger.warn({ err: error, crtId: id }, 'could not keep the CRT value for its QR code');
    return null;
  }
}

/** Forgets the sealed value (revocation, deletion); failures are logged, the TTL ends it anyway. */
async function forgetValue(context: RegistrationContext, id: string): Promise<void> {
  try {
    await context.redis.del(cacheKey(context, id));
  } catch (error) {
    context.logger.warn({ err: error, crtId: id }, 'could not drop the kept CRT value');
  }
}

/** A listed CRT. @throws NotFoundError `crt_not_found` (also for deleted ones). */
export async function getCrt(context: RegistrationContext, id: string): Promise<CrtRow> {
  const row = isUuid(id) ? await queries.findCrt(context.pool, id) : undefined;
  if (!row) throw crtNotFound(id);
  return row;
}

/** One page of CRTs, newest first, optionally of one status. */
export async function listCrts(
  context: RegistrationContext,
  query: { status?: CrtStatus | undefined; cursor?: string | undefined; limit: number },
): Promise<{ items: CrtRow[]; nextCursor: string | null }> {
  const filter = `crts:${query.status ?? 'all'}`;
  const afterSeq = decodeCursor(query.cursor, filter);
  const rows = await queries.listCrts(context.pool, {
    now: context.clock.now(),
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(afterSeq === undefined ? {} : { afterSeq }),
    limit: query.limit + 1,
  });
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.seq, filter) : null,
  };
}

/** Proto names of the CRT fields an edit changed. */
function changedFields(before: CrtRow, after: CrtRow): string[] {
  const fields: string[] = [];
  if (before.title !== after.title) fields.push('title');
  if (before.details !== after.details) fields.push('details');
  if (before.expiresAt.getTime() !== after.expiresAt.getTime()) fields.push('expires_at');
  if (before.maxClients !== after.maxClients) fields.push('max_clients');
  return fields;
}

/**
 * Edits an active CRT (title, details, expiry, max clients). An edit that
 * changes nothing returns the CRT as it is, without an event.
 *
 * @throws ConflictError `crt_expired`/`crt_revoked` when it is not active,
 *   `crt_title_taken` for a duplicate title.
 */
export async function updateCrt(
  context: RegistrationContext,
  id: string,
  changes: CrtChanges,
  request: AdminRequest,
): Promise<CrtRow> {
  const now = context.clock.now();
  const checked = checkCrtChanges(changes, ruleContext(context, now));
  await getCrt(context, id);
  return withTransaction(context.pool, async (tx) => {
    const before = await queries.findCrt(tx, id, { forUpdate: true });
    if (!before) throw crtNotFound(id);
    const status = crtStatus(before, now);
    if (status !== 'active') throw crtStateConflict(id, status, 'only active tokens can be edited');
    const after = await queries.updateCrt(tx, id, checked, request.actor, now);
    const changed = changedFields(before, after);
    if (changed.length === 0) throw new NothingChanged(before);
    await enqueue(tx, crtUpdatedEvent(after, changed, facts(request, now)));
    return after;
  }).then(
    (after) => {
      context.metrics.crtOperation('update');
      return after;
    },
    (error: unknown) => {
      // Rolled back on purpose: the row stays as it was, modified_at included.
      if (error instanceof NothingChanged) return error.row;
      throw error;
    },
  );
}

/** Internal signal: an edit that changes nothing is rolled back and answered with the row. */
class NothingChanged extends Error {
  constructor(readonly row: CrtRow) {
    super('nothing changed');
  }
}

/**
 * Revokes an active CRT: no device can register with it any more.
 * Revoking a revoked CRT changes nothing and succeeds (idempotent, no
 * second event); an expired CRT cannot be revoked (409 `crt_expired`).
 */
export async function revokeCrt(
  context: RegistrationContext,
  id: string,
  request: AdminRequest,
): Promise<CrtRow> {
  await getCrt(context, id);
  const now = context.clock.now();
  const { row, changed } = await withTransaction(context.pool, async (tx) => {
    const before = await queries.findCrt(tx, id, { forUpdate: true });
    if (!before) throw crtNotFound(id);
    const status = crtStatus(before, now);
    if (status === 'revoked') return { row: before, changed: false };
    if (status === 'expired') throw crtStateConflict(id, status, 'it can no longer be used anyway');
    const revoked = await queries.revokeCrt(tx, id, request.actor, now);
    await enqueue(tx, crtEvent('nes.crt.revoked.v1', revoked, facts(request, now)));
    return { row: revoked, changed: true };
  });
  if (changed) context.metrics.crtOperation('revoke');
  await forgetValue(context, id);
  return row;
}

/**
 * Deletes (hides) an expired or revoked CRT; the row stays for audit.
 *
 * @throws ConflictError `crt_active` while it is active.
 */
export async function deleteCrt(
  context: RegistrationContext,
  id: string,
  request: AdminRequest,
): Promise<void> {
  await getCrt(context, id);
  const now = context.clock.now();
  await withTransaction(context.pool, async (tx) => {
    const before = await queries.findCrt(tx, id, { forUpdate: true });
    if (!before) throw crtNotFound(id);
    const status = crtStatus(before, now);
    if (!isDeletable(status)) {
      throw crtStateConflict(id, status, 'revoke it or let it expire before deleting it');
    }
    const deleted = await queries.deleteCrt(tx, id, request.actor, now);
    await enqueue(tx, crtEvent('nes.crt.deleted.v1', deleted, facts(request, now)));
  });
  context.metrics.crtOperation('delete');
  await forgetValue(context, id);
}

/**
 * The MDM JSON of a recently created, still active CRT, for its QR code.
 *
 * @throws NotFoundError for unknown or deleted CRTs; GoneError once the
 *   value is no longer kept or the CRT is not active.
 */
export async function crtQrContent(context: RegistrationContext, id: string): Promise<string> {
  const row = await getCrt(context, id);
  const status = crtStatus(row, context.clock.now());
  if (status !== 'active') {
    throw new GoneError(`Client registration token '${id}' is ${status}; its QR code is gone.`, {
      code: 'crt_value_gone',
    });
  }
  const sealed = await context.redis.get(cacheKey(context, id));
  const token = sealed === null ? undefined : openValue(sealed, context.signingKeys, id);
  if (token === undefined) {
    throw new GoneError(
      `The value of client registration token '${id}' is only kept for a short time after creation; create a new token to get a QR code.`,
      { code: 'crt_value_gone' },
    );
  }
  return mdmConfiguration(token, context.config.publicUrl);
}
